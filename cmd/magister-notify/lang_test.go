package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// dutchLocale makes t's CLI runs, in this process and in the processes it
// starts, speak Dutch by the locale (TestMain sets English for the rest).
func dutchLocale(t *testing.T) {
	t.Helper()
	t.Setenv("LANG", "nl_NL.UTF-8")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
}

// processIn runs the CLI as a real process with LANG=lang and no other
// locale variable, and returns its exit code and stdout and stderr together.
func processIn(t *testing.T, lang string, args ...string) (code int, out string) {
	t.Helper()
	cmd := cliProcess(args...)
	cmd.Env = append(cmd.Env, "LANG="+lang, "LC_ALL=", "LC_MESSAGES=")
	b, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run %v: %v", args, err)
	}
	return code, string(b)
}

// Words that give a language away in the CLI's output. School data (subject
// names) is Dutch in both languages, so none of these is a subject.
var (
	englishWords = []string{"nothing new", "dry run", "would notify", "Last check", "Notifications", "paused until",
		"resumed", "give how many", "nobody", "did you mean", " is now ", "not running", "Tracking", "sign in"}
	dutchWords = []string{"niets nieuws", "proefrun", "zou melden", "Laatste controle", "Meldingen", "gepauzeerd",
		"hervat", "geef op", "niemand", "bedoel je", " is nu ", "niet actief", "Volgt", "ingelogd"}
)

// TestCLISpeaksOneLanguage (issue 13, item 8): with the language setting
// unset, everything the CLI says — check, its dry-run note, status, config,
// pause and resume, errors and "did you mean" — is in the locale's language,
// and only in that one. On the main branch before this change the framing
// was English whatever the locale, and check's lines Dutch.
func TestCLISpeaksOneLanguage(t *testing.T) {
	school, dir, cli := signedIn(t)
	if code, _, errs := cli("check", "--sink", "stdout"); code != 0 { // the baseline
		t.Fatal(errs)
	}
	if _, err := school.AddGrade(magistertest.GradeSpec{Child: "Daan", Value: "4,2", Weight: 2}); err != nil {
		t.Fatal(err)
	}
	nobody := t.TempDir() // a state directory nobody signed in to
	for _, c := range []struct {
		lang    string
		own     []string // words of its own language
		foreign []string // words of the other
		want    map[string][]string
	}{
		{"nl_NL.UTF-8", dutchWords, englishWords, map[string][]string{
			"check":  {"Anna: niets nieuws", "zou melden: Daan · 4,2 voor", "(proefrun: niets is als gezien gemarkeerd of afgeleverd)"},
			"status": {"Laatste controle", "Meldingen", "Tray"},
			"config": {"auto (nl)"},
			"pause":  {"Meldingen gepauzeerd tot"},
			"resume": {"Meldingen hervat"},
			"grades": {"-n 0: geef op hoeveel cijfers per kind"},
			"nobody": {"er is nog niemand ingelogd: log eerst in met"},
			"typo":   {`onbekende opdracht "lst"`, "bedoel je list?"},
		}},
		{"en_US.UTF-8", englishWords, dutchWords, map[string][]string{
			"check":  {"Anna: nothing new", "would notify: Daan · 4,2 for", "(dry run: nothing was marked as seen or delivered)"},
			"status": {"Last check", "Notifications", "Tray"},
			"config": {"auto (en)"},
			"pause":  {"Notifications paused until"},
			"resume": {"Notifications resumed"},
			"grades": {"-n 0: give how many grades to show per child"},
			"nobody": {"nobody is signed in yet: log in first with"},
			"typo":   {`unknown command "lst"`, "did you mean list?"},
		}},
	} {
		for _, r := range []struct {
			name string
			args []string
		}{ // in this order: resume after pause
			{"check", []string{"--state-dir", dir, "check", "--dry-run"}},
			{"status", []string{"--state-dir", dir, "status"}},
			{"config", []string{"--state-dir", dir, "config", "list"}},
			{"pause", []string{"--state-dir", dir, "pause", "1h"}},
			{"resume", []string{"--state-dir", dir, "resume"}},
			{"grades", []string{"--state-dir", dir, "grades", "-n", "0"}},
			{"nobody", []string{"--state-dir", nobody, "check"}},
			{"typo", []string{"--state-dir", dir, "config", "lst"}},
		} {
			name := r.name
			_, out := processIn(t, c.lang, r.args...)
			for _, w := range c.want[name] {
				if !strings.Contains(out, w) {
					t.Errorf("LANG=%s %s: output lacks %q:\n%s", c.lang, name, w, out)
				}
			}
			for _, w := range c.foreign {
				if strings.Contains(out, w) {
					t.Errorf("LANG=%s %s: output says %q, of the other language:\n%s", c.lang, name, w, out)
				}
			}
		}
	}
}

// TestConfigShowsAutoLanguage (issue 13, item 8): an unset language is
// shown as auto with what the locale makes of it; C.UTF-8 names no language
// and gives the default, Dutch; `config set language auto` goes back to it.
func TestConfigShowsAutoLanguage(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	get := func() string {
		t.Helper()
		code, out, errs := runCLI(t, ctx, "--state-dir", dir, "config", "get", "language")
		if code != 0 {
			t.Fatalf("config get language: %d %s", code, errs)
		}
		return strings.TrimSpace(out)
	}
	for lang, want := range map[string]string{"nl_NL.UTF-8": "auto (nl)", "en_US.UTF-8": "auto (en)", "C.UTF-8": "auto (nl)", "POSIX": "auto (nl)"} {
		t.Setenv("LANG", lang)
		if got := get(); got != want {
			t.Errorf("LANG=%s: config get language = %q; want %q", lang, got, want)
		}
		if _, out, _ := runCLI(t, ctx, "--state-dir", dir, "config", "list"); !strings.Contains(out, "language") ||
			!strings.Contains(out, want) {
			t.Errorf("LANG=%s: config list does not show language %s:\n%s", lang, want, out)
		}
	}
	t.Setenv("LANG", "nl_NL.UTF-8")
	if code, out, errs := runCLI(t, ctx, "--state-dir", dir, "config", "set", "language", "en"); code != 0 ||
		strings.TrimSpace(out) != "language is now en" {
		t.Fatalf("config set language en: %d %q %s; want it confirmed in English, the new language", code, out, errs)
	}
	if got := get(); got != "en" {
		t.Errorf("after set en: config get language = %q; want en", got)
	}
	if code, out, errs := runCLI(t, ctx, "--state-dir", dir, "config", "set", "language", "auto"); code != 0 ||
		strings.TrimSpace(out) != "language is nu auto (nl)" {
		t.Fatalf("config set language auto: %d %q %s; want it confirmed in Dutch, the locale's", code, out, errs)
	}
}

// TestSettingBeatsLocaleAndDamageFallsBack: the language setting in the
// state file wins over the locale, also for a command that fails before it
// reads the state; a damaged state file leaves the locale to decide, fails
// no command, and is not touched by the lookup.
func TestSettingBeatsLocaleAndDamageFallsBack(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if code, _, errs := runCLI(t, ctx, "--state-dir", dir, "config", "set", "language", "en"); code != 0 {
		t.Fatal(errs)
	}
	dutchLocale(t)
	if code, _, errs := runCLI(t, ctx, "--state-dir", dir, "grades", "-n", "0"); code != exitUsage ||
		!strings.Contains(errs, "give how many grades") {
		t.Errorf("grades -n 0 with language en under a Dutch locale: %d %q; want the English usage error", code, errs)
	}
	path := filepath.Join(dir, "state.json")
	damaged := []byte(`{"version":1,"settings":{"language":"en"`)
	if err := os.WriteFile(path, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, ctx, "--state-dir", dir, "grades", "-n", "0"); code != exitUsage ||
		!strings.Contains(errs, "geef op hoeveel cijfers") {
		t.Errorf("grades -n 0 on a damaged state under a Dutch locale: %d %q; want the Dutch usage error", code, errs)
	}
	if got, _ := os.ReadFile(path); string(got) != string(damaged) {
		t.Errorf("the language lookup changed the damaged state file to %q", got)
	}
}

// TestRefusedSettingsInDutch: a value a setting does not take is refused
// in the CLI's language, with state's own words for its rules, and nothing
// is changed.
func TestRefusedSettingsInDutch(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	dutchLocale(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"config", "set", "interval", "1m"}, "interval 1m is te kort: minstens 5m"},
		{[]string{"config", "set", "quiet-hours", "late"}, `stille uren "late": gebruik UU:MM-UU:MM`},
		{[]string{"config", "set", "notify.grades", "maybe"}, `"maybe": gebruik on of off`},
		{[]string{"config", "set", "language", "fr"}, `taal "fr": gebruik nl, en of auto`},
		{[]string{"config", "set", "sinks", "pager"}, `ongeldige waarde "pager" voor sinks (`},
		{[]string{"pause", "10000h"}, "pauze 10000h: hoogstens 30d"},
	} {
		code, _, errs := runCLI(t, ctx, append([]string{"--state-dir", dir}, c.args...)...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: %d %q; want a refusal saying %q", c.args, code, errs, c.want)
		}
		for _, w := range []string{"too short", "use on or off", "at most"} {
			if strings.Contains(errs, w) {
				t.Errorf("%v: %q says %q in English", c.args, errs, w)
			}
		}
	}
	if _, out, _ := runCLI(t, ctx, "--state-dir", dir, "config", "get", "interval"); strings.TrimSpace(out) != "15m" {
		t.Errorf("interval after refused sets = %q; want the default, 15m", out)
	}
}
