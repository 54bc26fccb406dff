package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/testenv"
	"github.com/magister-notify/magister-notify/state"
)

// demoEnv keeps the demo away from the desktop and the real temp directory.
func demoEnv(t *testing.T) (tmp string) {
	t.Helper()
	noKeyring(t)
	tmp = t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	// English by the locale; no state of the user's own has a say in it.
	t.Setenv("MAGISTER_NOTIFY_HOME", filepath.Join(t.TempDir(), "none"))
	t.Setenv("LANG", "en_US.UTF-8")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	return tmp
}

// fastDemo is the demo's timeline shrunk from a minute to well under a
// second: checks every 150 ms, the school's three events 50 ms apart.
func fastDemo() demoOptions {
	return demoOptions{
		noTray:   true,
		interval: 150 * time.Millisecond,
		startup:  time.Millisecond,
		events:   [3]time.Duration{20 * time.Millisecond, 70 * time.Millisecond, 120 * time.Millisecond},
	}
}

// runFastDemo runs the demo until its three notifications are printed (or
// 20 s pass) and returns what it printed.
func runFastDemo(t *testing.T, o demoOptions) string {
	t.Helper()
	var out, errb testenv.Buffer
	a := &app{stdout: &out, stderr: &errb}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	wants := []string{"Anna · 8,3 for Wiskunde A", "Daan · ", "New message from Mentor — Ouderavond donderdag"}
	go func() {
		for ctx.Err() == nil {
			all := true
			for _, w := range wants {
				all = all && strings.Contains(out.String(), w)
			}
			if all {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	if err := a.runDemo(ctx, o); err != nil {
		t.Fatalf("demo: %v\n%s%s", err, out.String(), errb.String())
	}
	got := out.String()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("the demo did not print %q:\n%s%s", w, got, errb.String())
		}
	}
	return got
}

func TestDemoNoTrayPrintsEachNotification(t *testing.T) {
	tmp := demoEnv(t)
	out := runFastDemo(t, fastDemo())
	for _, w := range []string{"a fake school runs at http://127.0.0.1:", "parent of Anna and Daan",
		"[demo] the school enters a new grade for Anna", "The demo ends: 3 notifications were shown."} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	// Each notification exactly once.
	if n := strings.Count(out, "8,3 for Wiskunde A"); n != 1 {
		t.Errorf("the grade was printed %d times", n)
	}
	// The throw-away state is gone.
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the demo left %v behind in the temp directory", left)
	}
}

func TestDemoKeepLeavesTheState(t *testing.T) {
	tmp := demoEnv(t)
	o := fastDemo()
	o.keep = true
	out := runFastDemo(t, o)
	left, _ := os.ReadDir(tmp)
	if len(left) != 1 || !strings.HasPrefix(left[0].Name(), "magister-notify-demo-") {
		t.Fatalf("--keep left %v", left)
	}
	dir := filepath.Join(tmp, left[0].Name())
	if !strings.Contains(out, "kept in "+dir) {
		t.Errorf("the kept directory is not named:\n%s", out)
	}
	if s := loadState(t, dir); len(s.History) != 3 || !s.Settings.QuietHours.Off || len(s.Accounts) != 1 || s.Settings.Language != "en" {
		t.Errorf("kept state: %d history, quiet hours %+v, %d accounts, language %q",
			len(s.History), s.Settings.QuietHours, len(s.Accounts), s.Settings.Language)
	}
	// The demo's tokens stayed in its own directory, not in a keyring.
	if _, err := os.Stat(filepath.Join(dir, "tokens.json")); err != nil {
		t.Errorf("tokens.json: %v", err)
	}
}

// TestDemoCommandForStops runs the real command line: --for ends it, and
// it says what it did.
func TestDemoCommandForStops(t *testing.T) {
	tmp := demoEnv(t)
	code, out, errs := runCLI(t, context.Background(), "demo", "--no-tray", "--for", "300ms")
	if code != 0 || !strings.Contains(out, "The demo ends: 0 notifications were shown.") {
		t.Fatalf("demo --for 300ms: code %d\n%s%s", code, out, errs)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the demo left %v behind", left)
	}
}

func TestChildNames(t *testing.T) {
	acct := func(names ...string) state.Account {
		var a state.Account
		for _, n := range names {
			a.Children = append(a.Children, state.Child{FirstName: n})
		}
		return a
	}
	for _, c := range []struct {
		lang, want string
		acct       state.Account
	}{
		{"en", "nobody", acct()}, {"en", "Sem", acct("Sem")}, {"en", "Anna and Daan", acct("Anna", "Daan")},
		{"en", "A, B and C", acct("A", "B", "C")},
		{"nl", "niemand", acct()}, {"nl", "Anna en Daan", acct("Anna", "Daan")}, {"nl", "A, B en C", acct("A", "B", "C")},
	} {
		if got := childNames(c.acct, c.lang); got != c.want {
			t.Errorf("childNames(%s) = %q; want %q", c.lang, got, c.want)
		}
	}
}

// TestDemoAutostartSpeaksTheMenuLanguage (issue 14, item 11): the Dutch
// menu does not say "(not in the demo)".
func TestDemoAutostartSpeaksTheMenuLanguage(t *testing.T) {
	for lang, want := range map[string]string{"nl": "niet in de demo", "en": "not in the demo"} {
		_, available, why, err := demoAutostart{lang: lang}.Status(context.Background())
		if err != nil || available || why != want {
			t.Errorf("%s: available %v, why %q (%v); want %q", lang, available, why, err, want)
		}
	}
}
