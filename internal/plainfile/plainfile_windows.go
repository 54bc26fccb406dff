//go:build windows

package plainfile

import (
	"io/fs"
	"os"
)

// Flag is what this package adds to the open flags: nothing on Windows,
// whose os.OpenFile has no O_NOFOLLOW. Open looks before (Check) and after
// (Verify) opening instead; creating a symbolic link there needs a privilege
// ordinary accounts lack, which narrows the gap between the two.
const Flag = 0

func open(path string, flag int, perm fs.FileMode) (*os.File, error) {
	if err := Check(path); err != nil {
		return nil, err
	}
	return os.OpenFile(path, flag, perm)
}

// verifyPath makes sure that what was opened is the file at path itself,
// not one a link planted after Check led to. A file open on Windows cannot
// be renamed over, so a writer cannot make this fail spuriously.
func verifyPath(fi fs.FileInfo, path string) error {
	li, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if err := checkInfo(path, li); err != nil {
		return err
	}
	if !os.SameFile(fi, li) {
		return &NotPlainError{Path: path, What: "replaced while it was being opened"}
	}
	return nil
}
