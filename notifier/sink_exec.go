package notifier

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ExecTimeout bounds one run of an exec sink's command.
const ExecTimeout = 30 * time.Second

// ExecSink runs a command for each notification, with the notification as a
// JSON object (the same fields as JSONLSink) on its standard input: for ntfy,
// Home Assistant or a script. The command runs through the shell (sh -c on
// Unix, cmd /C on Windows); a non-zero exit is a failure.
type ExecSink struct {
	command string
	timeout time.Duration
}

// NewExecSink returns a sink running command.
func NewExecSink(command string) *ExecSink {
	return &ExecSink{command: command, timeout: ExecTimeout}
}

// Name implements Sink. It names the command by a hash, because a command
// line may hold a token and names end up in the state file and in errors.
func (s *ExecSink) Name() string {
	sum := sha256.Sum256([]byte(s.command))
	return "exec#" + hex.EncodeToString(sum[:4])
}

// PeopleFacing implements Sink.
func (*ExecSink) PeopleFacing() bool { return false }

// Send implements Sink. The error carries the exit status and the first line
// the command wrote to stderr, never the command line itself.
func (s *ExecSink) Send(ctx context.Context, n Notification) error {
	in, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	cmd := shellCommand(ctx, s.command)
	cmd.Stdin = bytes.NewReader(append(in, '\n'))
	cmd.Stdout = io.Discard
	var stderr limitedBuffer
	stderr.max = 4 << 10
	cmd.Stderr = &stderr
	// A command that leaves a child holding stderr open must not hang us.
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("command timed out after %v", s.timeout)
	case ctx.Err() != nil:
		return fmt.Errorf("command stopped: %w", ctx.Err())
	}
	msg := err.Error()
	if line := firstLine(stderr.String()); line != "" {
		msg += ": " + line
	}
	return errors.New("command failed: " + msg)
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return shorten(l, 160)
		}
	}
	return ""
}

// limitedBuffer keeps the first max bytes written to it and discards the rest.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
