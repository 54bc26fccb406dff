package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

// The tests in this file run `check` as real processes against the fake
// school over loopback HTTP.

// runProcess runs the CLI as a separate process on dir and returns its exit
// code and output.
func runProcess(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return process(t, "", append([]string{"--state-dir", dir}, args...)...)
}

// changes lists the jsonl records of kind as "change title | body".
func changes(t *testing.T, path, kind string) []string {
	t.Helper()
	var out []string
	for _, l := range readLines(t, path) {
		if l["kind"] == kind {
			body, _ := l["body"].(string)
			out = append(out, fmt.Sprintf("%v %v | %s", l["change"], l["title"], body))
		}
	}
	return out
}

// TestStaleCheckDoesNotUndoACorrection: check A reads a grade and is then
// kept waiting on the timetable; check B, started later, reads the
// teacher's correction and commits it. A's older data must not be diffed:
// no "8,0, was 6,0" reported back as a correction to 6,0, and no second
// announcement of the correction at the next check.
func TestStaleCheckDoesNotUndoACorrection(t *testing.T) {
	dutchLocale(t) // the notifications' Dutch words are what is checked
	school, dir, cli := signedIn(t)
	jsonl := filepath.Join(dir, "out.jsonl")
	sink := "jsonl:" + jsonl
	if code, _, errs := cli("config", "set", "sinks", sink); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := cli("check"); code != 0 { // baseline
		t.Fatal(errs)
	}
	kolom, err := school.AddGrade(magistertest.GradeSpec{Child: "Anna", Value: "6,0", Weight: 1, Description: "Stale"})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli("check"); code != 0 {
		t.Fatal(errs)
	}

	// A: reads Anna's grades (6,0), then waits on Anna's timetable.
	arrived, release := school.Hold("/afspraken")
	t.Cleanup(release)
	a := cliProcess("--state-dir", dir, "check")
	var aOut strings.Builder
	a.Stdout, a.Stderr = &aOut, &aOut
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	waitDone := make(chan error, 1)
	go func() { waitDone <- a.Wait() }()
	select {
	case <-arrived:
	case err := <-waitDone:
		t.Fatalf("check A ended before it reached the timetable: %v: %s", err, aOut.String())
	}
	// The teacher corrects the grade; B sees it and commits it.
	if err := school.CorrectGrade(kolom, "8,0"); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runProcess(t, dir, "check"); code != 0 {
		t.Fatalf("check B: %s", errs)
	}
	release()
	if err := <-waitDone; err != nil {
		t.Fatalf("check A: %v: %s", err, aOut.String())
	}
	// C: a later check has nothing to say.
	if code, _, errs := runProcess(t, dir, "check"); code != 0 {
		t.Fatalf("check C: %s", errs)
	}

	got := changes(t, jsonl, state.KindGrades)
	want := []string{
		"new Anna · 6,0 voor Nederlandse taal | Stale · weging 1 · gemiddelde 5,9 → 6,0",
		"corrected Anna · 8,0 voor Nederlandse taal (was 6,0) | Stale · weging 1 · gemiddelde 6,0 → 6,5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("grade notifications:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheckAnnouncesMoreThanAPageOfNewGrades: 60 grades entered between two
// checks are 60 notifications, not the newest 50.
func TestCheckAnnouncesMoreThanAPageOfNewGrades(t *testing.T) {
	school, dir, _, jsonl := baselined(t)
	const n = 60
	for i := range n {
		if _, err := school.AddGrade(magistertest.GradeSpec{Child: "Daan", Value: "7,0", Weight: 1,
			Description: fmt.Sprintf("Scenario %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := runProcess(t, dir, "check")
	if code != 0 {
		t.Fatalf("check: %d %s", code, errs)
	}
	counts := countTags(t, jsonl)
	for i := range n {
		if c := counts[fmt.Sprint(i)]; c != 1 {
			t.Errorf("grade %d announced %d times, want once", i, c)
		}
	}
	if strings.Contains(out, "niet gelezen") {
		t.Errorf("the check says it was cut short: %q", out)
	}
}

// TestCheckGatewayPageStopsTheAccount: a gateway that answers every request
// with an HTML page and status 200 costs one round of retries, as a 503
// does, and not a round for every endpoint of every child.
func TestCheckGatewayPageStopsTheAccount(t *testing.T) {
	school, dir, cli := signedIn(t)
	if code, _, errs := cli("check", "--sink", "stdout"); code != 0 {
		t.Fatal(errs)
	}
	school.ResetRequests()
	school.Fail(magistertest.Failure{Status: 200, Body: "html", Count: 1000})
	start := time.Now()
	code, _, errs := runProcess(t, dir, "check", "--sink", "stdout")
	elapsed := time.Since(start)
	n := len(magistertest.RequestsTo(school, "/api/"))
	t.Logf("HTML page with status 200: %d API requests in %v", n, elapsed.Round(100*time.Millisecond))
	if code == 0 || !strings.Contains(errs, "HTML page instead of JSON") || !strings.Contains(errs, "try again later") {
		t.Errorf("check against a gateway page: exit %d, stderr %q", code, errs)
	}
	if n != 4 {
		t.Errorf("%d API requests, want 4: one and three retries, then the account is left alone", n)
	}
}
