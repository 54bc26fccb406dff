package magister

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// renameReplace retries for a while: on Windows a rename over a file that
// another process has open fails with "Access is denied".
func renameReplace(from, to string) error {
	var err error
	for i := 0; i < 40; i++ {
		if err = os.Rename(from, to); err == nil || !isAccessDenied(err) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

func isAccessDenied(err error) bool {
	var errno syscall.Errno
	// ERROR_ACCESS_DENIED (5) and ERROR_SHARING_VIOLATION (32).
	return errors.As(err, &errno) && (errno == 5 || errno == 32)
}

// syncDir is a no-op: directories cannot be synced on Windows.
func syncDir(string) error { return nil }

// isUnsupported reports the Chmod errors Windows gives for mode bits.
func isUnsupported(err error) bool { return err != nil }
