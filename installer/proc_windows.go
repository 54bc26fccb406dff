package installer

import (
	"os"
	"syscall"

	"golang.org/x/sys/windows"
)

// detached starts the process without a console and outside our process
// group.
func detached() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		CreationFlags: windows.DETACHED_PROCESS | windows.CREATE_NEW_PROCESS_GROUP,
		HideWindow:    true,
	}
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
