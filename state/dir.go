package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/magister-notify/magister-notify/internal/atomicfile"
	"github.com/magister-notify/magister-notify/internal/plainfile"
)

// ownFiles are the names magister-notify keeps in a state directory, whichever
// package writes them: the state, its lock and the tray's (state), the token
// file and its locks (magister), the pending sign-in and its lock
// (notifier), the tray's log and its predecessor (tray). A package that adds
// a file to the directory adds its name here.
var ownFiles = []string{FileName, LockName, TrayLockName, TokensName, TokensName + ".lock", "tokens.lock",
	"pending-login.json", "login.lock", LogName, LogName + ".1"}

// rescuePrefix starts the names of the files in which magister keeps a
// renewed sign-in that the token store could not take (magister/rescue.go).
const rescuePrefix = "tokens-rescue-"

// replacedFiles are the own files replaced through temporary files beside them.
var replacedFiles = []string{FileName, TokensName, "pending-login.json"}

// isOwnFile reports whether name is a file magister-notify keeps in a state
// directory: one of ownFiles, a damaged state moved aside, or a temporary
// file a killed writer left, or a rescued sign-in.
func isOwnFile(name string) bool {
	return slices.Contains(ownFiles, name) || strings.HasPrefix(name, FileName+".corrupt-") || isTempFile(name) ||
		strings.HasPrefix(name, rescuePrefix)
}

// isTempFile reports whether name is a temporary file of one of
// replacedFiles.
func isTempFile(name string) bool {
	return slices.ContainsFunc(replacedFiles, func(base string) bool { return atomicfile.IsTemp(name, base) })
}

// ErrUnsafeDir is matched by the errors of Open and Update about a state
// directory that magister-notify will not use as it is.
var ErrUnsafeDir = errors.New("unsafe state directory")

// A DirProblem is why a state directory was refused.
type DirProblem int

// The problems a state directory can have.
const (
	// NotADirectory: the path exists and is something else.
	NotADirectory DirProblem = iota + 1
	// ForeignOwner: another user owns the directory.
	ForeignOwner
	// WritableByOthers: other users can create files in the directory (it
	// is world-writable, or has the sticky bit of a shared directory such
	// as /tmp).
	WritableByOthers
	// Shared: other users can enter the directory, and it holds files that
	// are not magister-notify's, so it is not magister-notify's to make
	// private.
	Shared
	// NotPlainFile: one of magister-notify's files in the directory is a
	// symbolic link, or not a plain file. Err holds the details.
	NotPlainFile
)

// UnsafeDirError says why a state directory was refused.
type UnsafeDirError struct {
	Dir     string
	Problem DirProblem
	Mode    fs.FileMode // the directory's mode
	Owner   int         // ForeignOwner: the owner's user id
	Found   string      // Shared: a file in it that is not magister-notify's
	Err     error       // NotPlainFile: a *plainfile.NotPlainError
}

func (e *UnsafeDirError) Error() string {
	switch e.Problem {
	case NotADirectory:
		return fmt.Sprintf("state: %s is not a directory", e.Dir)
	case ForeignOwner:
		return fmt.Sprintf("state: the state directory %s belongs to another user (uid %d)", e.Dir, e.Owner)
	case WritableByOthers:
		return fmt.Sprintf("state: the state directory %s can be written by other users (mode %s)", e.Dir, octal(e.Mode))
	case Shared:
		return fmt.Sprintf("state: the state directory %s is open to other users (mode %s) and holds files that are not magister-notify's (such as %s)",
			e.Dir, octal(e.Mode), e.Found)
	case NotPlainFile:
		return "state: " + e.Err.Error()
	}
	return "state: unsafe state directory " + e.Dir
}

// Is makes errors.Is(err, ErrUnsafeDir) true.
func (e *UnsafeDirError) Is(target error) bool { return target == ErrUnsafeDir }

// Unwrap returns the file error of a NotPlainFile problem.
func (e *UnsafeDirError) Unwrap() error { return e.Err }

// octal writes a mode the way chmod takes it: "1777", "0755".
func octal(m fs.FileMode) string {
	n := uint32(m.Perm())
	if m&fs.ModeSticky != 0 {
		n |= 0o1000
	}
	if m&fs.ModeSetgid != 0 {
		n |= 0o2000
	}
	return fmt.Sprintf("%04o", n)
}

// checkDir refuses a state directory that is not safe to use as it is (see
// DirProblem). It changes nothing.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if !fi.IsDir() {
		return &UnsafeDirError{Dir: dir, Problem: NotADirectory}
	}
	if err := checkOwnerAndMode(dir, fi); err != nil {
		return err
	}
	for _, name := range ownFiles {
		if err := plainfile.Check(filepath.Join(dir, name)); err != nil {
			if errors.Is(err, plainfile.ErrNotPlain) {
				return &UnsafeDirError{Dir: dir, Problem: NotPlainFile, Mode: fi.Mode(), Err: err}
			}
			return fmt.Errorf("state: %w", err)
		}
	}
	return nil
}

// foreignFile returns the name of a file in dir that is not one of
// magister-notify's, or "".
func foreignFile(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("state: %w", err)
	}
	for _, e := range entries {
		if !isOwnFile(e.Name()) {
			return e.Name(), nil
		}
	}
	return "", nil
}
