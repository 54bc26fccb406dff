package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

// signedIn returns a state directory signed in to a fresh fake school as the
// parent, and a function running the CLI on it.
func signedIn(t *testing.T) (*magistertest.School, string, func(args ...string) (int, string, string)) {
	t.Helper()
	noKeyring(t)
	school := magistertest.Start(t)
	dir := t.TempDir()
	cli := cliOn(t, dir)
	signIn(t, school.URL, cli)
	// What a test delivers must not depend on the time of day it runs:
	// the default quiet hours hold notifications back in the evening.
	if code, _, errs := cli("config", "set", "quiet-hours", "off"); code != 0 {
		t.Fatalf("config set quiet-hours off: %s", errs)
	}
	return school, dir, cli
}

// cliOn returns a function that runs one command line in-process on the
// state directory dir and returns its exit code and output.
func cliOn(tb testing.TB, dir string) func(args ...string) (code int, stdout, stderr string) {
	return func(args ...string) (int, string, string) {
		return runCLI(tb, context.Background(), append([]string{"--state-dir", dir}, args...)...)
	}
}

// signIn signs in to the fake school at base as the parent, the way a user
// does: login --print-url, the browser's step, login --redirect-url. cli
// runs one command line on the state directory.
func signIn(tb testing.TB, base string, cli func(args ...string) (code int, stdout, stderr string)) {
	tb.Helper()
	code, out, errs := cli("login", "--school", "demo", "--base-url", base, "--print-url")
	if code != 0 {
		tb.Fatalf("login --print-url: exit %d: %s", code, errs)
	}
	if code, _, errs = cli("login", "--redirect-url", magistertest.SignIn(tb, strings.TrimSpace(out))); code != 0 {
		tb.Fatalf("login --redirect-url: exit %d: %s", code, errs)
	}
}

// loadState reads the state in dir; an error fails the test.
func loadState(t *testing.T, dir string) state.State {
	t.Helper()
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("bad jsonl line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestCheckBaselineThenNewGrade(t *testing.T) {
	school, dir, cli := signedIn(t)
	jsonl := configureJSONL(t, dir, cli)

	code, out, errs := cli("check")
	if code != 0 || !strings.Contains(out, "Anna: nothing new") || !strings.Contains(out, "Daan: nothing new") {
		t.Fatalf("baseline check: %d %q %s", code, out, errs)
	}
	if got := readLines(t, jsonl); len(got) != 0 {
		t.Fatalf("the baseline notified %d things", len(got))
	}
	if _, err := school.AddGrade(magistertest.GradeSpec{Child: "Daan", Value: "4,2", Weight: 2, Description: "Toets H3"}); err != nil {
		t.Fatal(err)
	}
	// A dry run shows it and changes nothing.
	code, out, _ = cli("check", "--dry-run")
	if code != 0 || !strings.Contains(out, "would notify: Daan · ") || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: %q", out)
	}
	code, out, errs = cli("check", "--json")
	var res checkResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Queued != 1 || res.Delivery == nil || res.Delivery.Delivered != 1 {
		t.Fatalf("check: %d %q %s", code, out, errs)
	}
	lines := readLines(t, jsonl)
	if len(lines) != 1 || !strings.HasPrefix(lines[0]["title"].(string), "Daan · ") || lines[0]["child"] != "Daan" ||
		!strings.HasSuffix(lines[0]["url"].(string), "/magister/#/cijfers") {
		t.Fatalf("jsonl: %v", lines)
	}
	// Once only.
	if code, _, _ = cli("check"); code != 0 || len(readLines(t, jsonl)) != 1 {
		t.Fatal("the grade was notified twice")
	}
	code, out, _ = cli("log")
	if code != 0 || !strings.Contains(out, "Daan · 4,2 for") {
		t.Fatalf("log: %q", out)
	}
}

func TestCheckFailureIsClear(t *testing.T) {
	school, _, cli := signedIn(t)
	school.Fail(magistertest.Failure{Status: 502, Count: 100, Body: "html"})
	code, _, errs := cli("check", "--sink", "stdout")
	if code == 0 || !strings.Contains(errs, "502") {
		t.Fatalf("check against a failing school: %d %q", code, errs)
	}
	code, out, _ := cli("status")
	if code != 0 || !strings.Contains(out, "failed (1 in a row)") {
		t.Fatalf("status after a failed check: %q", out)
	}
}

func TestCheckWithoutLogin(t *testing.T) {
	code, _, errs := runCLI(t, context.Background(), "--state-dir", t.TempDir(), "check")
	if code != exitLogin || !strings.Contains(errs, "log in first with `magister-notify login --school <school>`") {
		t.Fatalf("%d %q", code, errs)
	}
}

func TestNotifyTestThroughStdout(t *testing.T) {
	dir := t.TempDir()
	runCLI(t, context.Background(), "--state-dir", dir, "config", "set", "quiet-hours", "off")
	code, out, errs := runCLI(t, context.Background(), "--state-dir", dir, "notify", "test", "--sink", "stdout")
	if code != 0 || !strings.Contains(out, "magister-notify works") || !strings.Contains(out, "test notification was sent") {
		t.Fatalf("notify test: %d %q %s", code, out, errs)
	}
}

func TestFailingSinkKeepsEntriesAndStatusSaysSo(t *testing.T) {
	school, dir, cli := signedIn(t)
	if code, _, errs := cli("check", "--sink", "stdout"); code != 0 {
		t.Fatal(errs)
	}
	school.AddMessage("Anna", "Mentor", "Ouderavond")
	code, _, errs := cli("check", "--sink", "exec:exit 3")
	if code == 0 || !strings.Contains(errs, "exec") {
		t.Fatalf("check with a failing sink: %d %q", code, errs)
	}
	code, out, _ := cli("status")
	if code != 0 || !strings.Contains(out, "Not delivered") || !strings.Contains(out, "1 waiting") {
		t.Fatalf("status: %q", out)
	}
	// The sink recovers: the waiting message arrives, once.
	jsonl := filepath.Join(dir, "ok.jsonl")
	st, _ := state.Open(dir)
	st.Update(context.Background(), func(s *state.State) error {
		for i := range s.Outbox {
			s.Outbox[i].NextAttempt = time.Time{} // skip the backoff
		}
		return nil
	})
	if code, _, errs := cli("check", "--sink", "jsonl:"+jsonl); code != 0 {
		t.Fatal(errs)
	}
	if lines := readLines(t, jsonl); len(lines) != 1 || !strings.Contains(lines[0]["title"].(string), "Mentor") {
		t.Fatalf("after recovery: %v", lines)
	}
}

// TestCheckHelpIsExact: the help promises no more than delivery keeps.
func TestCheckHelpIsExact(t *testing.T) {
	code, out, _ := runCLI(t, context.Background(), "check", "--help")
	if code != 0 || strings.Contains(out, "nothing is ever shown twice") ||
		!strings.Contains(strings.Join(strings.Fields(out), " "), "a crash at the wrong moment can repeat one notification") {
		t.Errorf("check --help:\n%s", out)
	}
}

// TestNotifyTestIsNeverKept (issue 13, item 4): a test notification that
// cannot be shown is reported, and nothing is left to show later among the
// real notifications.
func TestNotifyTestIsNeverKept(t *testing.T) {
	dir := t.TempDir()
	for _, sink := range []string{"bogus", "exec:exit 3"} {
		code, _, errs := runCLI(t, context.Background(), "--state-dir", dir, "notify", "test", "--sink", sink)
		if code == 0 {
			t.Errorf("notify test --sink %s: exit 0", sink)
		}
		if errs == "" {
			t.Errorf("notify test --sink %s: no reason given", sink)
		}
		outbox := loadState(t, dir).Outbox
		if len(outbox) != 0 {
			t.Errorf("after notify test --sink %s, %d notifications wait to be shown later: %+v", sink, len(outbox), outbox)
		}
	}
	// Shown now, even in quiet hours (it is asked for).
	code, out, errs := runCLI(t, context.Background(), "--state-dir", dir, "notify", "test", "--sink", "stdout")
	if code != 0 || !strings.Contains(out, "magister-notify works") {
		t.Errorf("notify test --sink stdout: %d %q %s", code, out, errs)
	}
}

// TestResumeDigests (issue 13, item 2): what a pause held arrives as one
// digest after an explicit resume too, not as one notification each; a
// resume without a pause says so.
func TestResumeDigests(t *testing.T) {
	dutchLocale(t) // the notifications' Dutch words are what is checked
	school, _, cli := signedIn(t)
	cli("config", "set", "sinks", "stdout")
	if code, _, errs := cli("check"); code != 0 { // baseline
		t.Fatal(errs)
	}
	if code, _, errs := cli("pause", "1h"); code != 0 {
		t.Fatal(errs)
	}
	for i := range 5 {
		school.AddGrade(magistertest.GradeSpec{Child: "Anna", Value: fmt.Sprintf("%d,5", 5+i%4), Weight: 1})
		if code, _, errs := cli("check"); code != 0 {
			t.Fatal(errs)
		}
	}
	if code, out, _ := cli("resume"); code != 0 || !strings.Contains(out, "hervat") {
		t.Fatalf("resume: %d %q", code, out)
	}
	code, out, errs := cli("check")
	if code != 0 {
		t.Fatalf("check after resume: %d %s", code, errs)
	}
	alone := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "Anna · ") && !strings.Contains(line, "Sinds") {
			alone++
		}
	}
	if alone != 0 {
		t.Errorf("after resume, %d grades were shown one by one:\n%s", alone, out)
	}
	if !strings.Contains(out, "5 nieuwe cijfers") {
		t.Errorf("after resume, no digest of the 5 grades:\n%s", out)
	}
	if code, out, _ := cli("resume"); code != 0 || !strings.Contains(out, "Er was niets gepauzeerd") {
		t.Errorf("resume without a pause: %d %q", code, out)
	}
}

// TestFailedCheckSaysSoInPlainWords (issue 13, items 6 and 7): a check
// against an unreachable Magister says it failed, in words, without
// internals (--verbose has them); a Magister that does not answer is given
// up on after --timeout.
func TestFailedCheckSaysSoInPlainWords(t *testing.T) {
	school, _, cli := signedIn(t)
	if code, _, errs := cli("check", "--sink", "stdout"); code != 0 {
		t.Fatal(errs)
	}
	school.Fail(magistertest.Failure{DelayMs: 60_000, Count: 100})
	code, out, errs := cli("check", "--timeout", "1s")
	if code == 0 {
		t.Errorf("check against a Magister that does not answer: exit 0")
	}
	if !strings.Contains(errs, "the check failed: Magister did not answer in time") {
		t.Errorf("stderr %q, want that Magister did not answer in time", errs)
	}
	school.Close()
	code, out, errs = cli("check")
	if code == 0 {
		t.Errorf("check against an unreachable Magister: exit 0")
	}
	if strings.Contains(out, "nothing new") {
		t.Errorf("a failed check says nothing new:\n%s", out)
	}
	if !strings.Contains(out, "Anna: check failed: Magister cannot be reached") {
		t.Errorf("stdout %q, want Anna's check failed as unreachable", out)
	}
	if strings.Contains(out+errs, "127.0.0.1") || strings.Contains(out+errs, "dial tcp") {
		t.Errorf("internals without --verbose:\n%s%s", out, errs)
	}
	if !strings.Contains(errs, "Magister cannot be reached") {
		t.Errorf("stderr %q, want that Magister cannot be reached", errs)
	}
	_, out, _ = cli("check", "--verbose")
	if !strings.Contains(strings.ToLower(out), "connection refused") { // "connectex: Connection refused." on Windows
		t.Errorf("check --verbose does not give the details:\n%s", out)
	}
}

// TestNewGradeSaysItsAverage (issue 15): a new grade's notification says
// what it does to the subject's average, computed from the fake school's
// enrollment grades; a check without news asks nothing more of Magister.
func TestNewGradeSaysItsAverage(t *testing.T) {
	dutchLocale(t) // the notifications' Dutch words are what is checked
	school, _, cli := signedIn(t)
	if code, _, errs := cli("check", "--sink", "stdout"); code != 0 {
		t.Fatal(errs)
	}
	school.ResetRequests()
	if code, _, errs := cli("check", "--sink", "stdout"); code != 0 {
		t.Fatal(errs)
	}
	for _, r := range school.Requests() {
		if strings.Contains(r.Path, "aanmeldingen") {
			t.Errorf("a check without news asked %s", r.Path)
		}
	}
	average := func() float64 {
		var sum, weights float64
		for _, g := range school.Grades("Anna") {
			if f, ok := magister.ParseGradeValue(g.Value); ok && g.Current && g.Subject == "wisA" && g.Weight > 0 {
				sum, weights = sum+f*g.Weight, weights+g.Weight
			}
		}
		return sum / weights
	}
	before := average()
	if _, err := school.AddGrade(magistertest.GradeSpec{Child: "Anna", Subject: "wisA", Value: "9,4", Weight: 3}); err != nil {
		t.Fatal(err)
	}
	after := average()
	code, out, errs := cli("check", "--sink", "stdout")
	if code != 0 {
		t.Fatal(errs)
	}
	dutch := func(x float64) string { return strings.Replace(fmt.Sprintf("%.1f", x), ".", ",", 1) }
	if want := "gemiddelde " + dutch(before) + " → " + dutch(after); !strings.Contains(out, want) {
		t.Errorf("the notification does not say %q:\n%s", want, out)
	}
}

// TestEndedSignInIsAnnouncedOnce (issue 14, item 6): when Magister ends the
// sign-in, a notification says so once, however many checks follow.
func TestEndedSignInIsAnnouncedOnce(t *testing.T) {
	dutchLocale(t) // the notifications' Dutch words are what is checked
	school, dir, cli := signedIn(t)
	jsonl := configureJSONL(t, dir, cli)
	if code, _, errs := cli("check"); code != 0 {
		t.Fatal(errs)
	}
	school.RevokeRefreshTokens()
	school.ExpireAccessTokens()
	for range 3 {
		if code, _, _ := cli("check"); code != exitLogin {
			t.Fatalf("check with an ended sign-in: exit %d, want %d", code, exitLogin)
		}
	}
	var problems []string
	for _, l := range readLines(t, jsonl) {
		if l["kind"] == "problem" {
			problems = append(problems, l["title"].(string)+" | "+l["body"].(string))
		}
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "opnieuw inloggen") {
		t.Errorf("problem notifications %q, want one about signing in again", problems)
	}
	// The command it names works as given: with the school.
	if len(problems) == 1 && !strings.HasSuffix(problems[0], "magister-notify login --school demo") {
		t.Errorf("problem notification %q does not name the school to sign in to", problems[0])
	}
}

// TestPreviewThroughTheCLI (issue 15): with a test tomorrow, a check after
// the preview time sends "tomorrow at a glance" once.
func TestPreviewThroughTheCLI(t *testing.T) {
	dutchLocale(t) // the notifications' Dutch words are what is checked
	school, dir, cli := signedIn(t)
	jsonl := configureJSONL(t, dir, cli)
	cli("config", "set", "preview-time", "23:59") // the baseline comes before it
	if code, _, errs := cli("check"); code != 0 {
		t.Fatal(errs)
	}
	tomorrow := time.Now().AddDate(0, 0, 1)
	start := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 10, 0, 0, 0, time.Local)
	if _, err := school.AddAppointment("Anna", magistertest.AppointmentSpec{Start: start, Subject: "biol",
		InfoType: magister.InfoTest, Content: "<p>Hoofdstuk 5</p>"}); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli("config", "set", "preview-time", "00:00"); code != 0 {
		t.Fatal(errs)
	}
	for range 2 {
		if code, _, errs := cli("check"); code != 0 {
			t.Fatal(errs)
		}
	}
	var anna []string
	for _, l := range readLines(t, jsonl) {
		if title, _ := l["title"].(string); l["kind"] == state.KindPreview && strings.HasPrefix(title, "Anna · ") {
			anna = append(anna, title+" | "+fmt.Sprint(l["body"]))
		}
	}
	if len(anna) != 1 || !strings.Contains(anna[0], "Anna · Morgen") || !strings.Contains(anna[0], "Toets: Biologie") {
		t.Errorf("Anna's previews %q, want one, with her test tomorrow", anna)
	}
}
