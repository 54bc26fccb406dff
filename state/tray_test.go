package state

import (
	"context"
	"errors"
	"testing"
)

func TestTrayLockIsSingleInstance(t *testing.T) {
	st := mustOpen(t)
	if _, running := st.TrayPID(); running {
		t.Fatal("tray reported running in an empty directory")
	}
	cmd, _ := startLocker(t, "tray", st)

	pid, running := st.TrayPID()
	if !running || pid != cmd.Process.Pid {
		t.Fatalf("TrayPID = %d, %v; want %d, true", pid, running, cmd.Process.Pid)
	}
	_, err := st.LockTray(context.Background())
	var tre *TrayRunningError
	if !errors.Is(err, ErrTrayRunning) || !errors.As(err, &tre) || tre.PID != cmd.Process.Pid {
		t.Fatalf("second LockTray = %v", err)
	}
	// A killed tray releases the lock: no stale lock files to clean up.
	cmd.Process.Kill()
	cmd.Wait()
	if _, running := st.TrayPID(); running {
		t.Fatal("tray still reported running after it was killed")
	}
	release, err := st.LockTray(context.Background())
	if err != nil {
		t.Fatalf("LockTray after the old tray died: %v", err)
	}
	release()
}

func TestLockTrayHonoursItsContext(t *testing.T) {
	st := mustOpen(t)
	release, err := st.LockTray(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := st.LockTray(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("LockTray with a cancelled context while another holds the lock = %v, want context.Canceled", err)
	}
}
