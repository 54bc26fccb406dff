package installer

import (
	"fmt"
	"os/exec"
)

// startDetached starts exe detached from us (see detached), so that it
// outlives the command that started it and its terminal.
func startDetached(exe string, args []string) (pid int, exited <-chan struct{}, err error) {
	cmd := exec.Command(exe, args...)
	cmd.SysProcAttr = detached()
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
