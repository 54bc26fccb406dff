package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
	school := magistertest.Start(t)
	dir := filepath.Join(home, "state")

	// The test binary is the CLI here (see TestMain), so the handler it
	// registers starts the test binary too.
	done, stdin, authorize := startWaitingLogin(t, school, dir)
	defer stdin.Close() // open and silent: nobody pastes
	query, err := exec.Command("xdg-mime", "query", "default", "x-scheme-handler/m6loapp").Output()
	if err != nil || !strings.Contains(string(query), "magister-notify") {
		t.Fatalf("the handler is not the default after login: %q %v", query, err)
	}

	redirect := magistertest.SignIn(t, authorize)
	if out, err := exec.Command("gio", "open", redirect).CombinedOutput(); err != nil {
		t.Fatalf("gio open: %v %s", err, out)
	}
	if res := waitDone(t, done); res.err != nil || !strings.Contains(res.stdout, "Signed in as") {
		t.Fatalf("waiting login: %v %q", res.err, res.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "tokens.json")); err != nil {
		t.Fatalf("no token stored: %v", err)
	}
	code, status, _ := runCLI(t, context.Background(), "--state-dir", dir, "status")
	if code != 0 || !strings.Contains(status, "hands sign-ins back by itself") {
		t.Fatalf("status does not show the registered handler:\n%s", status)
	}
}
