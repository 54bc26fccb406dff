package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// TestOldItemsNeverAnnounced: the fake school holds what real schools hold,
// an unread message and grades from last school year. Five checks, each a
// real process, announce none of it; a new grade afterwards is announced
// exactly once.
func TestOldItemsNeverAnnounced(t *testing.T) {
	school, dir, _ := signedIn(t)
	jsonl := filepath.Join(dir, "seen.jsonl")
	check := func() string {
		t.Helper()
		cmd := cliProcess("--state-dir", dir, "check", "--sink", "jsonl:"+jsonl)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("check: %v\n%s", err, out)
		}
		return string(out)
	}
	for i := range 5 {
		check()
		if lines := readLines(t, jsonl); len(lines) != 0 {
			t.Fatalf("check %d announced %d things, among them %v", i+1, len(lines), lines[0]["title"])
		}
	}
	id, err := school.AddGrade(magistertest.GradeSpec{Child: "Anna", Subject: "wisA", Value: "7,7", Weight: 1, Description: "SO H5"})
	if err != nil {
		t.Fatal(err)
	}
	check()
	check()
	lines := readLines(t, jsonl)
	if len(lines) != 1 {
		t.Fatalf("after one new grade (kolom %d) the sink holds %d notifications, want 1: %v", id, len(lines), lines)
	}
	if title, _ := lines[0]["title"].(string); !strings.Contains(title, "7,7") {
		t.Errorf("the notification is %q, want the new grade 7,7", title)
	}
}
