package state

// Real-process tests of what the state directory's files must withstand.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/testenv"
)

// TestSaveNeverWritesThroughAPlantedLink: a link at the temporary name
// earlier versions wrote to (state.json.tmp) does not make a writer process
// put the state into the file the link names.
func TestSaveNeverWritesThroughAPlantedLink(t *testing.T) {
	st := mustOpen(t)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("victim"), 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Symlink(t, victim, st.Path()+".tmp")
	if err := helperCommand(t, "adder", st.Dir(), "0", "3").Run(); err != nil {
		t.Fatalf("writer: %v", err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "victim" {
		t.Fatalf("the state was written into the link's target: %.60q", got)
	}
	if n := len(seenKeys(mustView(t, st))); n != 3 {
		t.Fatalf("%d items saved, want 3", n)
	}
}

// TestLockTimeoutWithStaleHolderLine: a holder killed with SIGKILL leaves
// its line in state.lock. When the lock is then held by a process that
// writes no line (a reader), the timeout must not name the dead process as
// the holder.
func TestLockTimeoutWithStaleHolderLine(t *testing.T) {
	st := mustOpen(t, WithLockTimeout(300*time.Millisecond))
	holder, _ := startLocker(t, "holder", st)
	dead := holder.Process.Pid
	holder.Process.Kill()
	holder.Wait() // reaped: the pid no longer names a process
	if h := readHolder(st.lockPath()); !strings.HasPrefix(h, fmt.Sprintf("pid %d ", dead)) {
		t.Fatalf("holder line after SIGKILL = %q, want the killed holder's", h)
	}

	startLocker(t, "sharer", st)

	err := st.Update(context.Background(), func(*State) error { return nil })
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Update = %v, want a lock timeout", err)
	}
	msg := err.Error()
	if strings.HasPrefix(msg, fmt.Sprintf("state is locked by pid %d", dead)) ||
		!strings.Contains(msg, "stale") || !strings.Contains(msg, "has ended") {
		t.Fatalf("lock timeout says %q: it names the dead pid %d as the holder", msg, dead)
	}
}
