package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// noKeyring makes the token store fall back to tokens.json quickly, and
// gives the test a throw-away HOME and XDG directories: tests never touch a
// real keyring, desktop entry or mimeapps.list.
func noKeyring(t *testing.T) (home string) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	return isolateDesktop(t)
}

func TestLoginPrintURLThenRedirect(t *testing.T) {
	noKeyring(t)
	school := magistertest.Start(t)
	dir := t.TempDir()
	cli := cliOn(t, dir)
	code, out, errs := cli("login", "--school", "demo", "--base-url", school.URL, "--print-url")
	if code != 0 || !strings.HasPrefix(out, school.URL+"/connect/authorize?") {
		t.Fatalf("--print-url: %d %q %s", code, out, errs)
	}
	if !strings.Contains(out, "code_challenge_method=S256") || !strings.Contains(out, "offline_access") {
		t.Fatalf("authorize URL lacks PKCE or offline_access: %s", out)
	}
	redirect := magistertest.SignIn(t, strings.TrimSpace(out))

	code, out, errs = cli("login", "--redirect-url", redirect, "--json")
	var info accountInfo
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
		t.Fatalf("--redirect-url: %d %q %s", code, out, errs)
	}
	if !info.Parent || strings.Join(info.Children, ",") != "Anna,Daan" || info.BaseURL != school.URL {
		t.Fatalf("account %+v", info)
	}
	if !strings.Contains(errs, "no system keyring is available") {
		t.Errorf("the token-file fallback was not announced: %q", errs)
	}
	// The same address again finishes nothing twice.
	code, _, errs = cli("login", "--redirect-url", redirect)
	if code == 0 || !strings.Contains(errs, "no sign-in is waiting") {
		t.Fatalf("second completion: %d %s", code, errs)
	}
	// Signing in again does not repeat the note about the token file.
	_, out, _ = cli("login", "--school", "demo", "--base-url", school.URL, "--print-url")
	if code, _, errs = cli("login", "--redirect-url", magistertest.SignIn(t, strings.TrimSpace(out))); code != 0 {
		t.Fatalf("second login: %d %s", code, errs)
	}
	if strings.Contains(errs, "no system keyring is available") {
		t.Errorf("the token-file note was said again: %q", errs)
	}
	// No secret reached the state file or any output.
	state, _ := os.ReadFile(filepath.Join(dir, "state.json"))
	for _, secret := range []string{"access_token", "refresh_token", "verifier", "eyJ"} {
		if strings.Contains(string(state), secret) {
			t.Errorf("state.json contains %q", secret)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "tokens.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("tokens.json: %v %v", fi, err)
	}

	code, out, _ = cli("whoami")
	if code != 0 || !strings.Contains(out, "parent") || !strings.Contains(out, "Anna, Daan") {
		t.Fatalf("whoami: %q", out)
	}
	code, out, errs = cli("grades", "--child", "anna", "--json")
	var grades []childGrades
	if code != 0 || json.Unmarshal([]byte(out), &grades) != nil || len(grades) != 1 || len(grades[0].Grades) == 0 {
		t.Fatalf("grades: %d %q %s", code, out, errs)
	}
	// Averages per subject: Anna's Wiskunde A is 5,1 (weight 3) and 6,2.
	avg := map[string]float64{}
	for _, sa := range grades[0].Averages {
		avg[sa.Subject] = sa.Average
	}
	if got, want := avg["Wiskunde A"], (5.1*3+6.2)/4; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("grades --json: average of Wiskunde A %v, want %v (all: %v)", got, want, grades[0].Averages)
	}
	code, out, _ = cli("grades")
	if code != 0 || !strings.Contains(out, "Anna") || !strings.Contains(out, "Daan") {
		t.Fatalf("grades (text): %q", out)
	}
	_, avgs, ok := strings.Cut(out, "Averages this school year:")
	if !ok || !regexp.MustCompile(`Wiskunde A +5,4\n`).MatchString(avgs) {
		t.Errorf("grades (text) shows no average of Wiskunde A:\n%s", out)
	}

	// An expired login is explained, with its own exit code.
	school.ExpireAccessTokens()
	school.RevokeRefreshTokens()
	code, _, errs = cli("grades")
	if code != exitLogin {
		t.Fatalf("grades with a dead login: exit code %d, want %d (%s)", code, exitLogin, errs)
	}
	// The advice is said once, at the edge, and names the real school.
	if n := strings.Count(strings.ToLower(errs), "in again"); n != 1 {
		t.Errorf("grades with a dead login says %d times to sign in again, want once: %q", n, errs)
	}
	if !strings.Contains(errs, "`magister-notify login --school demo`") {
		t.Errorf("grades with a dead login does not name the school in its advice: %q", errs)
	}

	code, out, _ = cli("logout")
	if code != 0 || !strings.Contains(out, "Signed out") {
		t.Fatalf("logout: %q", out)
	}
	code, out, _ = cli("whoami", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("whoami after logout: %q", out)
	}
}

func TestLoginWithRefreshTokenAndErrors(t *testing.T) {
	noKeyring(t)
	school := magistertest.Start(t)
	dir := t.TempDir()
	ctx := context.Background()

	r, w, _ := os.Pipe()
	w.WriteString(school.IssueRefreshToken(magistertest.StudentLogin) + "\n")
	w.Close()
	old := os.Stdin
	os.Stdin = r
	code, out, errs := runCLI(t, ctx, "--state-dir", dir, "login", "--school", "demo", "--base-url", school.URL, "--refresh-token-stdin")
	os.Stdin = old
	if code != 0 || !strings.Contains(out, "Signed in as Sem.") {
		t.Fatalf("refresh-token login: %d %q %s", code, out, errs)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"login"}, "which school"},
		{[]string{"login", "--school", "../evil"}, "invalid school"},
		{[]string{"login", "--redirect-url", "m6loapp://oauth2redirect/#code=abc&state=zzz"}, "no sign-in is waiting"},
		{[]string{"login", "--redirect-url", "m6loapp://oauth2redirect/#error=access_denied"}, "access_denied"},
	} {
		code, _, errs := runCLI(t, ctx, append([]string{"--state-dir", dir}, tc.args...)...)
		if code == 0 || !strings.Contains(strings.ToLower(errs), tc.want) {
			t.Errorf("%v: code %d, %q, want %q", tc.args, code, errs, tc.want)
		}
	}
}
