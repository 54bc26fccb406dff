package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

func TestConfigSetGetAndErrors(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	ok := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, ctx, append([]string{"--state-dir", dir}, args...)...)
		if code != 0 {
			t.Fatalf("%v: code %d, %s", args, code, errs)
		}
		return out
	}
	bad := func(want string, args ...string) {
		t.Helper()
		code, _, errs := runCLI(t, ctx, append([]string{"--state-dir", dir}, args...)...)
		if code == 0 || !strings.Contains(errs, want) {
			t.Fatalf("%v: code %d, stderr %q, want %q", args, code, errs, want)
		}
	}
	ok("config", "set", "interval", "20m")
	ok("config", "set", "quiet-hours", "21:30-06:45")
	ok("config", "set", "notify.homework", "off")
	ok("config", "set", "sinks", "stdout,jsonl:/tmp/x.jsonl")
	ok("config", "set", "look-ahead", "3d")
	bad("too short", "config", "set", "interval", "1m")
	bad("HH:MM-HH:MM", "config", "set", "quiet-hours", "late")
	bad("unknown sink", "config", "set", "sinks", "pager")
	bad("unknown setting", "config", "set", "volume", "11")
	bad("use nl, en or auto", "config", "set", "language", "fr")

	var values map[string]string
	if err := json.Unmarshal([]byte(ok("config", "list", "--json")), &values); err != nil {
		t.Fatal(err)
	}
	jsonl, _ := filepath.Abs("/tmp/x.jsonl") // resolved when set ("Z:\\tmp\\x.jsonl" under Wine)
	want := map[string]string{"interval": "20m", "quiet-hours": "21:30-06:45", "notify.homework": "off",
		"notify.grades": "on", "sinks": "stdout,jsonl:" + jsonl, "look-ahead": "3d", "language": "auto (en)"}
	for k, v := range want {
		if values[k] != v {
			t.Errorf("%s = %q, want %q", k, values[k], v)
		}
	}
	if got := strings.TrimSpace(ok("config", "get", "interval")); got != "20m" {
		t.Errorf("config get interval = %q", got)
	}
	// A failed set changed nothing.
	s := loadState(t, dir)
	if got := time.Duration(s.Settings.Interval); got != 20*time.Minute {
		t.Errorf("interval after failed sets = %v, want 20m", got)
	}
	if s.Settings.Language != "" {
		t.Errorf("language after a refused set = %q, want unset", s.Settings.Language)
	}
}

func TestConfigPerChild(t *testing.T) {
	dir := t.TempDir()
	st, _ := state.Open(dir)
	st.Update(context.Background(), func(s *state.State) error {
		s.Accounts = []state.Account{{Key: "k", Children: []state.Child{{ID: 1, FirstName: "Anna"}, {ID: 2, FirstName: "Daan"}}}}
		return nil
	})
	for _, args := range [][]string{{"privacy.anna", "minimal"}, {"child.Daan", "off"}} {
		if code, _, errs := runCLI(t, context.Background(), append([]string{"--state-dir", dir, "config", "set"}, args...)...); code != 0 {
			t.Fatal(errs)
		}
	}
	s, err := st.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := s.Accounts[0].Children
	if c[0].Privacy != state.PrivacyMinimal {
		t.Errorf("Anna's privacy = %q, want minimal", c[0].Privacy)
	}
	if c[0].Muted {
		t.Error("Anna muted; only Daan was switched off")
	}
	if !c[1].Muted {
		t.Error("Daan not muted after child.Daan off")
	}
}

func TestPauseResume(t *testing.T) {
	dir := t.TempDir()
	code, out, _ := runCLI(t, context.Background(), "--state-dir", dir, "pause", "2h", "--json")
	var p pauseInfo
	if code != 0 {
		t.Fatalf("pause 2h: exit code %d", code)
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("pause --json printed %q: %v", out, err)
	}
	if !p.Paused {
		t.Errorf("pause --json says paused = false: %q", out)
	}
	if p.Until == nil || time.Until(*p.Until) < 119*time.Minute {
		t.Errorf("pause 2h: until %v, want about 2h from now", p.Until)
	}
	if code, _, _ := runCLI(t, context.Background(), "--state-dir", dir, "pause", "soon"); code == 0 {
		t.Fatal("pause accepted nonsense")
	}
	code, out, _ = runCLI(t, context.Background(), "--state-dir", dir, "resume")
	if code != 0 {
		t.Fatalf("resume: exit code %d", code)
	}
	if !strings.Contains(out, "resumed") {
		t.Errorf("resume printed %q, want it to say resumed", out)
	}
	if loadState(t, dir).Settings.Paused(time.Now()) {
		t.Error("still paused")
	}
}

func TestLogReadsWithoutConsuming(t *testing.T) {
	dir := t.TempDir()
	st, _ := state.Open(dir)
	now := time.Now()
	st.Update(context.Background(), func(s *state.State) error {
		s.History = []state.Entry{{ID: "1", Title: "Nieuw cijfer: Wiskunde 7,5", Body: "Proefwerk", Delivered: now.Add(-time.Hour)},
			{ID: "2", Title: "Les uitgevallen: Engels", Delivered: now}}
		s.Outbox = []state.Entry{{ID: "3", Title: "Nieuw bericht", LastError: "desktop: no notification daemon"}}
		return nil
	})
	for range 2 {
		code, out, _ := runCLI(t, context.Background(), "--state-dir", dir, "log", "--json")
		var got []state.Entry
		if code != 0 || json.Unmarshal([]byte(out), &got) != nil || len(got) != 2 || got[0].ID != "2" {
			t.Fatalf("log --json: %q", out)
		}
	}
	code, out, _ := runCLI(t, context.Background(), "--state-dir", dir, "log", "--pending")
	if code != 0 || !strings.Contains(out, "Nieuw bericht") || !strings.Contains(out, "no notification daemon") {
		t.Fatalf("log --pending: %q", out)
	}
	code, out, _ = runCLI(t, context.Background(), "--state-dir", dir, "log", "-n", "1")
	if code != 0 || !strings.Contains(out, "Engels") || strings.Contains(out, "Wiskunde") {
		t.Fatalf("log -n 1: %q", out)
	}
}

// TestJSONLSinkPathIsResolvedWhenConfigured (issue 13, item 5): a relative
// or "~/" path means the same file whichever directory a later check runs
// in, and a path that cannot work is refused when it is set.
func TestJSONLSinkPathIsResolvedWhenConfigured(t *testing.T) {
	school, dir, _ := signedIn(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home) // Windows' home directory
	work := t.TempDir()
	set := func(value string) (int, string) {
		t.Helper()
		cmd := cliProcess("--state-dir", dir, "config", "set", "sinks", value)
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 1, string(out)
		}
		return 0, string(out)
	}
	if code, out := set("jsonl:relative.jsonl,jsonl:~/home.jsonl"); code != 0 {
		t.Fatalf("config set sinks: %s", out)
	}
	if code, out := set("jsonl:no-such-dir/x.jsonl"); code == 0 || !strings.Contains(out, "does not exist") {
		t.Errorf("a jsonl file in a missing directory was accepted: %s", out)
	}
	check := cliProcess("--state-dir", dir, "check")
	check.Dir = t.TempDir() // elsewhere
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("baseline check: %v %s", err, out)
	}
	school.AddGrade(magistertest.GradeSpec{Child: "Anna", Value: "7,3", Weight: 1})
	check = cliProcess("--state-dir", dir, "check")
	check.Dir = t.TempDir()
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("check: %v %s", err, out)
	}
	for _, f := range []string{filepath.Join(work, "relative.jsonl"), filepath.Join(home, "home.jsonl")} {
		if lines := readLines(t, f); len(lines) != 1 {
			t.Errorf("%s holds %d notifications, want the new grade", f, len(lines))
		}
	}
}

// TestSettingBounds (issue 13, item 12): values that cannot be meant are
// refused with a reason; a value starting with "-" is a value, not a flag;
// `config get` alone lists the settings; `config set --help` names the keys.
func TestSettingBounds(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"config", "set", "interval", "1000h"}, "at most 24h"},
		{[]string{"config", "set", "interval", "-5m"}, "is not a duration"},
		{[]string{"config", "set", "quiet-hours", "22:00-22:00"}, "same time"},
		{[]string{"pause", "10000h"}, "at most 30d"},
	} {
		code, _, errs := runCLI(t, context.Background(), append([]string{"--state-dir", dir}, tc.args...)...)
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, %q; want a refusal saying %q", tc.args, code, errs, tc.want)
		}
	}
	code, out, _ := runCLI(t, context.Background(), "--state-dir", dir, "config", "get")
	if code != 0 || !strings.Contains(out, "interval") || !strings.Contains(out, "quiet-hours") {
		t.Errorf("config get without a key: %d %q", code, out)
	}
	code, out, _ = runCLI(t, context.Background(), "config", "set", "--help")
	if code != 0 || !strings.Contains(out, "5m to 24h") || !strings.Contains(out, "homework-reminder") {
		t.Errorf("config set --help does not list the keys: %q", out)
	}
}
