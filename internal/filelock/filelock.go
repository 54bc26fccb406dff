// Package filelock takes an exclusive lock on a lock file for a short
// transaction (a token refresh, completing a sign-in), waiting while the
// context allows. The state store has its own lock with shared readers and a
// holder line; this is the plain one.
package filelock

import (
	"context"
	"fmt"
	"time"

	"github.com/gofrs/flock"
)

// Lock takes the exclusive lock on path (created 0600), waiting at most max
// and while ctx allows. No holder keeps such a lock for long, so max bounds
// a wait on a stuck process.
func Lock(ctx context.Context, path string, max time.Duration) (unlock func(), err error) {
	ctx, cancel := context.WithTimeout(ctx, max)
	defer cancel()
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLockContext(ctx, 20*time.Millisecond)
	if err == nil && !ok {
		err = ctx.Err()
	}
	if err != nil {
		fl.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { fl.Unlock() }, nil
}
