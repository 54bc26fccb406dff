//go:build windows

package atomicfile

import (
	"errors"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/windows"
)

// Rename renames from over to. A reader that has the file open makes the
// rename fail with a sharing violation or "access denied" for a moment, so
// it is retried with backoff for up to two seconds (as the Go toolchain's
// robustio does).
func Rename(from, to string) error {
	deadline := time.Now().Add(2 * time.Second)
	delay := time.Millisecond
	for {
		err := os.Rename(from, to)
		if err == nil || !transient(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(delay)
		delay = min(2*delay, 100*time.Millisecond)
	}
}

func transient(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	return errno == windows.ERROR_ACCESS_DENIED || errno == windows.ERROR_SHARING_VIOLATION ||
		errno == windows.ERROR_LOCK_VIOLATION
}

// SyncDir does nothing: Windows cannot fsync a directory, and NTFS journals
// the rename itself.
func SyncDir(string) error { return nil }

// chmodUnsupported reports the errors Windows gives for Unix mode bits.
func chmodUnsupported(err error) bool { return err != nil }
