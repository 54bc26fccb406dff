//go:build windows

package state

import (
	"errors"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/windows"
)

// replaceFile renames tmp over path. A reader that has state.json open makes
// the rename fail with a sharing violation or "access denied" for a moment,
// so it is retried with backoff for up to two seconds (as the Go toolchain's
// robustio does).
func replaceFile(tmp, path string) error {
	deadline := time.Now().Add(2 * time.Second)
	delay := time.Millisecond
	for {
		err := os.Rename(tmp, path)
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

// syncDir does nothing: Windows cannot fsync a directory, and NTFS journals
// the rename itself.
func syncDir(string) error { return nil }
