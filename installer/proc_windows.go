package installer

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// startDetached starts exe without a console and outside our process group,
// so that it outlives the command that started it.
func startDetached(exe string, args []string) (pid int, exited <-chan struct{}, err error) {
	cmd := exec.Command(exe, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		CreationFlags: windows.DETACHED_PROCESS | windows.CREATE_NEW_PROCESS_GROUP,
		HideWindow:    true,
	}
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

// stopProcess ends the process. Windows has no SIGTERM for a GUI process
// that has no window of ours to close; the state survives, as every change
// to it is one atomic transaction.
func stopProcess(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}
