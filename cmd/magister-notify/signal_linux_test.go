package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/magister-notify/magister-notify/state"
)

// TestStopSignalCancelsWhatChangesThings: while another process holds the
// state, a command that would change it waits for the lock; the first stop
// signal cancels the wait, and the command ends by itself, saying who holds
// the state (exit 3), as it would when the wait ran out. A read-only
// command waiting the same way keeps the default action and is ended by the
// signal: it holds nothing, and not watching for signals saves it a thread
// at start-up.
func TestStopSignalCancelsWhatChangesThings(t *testing.T) {
	dir := t.TempDir()
	defer holdState(t, dir)()
	for _, tc := range []struct {
		args     []string
		readOnly bool
	}{
		{[]string{"status"}, true},
		{[]string{"config", "get", "interval"}, true},
		{[]string{"log"}, true},
		{[]string{"pause", "1h"}, false},
		{[]string{"config", "set", "interval", "30m"}, false},
	} {
		name := strings.Join(tc.args, " ")
		cmd := cliProcess(append([]string{"--state-dir", dir}, tc.args...)...)
		var errb strings.Builder
		cmd.Stderr = &errb
		opened := openWatch(t, filepath.Join(dir, state.LockName))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-opened:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second): // a hang guard, not a speed claim
			t.Fatalf("%s never tried the lock", name)
		}
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Errorf("%s: ended with %v after SIGINT, want a failure", name, err)
			continue
		}
		status := exit.Sys().(syscall.WaitStatus)
		if tc.readOnly {
			if !status.Signaled() || status.Signal() != syscall.SIGINT {
				t.Errorf("%s (read-only): %v, %q; want it ended by SIGINT", name, err, errb.String())
			}
			continue
		}
		if status.Signaled() {
			t.Errorf("%s: ended by %v, want it to stop by itself", name, status.Signal())
		}
		if exit.ExitCode() != exitLocked {
			t.Errorf("%s: exit code %d, want %d", name, exit.ExitCode(), exitLocked)
		}
		if !strings.Contains(errb.String(), "locked by pid") {
			t.Errorf("%s said %q, want it to name the holder of the lock", name, errb.String())
		}
	}
}

// openWatch reports when a process opens path (inotify): a command that
// opens the state lock has started, and set up what it does on a signal.
func openWatch(t *testing.T, path string) (opened <-chan error) {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_OPEN); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	ch := make(chan error, 1)
	go func() {
		defer unix.Close(fd)
		buf := make([]byte, 4096)
		_, err := unix.Read(fd, buf)
		ch <- err
	}()
	return ch
}
