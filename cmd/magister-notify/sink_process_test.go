package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// TestOneOffSinkLeavesHeldEntriesForTheConfiguredSinks: `check --sink X`
// during a pause delivers to X (a machine sink is not held) but leaves the
// entries for the configured sink, which gets them when the pause ends.
func TestOneOffSinkLeavesHeldEntriesForTheConfiguredSinks(t *testing.T) {
	dutchLocale(t) // the notifications' Dutch words are what is checked
	school, dir, cli := signedIn(t)
	for _, args := range [][]string{
		{"config", "set", "sinks", "stdout"},
		{"check"}, // baseline
		{"pause", "1h"},
	} {
		if code, _, errs := cli(args...); code != 0 {
			t.Fatalf("%v: %s", args, errs)
		}
	}
	if _, err := school.AddGrade(magistertest.GradeSpec{Child: "Daan", Value: "5,0", Weight: 1, Description: "Paused"}); err != nil {
		t.Fatal(err)
	}
	if _, err := school.AddMessage("Anna", "Mentor", "Ouderavond"); err != nil {
		t.Fatal(err)
	}
	// A one-off machine sink during the pause gets both at once ...
	once := filepath.Join(dir, "once.jsonl")
	if code, _, errs := runProcess(t, dir, "check", "--sink", "jsonl:"+once); code != 0 {
		t.Fatal(errs)
	}
	if got := readLines(t, once); len(got) != 2 {
		t.Fatalf("the one-off sink got %d records, want 2", len(got))
	}
	// ... and acknowledges them for itself only: they wait for stdout.
	s := loadState(t, dir)
	outbox, history := len(s.Outbox), len(s.History)
	if outbox != 2 || history != 0 {
		t.Fatalf("after the one-off delivery: %d waiting, %d in the history; want 2 and 0", outbox, history)
	}
	// A second run of the one-off sink does not repeat them.
	if code, _, errs := runProcess(t, dir, "check", "--sink", "jsonl:"+once); code != 0 || len(readLines(t, once)) != 2 {
		t.Fatalf("second one-off run: %d records; %s", len(readLines(t, once)), errs)
	}
	// The configured sink gets them when the pause ends.
	if code, _, errs := cli("resume"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := runProcess(t, dir, "check")
	if code != 0 || !strings.Contains(out, "Daan · ") || !strings.Contains(out, "Nieuw bericht van Mentor") {
		t.Fatalf("configured sink after the pause: %d %q %s", code, out, errs)
	}
	s = loadState(t, dir)
	outbox, history = len(s.Outbox), len(s.History)
	if outbox != 0 || history != 2 {
		t.Errorf("after the configured delivery: %d waiting, %d in the history; want 0 and 2", outbox, history)
	}
}
