package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/magister-notify/magister-notify/internal/filelock"
)

// ErrTrayRunning is returned by LockTray when another tray holds the lock.
var ErrTrayRunning = errors.New("the tray is already running")

// TrayRunningError names the running tray.
type TrayRunningError struct{ PID int }

func (e *TrayRunningError) Error() string {
	if e.PID == 0 {
		return "the magister-notify tray is already running"
	}
	return fmt.Sprintf("the magister-notify tray is already running (pid %d)", e.PID)
}

// Is makes errors.Is(err, ErrTrayRunning) true.
func (e *TrayRunningError) Is(target error) bool { return target == ErrTrayRunning }

// trayLockWait is how long LockTray waits for a status check's shared lock
// on tray.lock to go before deciding that a tray runs.
const trayLockWait = 100 * time.Millisecond

// LockTray takes tray.lock for the life of a tray process, so that only one
// tray runs per state directory. The operating system releases it when the
// process ends, however it ends.
func (s *Store) LockTray(ctx context.Context) (release func(), err error) {
	path := filepath.Join(s.dir, TrayLockName)
	fl := filelock.New(path)
	// A status check holds a shared lock on tray.lock for an instant; wait
	// a little so that it cannot make a starting tray give up.
	wctx, cancel := context.WithTimeout(ctx, trayLockWait)
	defer cancel()
	if err := fl.LockContext(wctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if wctx.Err() == nil {
			return nil, fmt.Errorf("state: lock %s: %w", path, err)
		}
		pid, _ := s.TrayPID()
		return nil, &TrayRunningError{PID: pid}
	}
	writeHolder(path, fmt.Sprintf("pid %d (%s)", os.Getpid(), s.owner))
	return func() {
		writeHolder(path, "")
		fl.Unlock()
	}, nil
}

// TrayPID reports whether a tray holds tray.lock and, if it said so, its pid.
func (s *Store) TrayPID() (pid int, running bool) {
	path := filepath.Join(s.dir, TrayLockName)
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	fl := filelock.New(path)
	ok, err := fl.TryRLock()
	if err == nil && ok {
		fl.Unlock()
		return 0, false
	}
	fmt.Sscanf(readHolder(path), "pid %d", &pid)
	return pid, true
}
