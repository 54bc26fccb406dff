// Package filelock takes locks on lock files that are never reached through
// a symbolic link. File is the building block (the state store adds shared
// readers and a holder line to it); Lock is the plain exclusive lock for a
// short transaction (a token refresh, completing a sign-in), waiting while
// the context allows.
package filelock

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gofrs/flock"

	"github.com/magister-notify/magister-notify/internal/plainfile"
)

// File is a lock file (created 0600 when missing). It is opened without
// following a symbolic link where the platform can (O_NOFOLLOW), and a lock
// is only kept once the locked file has been verified to be the plain file
// at its path: a link planted there gives an error matching
// plainfile.ErrNotPlain instead of a lock on, or writes into, another file.
type File struct {
	path string
	fl   *flock.Flock
}

// New returns the lock file at path, not yet opened or locked.
func New(path string) *File {
	return &File{path: path, fl: flock.New(path,
		flock.SetFlag(os.O_CREATE|os.O_RDONLY|plainfile.Flag), flock.SetPermissions(0o600))}
}

// Path is the lock file's path.
func (f *File) Path() string { return f.path }

// TryLock takes the exclusive lock if no one holds the file; it reports
// false without waiting otherwise.
func (f *File) TryLock() (bool, error) { return f.try(f.fl.TryLock) }

// TryRLock takes a shared lock if no one holds the exclusive one.
func (f *File) TryRLock() (bool, error) { return f.try(f.fl.TryRLock) }

// Unlock releases the lock and closes the file.
func (f *File) Unlock() error { return f.fl.Unlock() }

func (f *File) try(lock func() (bool, error)) (bool, error) {
	// Looking first turns the kernel's "too many levels of symbolic links"
	// into an error that says what is wrong, and is Windows's only guard
	// before the open.
	if err := plainfile.Check(f.path); err != nil {
		return false, err
	}
	ok, err := lock()
	if err != nil || !ok {
		return ok, err
	}
	if err := plainfile.Verify(f.fl, f.path); err != nil {
		f.fl.Unlock()
		return false, err
	}
	return true, nil
}

// Lock takes the exclusive lock on path, waiting at most max and while ctx
// allows. No holder keeps such a lock for long, so max bounds a wait on a
// stuck process.
func Lock(ctx context.Context, path string, max time.Duration) (unlock func(), err error) {
	ctx, cancel := context.WithTimeout(ctx, max)
	defer cancel()
	f := New(path)
	if err := f.LockContext(ctx); err != nil {
		f.Unlock()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Unlock() }, nil
}

// LockContext takes the exclusive lock, waiting while ctx allows; when ctx
// ends first it returns ctx's error.
func (f *File) LockContext(ctx context.Context) error { return wait(ctx, f.TryLock) }

// RLockContext takes a shared lock, waiting while ctx allows; when ctx ends
// first it returns ctx's error.
func (f *File) RLockContext(ctx context.Context) error { return wait(ctx, f.TryRLock) }

// The pauses between tries: short at first, since most holders are done
// within a millisecond, and at most maxPause, so that a waiter notices soon
// when a longer holder lets go.
const (
	firstPause = 500 * time.Microsecond
	maxPause   = 20 * time.Millisecond
)

// wait is the one retry loop of every lock in the program (the state lock,
// the tray lock, the token and login locks).
func wait(ctx context.Context, try func() (bool, error)) error {
	pause := firstPause
	for {
		ok, err := try()
		if err != nil || ok {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		pause = min(pause*2, maxPause)
	}
}
