//go:build unix

package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// TestCheckStoppedMidDeliveryReleasesItsLease sends SIGTERM to a check
// process while its sink is showing a notification (an exec sink that
// hangs). The process gives the entry back before it exits, so the next
// process delivers it at once: no 2-minute lease to wait out, no retry
// backoff as if the sink had failed.
func TestCheckStoppedMidDeliveryReleasesItsLease(t *testing.T) {
	school, dir, cli := signedIn(t)
	jsonl := filepath.Join(dir, "out.jsonl")
	for _, args := range [][]string{
		{"config", "set", "sinks", "jsonl:" + jsonl},
		{"check"}, // baseline
	} {
		if code, _, errs := cli(args...); code != 0 {
			t.Fatalf("%v: %s", args, errs)
		}
	}
	if _, err := school.AddGrade(magistertest.GradeSpec{Child: "Anna", Value: "7,5", Weight: 1, Description: "Signal"}); err != nil {
		t.Fatal(err)
	}
	// The hanging sink says when it has the notification, through a FIFO.
	fifo := filepath.Join(t.TempDir(), "started")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	hang := "exec:cat >/dev/null; echo started >'" + fifo + "'; exec sleep 60"
	cmd := cliProcess("--state-dir", dir, "check", "--sink", hang)
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	started := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo) // blocks until the sink opens it
		if err != nil {
			started <- err.Error()
			return
		}
		defer f.Close()
		line, _ := bufio.NewReader(f).ReadString('\n')
		started <- strings.TrimSpace(line)
	}()
	select {
	case line := <-started:
		if line != "started" {
			t.Fatalf("the sink said %q", line)
		}
	case err := <-exited:
		t.Fatalf("check ended before its sink ran: %v: %s", err, errb.String())
	case <-time.After(30 * time.Second): // a hang guard, not a speed claim
		t.Fatal("the sink never started")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var exitErr *exec.ExitError
	select {
	case err := <-exited:
		if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 || !strings.Contains(errb.String(), "interrupted") {
			t.Errorf("after SIGTERM: %v, stderr %q; want exit 1, \"interrupted\"", err, errb.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("check still running 30 s after SIGTERM")
	}

	outbox := loadState(t, dir).Outbox
	if len(outbox) != 1 {
		t.Fatalf("%d entries waiting after SIGTERM, want the 1 grade", len(outbox))
	}
	if e := outbox[0]; e.LeaseOwner != "" || e.Attempts != 0 || !e.NextAttempt.IsZero() {
		t.Errorf("entry after SIGTERM: lease %q until %v, %d attempts, next attempt %v; want released and no attempt",
			e.LeaseOwner, e.LeaseUntil, e.Attempts, e.NextAttempt)
	}
	// The next process delivers it now.
	if code, _, errs := runProcess(t, dir, "check"); code != 0 {
		t.Fatal(errs)
	}
	if lines := readLines(t, jsonl); len(lines) != 1 || !strings.Contains(lines[0]["body"].(string), "Signal") {
		t.Errorf("the next check delivered %v, want the grade", lines)
	}
}
