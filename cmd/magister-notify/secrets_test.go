package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

// These tests run the CLI as real processes against real loopback servers
// and check where the sign-in secrets go.

// process runs the CLI as a separate process with stdin and returns its exit
// code and output.
func process(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := cliProcess(args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run %v: %v", args, err)
	}
	return code, out.String(), errb.String()
}

// withSecrets lists what reached the trap that carries a secret: the request
// line, the Authorization header and the body of each.
func withSecrets(trap *magistertest.TokenTrap) []string {
	var out []string
	for _, r := range trap.Requests() {
		s := r.Method + " " + r.Path + " auth=" + r.Authorization + " body=" + r.Body
		if strings.Contains(s, "auth=Bearer") || strings.Contains(s, "refresh_token=") ||
			strings.Contains(s, "code_verifier=") || strings.Contains(s, "code=") {
			out = append(out, s)
		}
	}
	return out
}

// TestTokenRedirectKeepsSecretsHome (issue 11, item 2): the token endpoint
// answers 307 to another origin. Neither the code and PKCE verifier of a
// sign-in nor a refresh token follow it, the user is told what happened
// (not "sign in again"), and the stored sign-in still works afterwards.
func TestTokenRedirectKeepsSecretsHome(t *testing.T) {
	noKeyring(t)
	school := magistertest.Start(t)
	foreign := magistertest.NewTokenTrap(t)
	fr := magistertest.NewFront(t, school, http.StatusTemporaryRedirect, foreign.URL)
	dir := t.TempDir()
	cli := func(stdin string, args ...string) (int, string, string) {
		return process(t, stdin, append([]string{"--state-dir", dir}, args...)...)
	}
	wantRedirectErr := func(what string, code int, errs string) {
		t.Helper()
		if code == 0 || code == exitLogin || !strings.Contains(errs, "redirect to "+foreign.URL) ||
			strings.Contains(errs, "sign in again") {
			t.Errorf("%s: exit %d, %q; want a failure naming the redirect, not a lost sign-in", what, code, errs)
		}
	}
	fr.Redirect.Store(true)

	// A browser sign-in: the code exchange is redirected.
	code, out, errs := cli("", "login", "--school", "demo", "--base-url", fr.URL, "--print-url")
	if code != 0 {
		t.Fatalf("login --print-url: %d %s", code, errs)
	}
	code, _, errs = cli("", "login", "--redirect-url", magistertest.SignIn(t, strings.TrimSpace(out)))
	wantRedirectErr("login --redirect-url", code, errs)

	// A refresh-token sign-in: the refresh is redirected; the token is not
	// used up, so it works once the redirect is gone.
	rt := school.IssueRefreshToken(magistertest.ParentLogin)
	code, _, errs = cli(rt+"\n", "login", "--school", "demo", "--base-url", fr.URL, "--refresh-token-stdin")
	wantRedirectErr("login --refresh-token-stdin", code, errs)
	fr.Redirect.Store(false)
	if code, _, errs = cli(rt+"\n", "login", "--school", "demo", "--base-url", fr.URL, "--refresh-token-stdin"); code != 0 {
		t.Fatalf("login with the same refresh token after the redirect stopped: %d %s", code, errs)
	}

	// A check that has to refresh meets the redirect; the next one works.
	if code, _, errs = cli("", "check", "--sink", "stdout"); code != 0 {
		t.Fatalf("baseline check: %d %s", code, errs)
	}
	school.ExpireAccessTokens()
	fr.Redirect.Store(true)
	code, _, errs = cli("", "check", "--sink", "stdout")
	wantRedirectErr("check", code, errs)
	fr.Redirect.Store(false)
	if code, _, errs = cli("", "check", "--sink", "stdout"); code != 0 {
		t.Errorf("check after the redirect stopped: %d %s", code, errs)
	}

	if leaks := withSecrets(foreign); len(leaks) > 0 {
		t.Errorf("secrets reached the other origin in %d requests", len(leaks))
	}
}

// setBaseURL edits base_url of the only account in dir's state file, as a
// user (or anything else that can write there) might.
func setBaseURL(t *testing.T, dir, base string) {
	t.Helper()
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(context.Background(), func(s *state.State) error {
		s.Accounts[0].BaseURL = base
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// stripOrigins rewrites tokens.json as a version that did not record the
// origins of a login wrote it.
func stripOrigins(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, "tokens.json")
	var tf map[string]any
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &tf) != nil {
		t.Fatalf("read tokens.json: %v", err)
	}
	for _, tok := range tf["tokens"].(map[string]any) {
		delete(tok.(map[string]any), "api_origin")
		delete(tok.(map[string]any), "accounts_origin")
	}
	b, _ = json.Marshal(tf)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBaseURLCannotRedirectSecrets (issue 11, item 3): base_url in the
// state file no longer decides where the sign-in goes. The tokens only go to
// the server they were issued for; a changed base_url is refused with a
// clear message and nothing reaches the other server; login --base-url takes
// Magister or this computer only; and a token file from before origins were
// recorded binds to the account's server at first use.
func TestBaseURLCannotRedirectSecrets(t *testing.T) {
	school, dir, _ := signedIn(t)
	other := magistertest.NewTokenTrap(t)
	check := func() (int, string) {
		code, _, errs := process(t, "", "--state-dir", dir, "check", "--sink", "stdout")
		return code, errs
	}
	if code, errs := check(); code != 0 {
		t.Fatalf("baseline check: %d %s", code, errs)
	}

	// Another server on this computer: refused, with both named.
	setBaseURL(t, dir, other.URL)
	code, errs := check()
	if code == 0 || !strings.Contains(errs, "issued for "+school.URL) || !strings.Contains(errs, "points to "+other.URL) {
		t.Errorf("check with base_url edited to another local server: %d %q; want a refusal naming both servers", code, errs)
	}
	school.ExpireAccessTokens() // now a refresh is needed too
	if code, errs = check(); code == 0 || !strings.Contains(errs, "issued for "+school.URL) {
		t.Errorf("check that needs a refresh, base_url edited: %d %q", code, errs)
	}
	// A remote server over plain http: refused by the address rule itself.
	setBaseURL(t, dir, "http://school.invalid:8080")
	if code, errs = check(); code == 0 || !strings.Contains(errs, "plain http is only allowed to this computer") {
		t.Errorf("check with base_url edited to a remote http server: %d %q", code, errs)
	}
	if leaks := withSecrets(other); len(leaks) > 0 {
		t.Errorf("%d requests carried a secret to the other server", len(leaks))
	}
	setBaseURL(t, dir, school.URL)
	if code, errs = check(); code != 0 {
		t.Fatalf("check with base_url put back: %d %s", code, errs)
	}

	// login --base-url: Magister or this computer only.
	for _, bad := range []string{"http://school.invalid:8080", "http://10.1.2.3", "https://school.example"} {
		code, _, errs := process(t, "", "--state-dir", t.TempDir(), "login", "--school", "demo", "--base-url", bad, "--print-url")
		if code == 0 || !strings.Contains(errs, "invalid school base URL") {
			t.Errorf("login --base-url %s: %d %q; want a refusal", bad, code, errs)
		}
	}

	// A token file without origins binds to the account's server at first
	// use, and from then on refuses another.
	stripOrigins(t, dir)
	if code, errs = check(); code != 0 {
		t.Fatalf("check with a token file without origins: %d %s", code, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "tokens.json")); !strings.Contains(string(b), `"api_origin": "`+school.URL+`"`) {
		t.Errorf("the origin was not recorded at first use: %s", redactTokens(string(b)))
	}
	setBaseURL(t, dir, other.URL)
	if code, errs = check(); code == 0 || !strings.Contains(errs, "issued for "+school.URL) {
		t.Errorf("after migration, base_url edited: %d %q", code, errs)
	}
	if leaks := withSecrets(other); len(leaks) > 0 {
		t.Errorf("%d requests carried a secret to the other server", len(leaks))
	}
}

// redactTokens keeps only the keys of a token file, for failure messages.
func redactTokens(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if k, _, ok := strings.Cut(line, ":"); ok {
			b.WriteString(strings.TrimSpace(k) + " ")
		}
	}
	return b.String()
}
