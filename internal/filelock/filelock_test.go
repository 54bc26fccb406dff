package filelock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/plainfile"
	"github.com/magister-notify/magister-notify/internal/testenv"
)

func TestLockExcludesAndTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := Lock(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// A second lock (another open file description, as in another process)
	// waits and gives up when max runs out.
	if _, err := Lock(context.Background(), path, 50*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock while held: %v", err)
	}
	unlock()
	unlock2, err := Lock(context.Background(), path, time.Second)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}

// TestLinkIsRefused: a lock file planted as a symbolic link is neither
// locked nor created at its target.
func TestLinkIsRefused(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	path := filepath.Join(dir, "login.lock")
	testenv.Symlink(t, target, path)
	if _, err := Lock(context.Background(), path, time.Second); !errors.Is(err, plainfile.ErrNotPlain) {
		t.Fatalf("Lock through a link: %v", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the link's target was created (%v)", err)
	}
}
