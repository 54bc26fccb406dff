//go:build !windows

package plainfile

import (
	"io/fs"
	"os"
	"syscall"
)

// Flag is what this package adds to the open flags: O_NOFOLLOW, so that the
// kernel refuses a symbolic link in the last element of the path.
const Flag = syscall.O_NOFOLLOW

func open(path string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag|Flag, perm)
}

// verifyPath has nothing to add on Unix: O_NOFOLLOW already kept a link out,
// and comparing with the path would refuse a file that a writer renamed a
// new version over since (a reader of tokens.json does not hold its lock).
func verifyPath(fs.FileInfo, string) error { return nil }
