package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// TestBrowserHandsSignInBack is the whole flow a parent sees: `login` registers the m6loapp:// handler and waits; the browser's
// redirect is opened the way GNOME and browsers on it do (gio open); the
// system starts our handler, which completes the login; the waiting login
// reports success. No paste.
func TestBrowserHandsSignInBack(t *testing.T) {
	home := noKeyring(t)
	for _, tool := range []string{"gio", "xdg-mime"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (Debian: libglib2.0-bin, xdg-utils; .ci/run installs them): %v", tool, err)
		}
	}
	school := magistertest.New()
	t.Cleanup(school.Close)
	dir := filepath.Join(home, "state")

	// The test binary is the CLI here (see TestMain), so the handler it
	// registers starts the test binary too.
	cmd := cliProcess("--state-dir", dir, "login", "--school", "demo", "--base-url", school.URL, "--no-browser")
	stdin, _ := cmd.StdinPipe() // open and silent: nobody pastes
	defer stdin.Close()
	stderr, _ := cmd.StderrPipe()
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	sc := bufio.NewScanner(stderr)
	authorize := ""
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, school.URL+"/connect/authorize?") {
			authorize = line
			break
		}
	}
	go io.Copy(io.Discard, stderr)
	if authorize == "" {
		t.Fatal("login printed no authorize address")
	}
	query, err := exec.Command("xdg-mime", "query", "default", "x-scheme-handler/m6loapp").Output()
	if err != nil || !strings.Contains(string(query), "magister-notify") {
		t.Fatalf("the handler is not the default after login: %q %v", query, err)
	}

	redirect := browserLogin(t, authorize)
	if out, err := exec.Command("gio", "open", redirect).CombinedOutput(); err != nil {
		t.Fatalf("gio open: %v %s", err, out)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(out.String(), "Signed in as") {
			t.Fatalf("waiting login: %v %q", err, out.String())
		}
	case <-time.After(30 * time.Second): // a hang guard, not a speed claim
		t.Fatal("the waiting login never saw the handler complete the sign-in")
	}
	if _, err := os.Stat(filepath.Join(dir, "tokens.json")); err != nil {
		t.Fatalf("no token stored: %v", err)
	}
	code, status, _ := runCLI(t, context.Background(), "--state-dir", dir, "status")
	if code != 0 || !strings.Contains(status, "hands sign-ins back by itself") {
		t.Fatalf("status does not show the registered handler:\n%s", status)
	}
}
