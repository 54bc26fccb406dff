//go:build windows

package notifier

import (
	"context"
	"os/exec"
	"syscall"
)

// shellCommand runs command with cmd /C. cmd.exe does not parse its command
// line like other programs, so the line is passed as written.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "cmd.exe")
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: "cmd.exe /C " + command}
	return cmd
}
