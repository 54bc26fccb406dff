//go:build !windows

package installer

import (
	"fmt"
	"os/exec"
	"syscall"
)

// startDetached starts exe in a session of its own, so that it outlives the
// command that started it and its terminal.
func startDetached(exe string, args []string) (pid int, exited <-chan struct{}, err error) {
	cmd := exec.Command(exe, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, nil, fmt.Errorf("installer: start the tray: %w", err)
	}
	done := make(chan struct{})
	go func() { // reap it should it end while we still run
		cmd.Wait()
		close(done)
	}()
	return cmd.Process.Pid, done, nil
}

// stopProcess asks the process to end (the tray quits cleanly on SIGTERM).
func stopProcess(pid int) error { return syscall.Kill(pid, syscall.SIGTERM) }
