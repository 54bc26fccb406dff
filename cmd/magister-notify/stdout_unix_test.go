//go:build unix

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// TestClosedStdoutFailsTheStdoutSink (issue 13, item 3): a check started
// with standard output closed cannot show anything there; the notification
// stays waiting and the check says it failed, instead of exit 0 and a
// notification lost.
func TestClosedStdoutFailsTheStdoutSink(t *testing.T) {
	school, dir, cli := signedIn(t)
	if code, _, errs := cli("check", "--sink", "stdout"); code != 0 { // baseline
		t.Fatalf("baseline: %d %s", code, errs)
	}
	if _, err := school.AddGrade(magistertest.GradeSpec{Child: "Anna", Value: "6,6", Weight: 1}); err != nil {
		t.Fatal(err)
	}
	argv, _ := json.Marshal([]string{"--state-dir", dir, "check", "--sink", "stdout"})
	cmd := exec.Command("/bin/sh", "-c", `exec "$0" >&-`, os.Args[0])
	cmd.Env = append(os.Environ(), "MAGISTER_NOTIFY_CLI_ARGS="+string(argv))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil {
		t.Errorf("check with standard output closed exited 0; stderr: %s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "standard output is closed") {
		t.Errorf("stderr does not say why: %q", stderr.String())
	}
	outbox := loadState(t, dir).Outbox
	if len(outbox) != 1 {
		t.Fatalf("%d notifications waiting, want the new grade", len(outbox))
	}
	if e := outbox[0]; slices.Contains(e.Done, "stdout") {
		t.Errorf("the grade counts as shown on the closed standard output: %+v", e)
	}
	// It waits to be shown again (after the sink's retry delay).
	if code, out, errs := cli("log", "--pending"); code != 0 || !strings.Contains(out, "6,6") {
		t.Errorf("log --pending: %d %q %s", code, out, errs)
	}
}
