package main

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// startWaitingLogin runs an interactive `login` as a real process and
// returns how it ends, its stdin, and the authorize address it printed.
func startWaitingLogin(t *testing.T, school *magistertest.School, dir string) (done chan loginOutcome, stdin io.WriteCloser, authorize string) {
	t.Helper()
	cmd := cliProcess("--state-dir", dir, "login", "--school", "demo", "--base-url", school.URL, "--no-browser")
	stdin, _ = cmd.StdinPipe()
	stderr, _ := cmd.StderrPipe()
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, school.URL+"/connect/authorize?") {
			authorize = line
			break
		}
	}
	if authorize == "" {
		t.Fatal("login printed no authorize address")
	}
	done = make(chan loginOutcome, 1)
	go func() {
		var rest strings.Builder
		for sc.Scan() {
			rest.WriteString(sc.Text() + "\n")
		}
		err := cmd.Wait()
		done <- loginOutcome{err: err, stdout: out.String(), stderr: rest.String()}
	}()
	return done, stdin, authorize
}

// loginOutcome is how a waiting login ended.
type loginOutcome struct {
	err    error // from Wait
	stdout string
	stderr string // what followed the authorize address
}

// String is all the login printed, after "FAILED" and the error if it
// failed.
func (o loginOutcome) String() string {
	res := o.stdout + o.stderr
	if o.err != nil {
		res = "FAILED: " + o.err.Error() + ": " + res
	}
	return res
}

func waitDone(t *testing.T, done chan loginOutcome) loginOutcome {
	t.Helper()
	select {
	case res := <-done:
		return res
	case <-time.After(30 * time.Second): // a hang guard, not a speed claim
		t.Fatal("the waiting login never finished")
	}
	return loginOutcome{}
}

// TestWaitingLoginCompletedByHandler: the browser hands the address to the
// m6loapp:// handler (another process: login --redirect-url); the waiting
// login notices and reports success; a second arrival is refused.
func TestWaitingLoginCompletedByHandler(t *testing.T) {
	noKeyring(t)
	school := magistertest.Start(t)
	dir := t.TempDir()
	done, stdin, authorize := startWaitingLogin(t, school, dir)
	defer stdin.Close()
	redirect := magistertest.SignIn(t, authorize)

	handler := cliProcess("--state-dir", dir, "login", "--redirect-url", redirect)
	if out, err := handler.CombinedOutput(); err != nil {
		t.Fatalf("handler: %v: %s", err, out)
	}
	if res := waitDone(t, done).String(); !strings.Contains(res, "Signed in as") {
		t.Fatalf("waiting login: %q", res)
	}
	again := cliProcess("--state-dir", dir, "login", "--redirect-url", redirect)
	out, err := again.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no sign-in is waiting") {
		t.Fatalf("second arrival: %v %q", err, out)
	}
}

// TestWaitingLoginCompletedByPaste: nothing handles the scheme, the user
// pastes the address.
func TestWaitingLoginCompletedByPaste(t *testing.T) {
	noKeyring(t)
	school := magistertest.Start(t)
	dir := t.TempDir()
	done, stdin, authorize := startWaitingLogin(t, school, dir)
	io.WriteString(stdin, magistertest.SignIn(t, authorize)+"\n")
	stdin.Close()
	if res := waitDone(t, done).String(); !strings.Contains(res, "Signed in as") {
		t.Fatalf("pasted login: %q", res)
	}
}

func TestForeignStateIsRejected(t *testing.T) {
	noKeyring(t)
	school := magistertest.Start(t)
	dir := t.TempDir()
	done, stdin, authorize := startWaitingLogin(t, school, dir)
	defer stdin.Close()
	redirect := magistertest.SignIn(t, authorize)
	foreign := strings.Replace(redirect, "state=", "state=x", 1)
	out, err := cliProcess("--state-dir", dir, "login", "--redirect-url", foreign).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "belongs to another sign-in") {
		t.Fatalf("foreign state: %v %q", err, out)
	}
	// The real one still works afterwards.
	if out, err := cliProcess("--state-dir", dir, "login", "--redirect-url", redirect).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if res := waitDone(t, done).String(); !strings.Contains(res, "Signed in as") {
		t.Fatalf("waiting login: %q", res)
	}
}

// TestWrongPasteIsAskedAgain (issue 13, item 10): text that is not the
// m6loapp:// address is not sent to Magister; the prompt asks again, and
// the right address still signs in. Given with --redirect-url, it says
// what is wrong (exit 1), not "sign in again" (exit 5).
func TestWrongPasteIsAskedAgain(t *testing.T) {
	noKeyring(t)
	school := magistertest.Start(t)
	dir := t.TempDir()
	code, _, errs := runCLI(t, t.Context(), "--state-dir", dir, "login", "--redirect-url", "garbage")
	if code != exitFailure {
		t.Errorf("login --redirect-url garbage: exit %d, want %d", code, exitFailure)
	}
	if !strings.Contains(errs, "not the address Magister sends") {
		t.Errorf("login --redirect-url garbage said %q", errs)
	}
	done, stdin, authorize := startWaitingLogin(t, school, dir)
	io.WriteString(stdin, "garbage\n")
	io.WriteString(stdin, "https://demo.magister.net/magister/#/vandaag\n")
	io.WriteString(stdin, magistertest.SignIn(t, authorize)+"\n")
	stdin.Close()
	res := waitDone(t, done).String()
	if !strings.Contains(res, "Signed in as") {
		t.Errorf("after two wrong pastes and the right one: %q", res)
	}
	if n := strings.Count(res, "That is not the address"); n != 2 {
		t.Errorf("asked again %d times, want 2: %q", n, res)
	}
}
