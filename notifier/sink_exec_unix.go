//go:build unix

package notifier

import (
	"context"
	"os/exec"
	"syscall"
)

// shellCommand runs command with sh -c in a process group of its own, so a
// timeout ends the whole pipeline and not only the shell.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}
