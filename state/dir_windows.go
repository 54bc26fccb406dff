//go:build windows

package state

import "io/fs"

// checkOwnerAndMode has nothing to check on Windows: access to a directory
// is decided by its ACL, which a directory under %AppData% inherits from the
// user's profile, and Unix mode bits do not exist.
func checkOwnerAndMode(string, fs.FileInfo) error { return nil }

// tighten checks the directory again; there are no mode bits to change.
func tighten(dir string) error { return checkDir(dir) }
