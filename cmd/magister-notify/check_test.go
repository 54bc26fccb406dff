package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

// signedIn returns a state directory signed in to a fresh fake school as the
// parent, and a function running the CLI on it.
func signedIn(t *testing.T) (*magistertest.School, string, func(args ...string) (int, string, string)) {
	t.Helper()
	noKeyring(t)
	school := magistertest.New()
	t.Cleanup(school.Close)
	dir := t.TempDir()
	cli := func(args ...string) (int, string, string) {
		return runCLI(t, context.Background(), append([]string{"--state-dir", dir}, args...)...)
	}
	code, out, errs := cli("login", "--school", "demo", "--base-url", school.URL, "--print-url")
	if code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs = cli("login", "--redirect-url", browserLogin(t, strings.TrimSpace(out))); code != 0 {
		t.Fatal(errs)
	}
	return school, dir, cli
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
	jsonl := filepath.Join(dir, "out.jsonl")
	if code, _, errs := cli("config", "set", "sinks", "jsonl:"+jsonl); code != 0 {
		t.Fatal(errs)
	}

	code, out, errs := cli("check")
	if code != 0 || !strings.Contains(out, "Anna: niets nieuws") || !strings.Contains(out, "Daan: niets nieuws") {
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
	if code != 0 || !strings.Contains(out, "would notify: Daan: Nieuw cijfer") || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: %q", out)
	}
	code, out, errs = cli("check", "--json")
	var res checkResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Queued != 1 || res.Delivery == nil || res.Delivery.Delivered != 1 {
		t.Fatalf("check: %d %q %s", code, out, errs)
	}
	lines := readLines(t, jsonl)
	if len(lines) != 1 || !strings.HasPrefix(lines[0]["title"].(string), "Daan: Nieuw cijfer") || lines[0]["child"] != "Daan" ||
		!strings.HasSuffix(lines[0]["url"].(string), "/magister/#/cijfers") {
		t.Fatalf("jsonl: %v", lines)
	}
	// Once only.
	if code, _, _ = cli("check"); code != 0 || len(readLines(t, jsonl)) != 1 {
		t.Fatal("the grade was notified twice")
	}
	code, out, _ = cli("log")
	if code != 0 || !strings.Contains(out, "Daan: Nieuw cijfer") {
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
	if code != 0 || !strings.Contains(out, "magister-notify werkt") || !strings.Contains(out, "test notification was sent") {
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
