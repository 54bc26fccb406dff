// Package plainfile opens the files magister-notify keeps in its state
// directory so that each is a plain file of its own: never reached through a
// symbolic link, never a directory, pipe or device. A link planted in the
// directory would otherwise make the app write the state, a token or a
// lock's holder line into whatever file the link names.
package plainfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotPlain is matched by the errors of this package about a path that is
// not a plain file.
var ErrNotPlain = errors.New("not a plain file")

// NotPlainError says what a path is instead of a plain file.
type NotPlainError struct {
	Path string
	What string // "a symbolic link to /etc/passwd", "a directory", ...
}

func (e *NotPlainError) Error() string { return e.Path + " is " + e.What + ", not a plain file" }

// Is makes errors.Is(err, ErrNotPlain) true.
func (e *NotPlainError) Is(target error) bool { return target == ErrNotPlain }

// ErrTooLarge is matched by the error of ReadFile for a file over its limit.
var ErrTooLarge = errors.New("file is too large")

// TooLargeError names a file larger than its reader accepts.
type TooLargeError struct {
	Path  string
	Size  int64 // at least this many bytes
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is %s, more than the %s it may be", e.Path, Size(e.Size), Size(e.Limit))
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// Size formats a byte count for people: "100 MB", "64 MiB", "512 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1e6:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Check returns a *NotPlainError when path exists and is not a plain file.
// A missing path is fine: Check returns nil.
func Check(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return checkInfo(path, fi)
}

func checkInfo(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	return &NotPlainError{Path: path, What: describe(path, fi.Mode())}
}

func describe(path string, m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		if to, err := os.Readlink(path); err == nil {
			return "a symbolic link to " + to
		}
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// Open opens path like os.OpenFile, but never through a symbolic link in its
// last element, and only when it is (or, with os.O_CREATE, becomes) a plain
// file. A link or anything else there gives a *NotPlainError.
func Open(path string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := open(path, flag, perm)
	if err != nil {
		if cerr := Check(path); cerr != nil {
			return nil, cerr
		}
		return nil, err
	}
	if err := Verify(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// A StatFile is an open file that can describe itself: *os.File, or a
// gofrs/flock lock.
type StatFile interface {
	Stat() (fs.FileInfo, error)
}

// Verify returns a *NotPlainError unless f, opened from path, is a plain
// file (on Windows also: the file now at path, not one a link led to). It is
// for openers that take a path and flags, such as a file lock.
func Verify(f StatFile, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := checkInfo(path, fi); err != nil {
		return err
	}
	return verifyPath(fi, path)
}

// ReadFile reads the plain file at path (see Open), refusing with a
// *TooLargeError a file larger than limit bytes before reading it whole.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: fi.Size(), Limit: limit}
	}
	// The file may grow while it is read: never read more than limit+1.
	// Room for what it holds now, and a little more, saves growing the
	// buffer step by step.
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+512))
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, &TooLargeError{Path: path, Size: int64(buf.Len()), Limit: limit}
	}
	return buf.Bytes(), nil
}
