package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/magister-notify/magister-notify/internal/filelock"
	"github.com/magister-notify/magister-notify/internal/plainfile"
)

// ErrLocked is returned (wrapped in a *LockedError) when the state lock could
// not be had before the context ended.
var ErrLocked = errors.New("state is locked")

// LockedError names who holds the lock, as far as it is known.
type LockedError struct {
	Holder string // "pid 4242 (magister-notify tray) since 10:42:07", or ""
	// Stale is set when the process Holder names has ended: the line is
	// what a killed holder left behind, and the lock is held by a process
	// that did not say who it is (a reader, or a writer about to).
	Stale bool
	Err   error // the context's error
}

func (e *LockedError) Error() string {
	switch {
	case e.Holder == "":
		return "state is locked by another magister-notify process"
	case e.Stale:
		return "state is locked by another magister-notify process (the lock file still names " +
			e.Holder + ", but that process has ended: the line is stale)"
	}
	return "state is locked by " + e.Holder
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Unwrap returns the context error that ended the wait.
func (e *LockedError) Unwrap() error { return e.Err }

// holderOffset is where the holder line starts in the lock file. Windows
// locks byte 0 of the file (LockFileEx over one byte) and then refuses other
// handles access to it, so the line lives after it.
const (
	holderOffset = 1
	holderWidth  = 160
)

// lockFile takes the lock on path, shared or exclusive, waiting while ctx
// allows. An exclusive holder writes who it is into the file.
func lockFile(ctx context.Context, path string, exclusive bool, owner string) (unlock func(), err error) {
	fl := filelock.New(path)
	wait := fl.RLockContext
	if exclusive {
		wait = fl.LockContext
	}
	if err := wait(ctx); err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return nil, lockedError(path, err)
		}
		return nil, fmt.Errorf("state: lock %s: %w", path, err)
	}
	if !exclusive {
		return func() { fl.Unlock() }, nil
	}
	line := fmt.Sprintf("pid %d (%s) since %s", os.Getpid(), owner, time.Now().Format("15:04:05"))
	writeHolder(path, line)
	return func() {
		writeHolder(path, "")
		fl.Unlock()
	}, nil
}

// lockedError describes the holder of the lock on path, checking that the
// process its holder line names still runs.
func lockedError(path string, err error) *LockedError {
	e := &LockedError{Holder: readHolder(path), Err: err}
	var pid int
	if _, serr := fmt.Sscanf(e.Holder, "pid %d", &pid); serr == nil && pid > 0 {
		e.Stale = !processAlive(pid)
	}
	return e
}

// writeHolder records line in the lock file. It is advice for error
// messages only, so failures are ignored.
func writeHolder(path, line string) {
	f, err := plainfile.Open(path, os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	buf := []byte(fmt.Sprintf("%-*.*s\n", holderWidth-1, holderWidth-1, line))
	f.WriteAt(buf, holderOffset)
}

func readHolder(path string) string {
	f, err := plainfile.Open(path, os.O_RDONLY, 0)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, holderWidth)
	n, _ := f.ReadAt(buf, holderOffset)
	return strings.TrimSpace(string(buf[:n]))
}
