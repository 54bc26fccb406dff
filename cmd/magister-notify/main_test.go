package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/installer"
	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
)

// runCLI runs one command line in-process and returns its exit code and output.
func runCLI(t testing.TB, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, context.Background(), "version", "--json")
	var v versionInfo
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v.Version == "" || v.Schema != state.SchemaVersion {
		t.Fatalf("version --json: code %d, %q", code, out)
	}
}

func TestStatusFreshAndJSON(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, context.Background(), "--state-dir", dir, "status")
	if code != 0 || !strings.Contains(out, filepath.Join(dir, "state.json")+" (schema 1)") ||
		!strings.Contains(out, "never") || !strings.Contains(out, "not running") {
		t.Fatalf("status: code %d\n%s%s", code, out, errs)
	}

	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(-time.Minute).Round(time.Second)
	err = st.Update(context.Background(), func(s *state.State) error {
		s.Accounts = []state.Account{{Key: "k", School: "demo", Children: []state.Child{
			{ID: 1, FirstName: "Anna", Seen: map[string]*state.SeenSet{state.KindGrades: {Baselined: true,
				Items: map[string]state.SeenItem{"1": {}, "2": {}, "3": {}}}}},
			{ID: 2, FirstName: "Daan"},
		}}}
		s.Outbox = []state.Entry{{ID: "e1", Title: "x"}}
		s.Health = state.Health{LastAttempt: now, LastError: "Magister unreachable", ConsecutiveFailures: 2}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("MAGISTER_NOTIFY_HOME", dir) // the environment variable works like --state-dir
	code, out, _ = runCLI(t, context.Background(), "status", "--json")
	var info statusInfo
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
		t.Fatalf("status --json: code %d, %q", code, out)
	}
	if info.StateDir != dir || info.Accounts != 1 || info.Children != 2 || info.Seen != 3 || info.Pending != 1 ||
		info.LastError != "Magister unreachable" || info.Failures != 2 || info.LastAttempt == nil || !info.LastAttempt.Equal(now) {
		t.Fatalf("status --json = %+v", info)
	}
	code, out, _ = runCLI(t, context.Background(), "status")
	if code != 0 || !strings.Contains(out, "failed (2 in a row)") || !strings.Contains(out, "Magister unreachable") {
		t.Fatalf("status after failures:\n%s", out)
	}
}

func TestStatusReportsQuarantine(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(`{"version":1,"accounts":`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, context.Background(), "--state-dir", dir, "status")
	if code != 0 || !strings.Contains(out, "Damaged state") || !strings.Contains(out, "truncated") ||
		!strings.Contains(out, "Quarantined file") {
		t.Fatalf("status: code %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCLI(t, context.Background(), "--state-dir", dir, "status", "--json")
	var info statusInfo
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil || len(info.Quarantined) != 1 || len(info.Files) != 1 {
		t.Fatalf("status --json after quarantine: %q", out)
	}
}

func TestStatusNewerVersion(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "state.json"), []byte(`{"version":999}`), 0o600)
	code, _, errs := runCLI(t, context.Background(), "--state-dir", dir, "status")
	if code != exitNewer || !strings.Contains(errs, "update magister-notify") {
		t.Fatalf("code %d, stderr %q", code, errs)
	}
}

func TestStatusWhileLocked(t *testing.T) {
	dir := t.TempDir()
	release := holdState(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	code, _, errs := runCLI(t, ctx, "--state-dir", dir, "status")
	release()
	want := fmt.Sprintf("state is locked by pid %d (magister-notify tray) since ", os.Getpid())
	if code != exitLocked || !strings.Contains(errs, want) {
		t.Fatalf("code %d, stderr %q, want %q", code, errs, want)
	}
}

// holdState holds the state in dir under its exclusive lock, as a tray in
// the middle of a change does, until release is called.
func holdState(t *testing.T, dir string) (release func()) {
	t.Helper()
	st, err := state.Open(dir, state.WithOwner("magister-notify tray"))
	if err != nil {
		t.Fatal(err)
	}
	locked, unlock, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- st.Update(context.Background(), func(*state.State) error {
			close(locked)
			<-unlock
			return nil
		})
	}()
	<-locked
	return func() {
		close(unlock)
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestUnknownCommandFails(t *testing.T) {
	code, _, errs := runCLI(t, context.Background(), "frobnicate")
	if code == 0 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("code %d, %q", code, errs)
	}
}

// TestTyposAreUsageErrors (issue 13, item 9): a mistyped command exits 2
// with a suggestion, instead of printing help and exiting 0.
func TestTyposAreUsageErrors(t *testing.T) {
	for _, tc := range []struct{ args, suggest string }{
		{"service instal", "did you mean install?"},
		{"config lst", "did you mean list?"},
		{"notify tset", "did you mean test?"},
		{"chek", "did you mean check?"},
		{"check --bogus", "unknown flag: --bogus"},
	} {
		cmd := cliProcess(append([]string{"--state-dir", t.TempDir()}, strings.Fields(tc.args)...)...)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != exitUsage {
			t.Errorf("%s: %v, want exit code %d", tc.args, err, exitUsage)
		}
		if !strings.Contains(string(out), tc.suggest) {
			t.Errorf("%s said %q, want %q", tc.args, out, tc.suggest)
		}
	}
	// A group on its own still shows its help.
	if code, out, _ := runCLI(t, context.Background(), "service"); code != 0 || !strings.Contains(out, "install") {
		t.Errorf("service: %d %q", code, out)
	}
}

// TestSmallThingsOfTheCLI (issue 13, item 12): negative counts are refused,
// a failure under --json is JSON too, and --print-url --json prints JSON.
func TestSmallThingsOfTheCLI(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"log", "-n", "-5"}, {"grades", "-n", "-1"}} {
		code, _, errs := runCLI(t, context.Background(), append([]string{"--state-dir", dir}, args...)...)
		if code != exitUsage || !strings.Contains(errs, "-n -") {
			t.Errorf("%v: exit %d, %q; want %d and the count named", args, code, errs, exitUsage)
		}
	}
	code, out, _ := runCLI(t, context.Background(), "--state-dir", dir, "--json", "check")
	var failure struct {
		Error    string `json:"error"`
		ExitCode int    `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(out), &failure); err != nil || failure.ExitCode != code || failure.Error == "" {
		t.Errorf("check --json without a login: stdout %q (%v), exit %d", out, err, code)
	}
	code, out, errs := runCLI(t, context.Background(), "--state-dir", dir, "--json", "login", "--school", "demo", "--print-url")
	var printed struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal([]byte(out), &printed); err != nil || code != 0 || !strings.Contains(printed.URL, "/connect/authorize?") {
		t.Errorf("login --print-url --json: %d %q %s (%v)", code, out, errs, err)
	}
}

// TestToastAppIDIsTheRegisteredOne: the toasts carry the AppUserModelID the
// installer registers (notifier cannot import installer).
func TestToastAppIDIsTheRegisteredOne(t *testing.T) {
	if notifier.ToastAppID != installer.AppUserModelID {
		t.Errorf("toasts carry %q, the installer registers %q", notifier.ToastAppID, installer.AppUserModelID)
	}
}
