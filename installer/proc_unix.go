//go:build !windows

package installer

import "syscall"

// detached puts the process in a session of its own.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }

// stopProcess asks the process to end (the tray quits cleanly on SIGTERM).
func stopProcess(pid int) error { return syscall.Kill(pid, syscall.SIGTERM) }
