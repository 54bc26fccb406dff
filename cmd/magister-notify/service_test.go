//go:build linux

package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/installer"
	"github.com/magister-notify/magister-notify/installer/installertest"
	"github.com/magister-notify/magister-notify/state"
)

// testExe is the binary the service commands install: this test binary.
func testExe(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

func TestServiceInstallStatusUninstall(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	ctx := context.Background()
	dir := t.TempDir()
	unit := filepath.Join(env.UnitDir(), "magister-notify.service")

	code, out, errs := runCLI(t, ctx, "--state-dir", dir, "service", "install", "--json")
	var res installer.Result
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Method != installer.Systemd || !res.Changed ||
		!slices.Contains(res.Paths, unit) {
		t.Fatalf("service install --json: code %d\n%s%s", code, out, errs)
	}
	text, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	if want := "ExecStart=" + testExe(t) + ` "--state-dir" "` + dir + `" "tray"`; !strings.Contains(string(text), want+"\n") {
		t.Fatalf("unit lacks %q:\n%s", want, text)
	}
	code, out, _ = runCLI(t, ctx, "--state-dir", dir, "service", "install")
	if code != 0 || !strings.Contains(out, unit) || !strings.Contains(out, "service uninstall") {
		t.Fatalf("second service install: code %d\n%s", code, out)
	}

	// The handler is registered by login (the lead's part); register it
	// here so that uninstall --all has something to remove.
	if _, err := installer.RegisterHandler(ctx, installer.HandlerOptions{StateDir: dir}); err != nil {
		t.Fatal(err)
	}
	env.SetActive("active")
	code, out, errs = runCLI(t, ctx, "--state-dir", dir, "service", "status", "--json")
	var info serviceStatus
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
		t.Fatalf("service status --json: code %d\n%s%s", code, out, errs)
	}
	if a := info.Autostart; !a.Installed || !a.Enabled || !a.Running || a.Method != installer.Systemd || a.Path != unit ||
		info.Tray.Running || !info.Handler.Registered || !info.Handler.Current {
		t.Fatalf("service status --json = %+v", info)
	}
	code, out, _ = runCLI(t, ctx, "--state-dir", dir, "service", "status")
	for _, want := range []string{"installed as systemd user unit, enabled", unit, "not running, under systemd user unit", "registered for m6loapp://"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("service status lacks %q: code %d\n%s", want, code, out)
		}
	}

	// uninstall keeps the handler; --all removes it too.
	code, out, _ = runCLI(t, ctx, "--state-dir", dir, "service", "uninstall")
	if code != 0 || !strings.Contains(out, "Removed the systemd user unit") {
		t.Fatalf("service uninstall: code %d\n%s", code, out)
	}
	if st, _ := installer.HandlerStatus(ctx, installer.HandlerOptions{StateDir: dir}); !st.Registered {
		t.Fatalf("service uninstall removed the handler: %+v", st)
	}
	code, out, errs = runCLI(t, ctx, "--state-dir", dir, "service", "uninstall", "--all", "--json")
	var rep uninstallReport
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Autostart.Changed || rep.Handler == nil || !rep.Handler.Changed {
		t.Fatalf("service uninstall --all --json: code %d\n%s%s", code, out, errs)
	}
	if tree := env.Tree(); len(tree) != 0 && !slices.Equal(tree, []string{"config/mimeapps.list"}) {
		t.Fatalf("left behind: %q", tree)
	}
	if list, err := os.ReadFile(filepath.Join(env.ConfigHome, "mimeapps.list")); err == nil && strings.Contains(string(list), "m6loapp") {
		t.Fatalf("mimeapps.list still names us:\n%s", list)
	}
	code, out, _ = runCLI(t, ctx, "--state-dir", dir, "service", "uninstall", "--all")
	if code != 0 || !strings.Contains(out, "not installed") || !strings.Contains(out, "not registered") {
		t.Fatalf("second service uninstall --all: code %d\n%s", code, out)
	}
}

func TestServiceWithoutUserManager(t *testing.T) {
	env := installertest.New(t)
	env.FailOn("*")
	ctx := context.Background()
	dir := t.TempDir()
	entry := filepath.Join(env.ConfigHome, "autostart", "magister-notify.desktop")

	code, out, errs := runCLI(t, ctx, "--state-dir", dir, "service", "install", "--method", "systemd")
	if code != 1 || !strings.Contains(errs, "no systemd user manager is reachable") || !strings.Contains(errs, "--method xdg") {
		t.Fatalf("service install --method systemd: code %d\n%s%s", code, out, errs)
	}
	if tree := env.Tree(); len(tree) != 0 {
		t.Fatalf("a refused install wrote %q", tree)
	}
	code, out, errs = runCLI(t, ctx, "--state-dir", dir, "service", "install")
	if code != 0 || !strings.Contains(out, entry) {
		t.Fatalf("service install: code %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCLI(t, ctx, "--state-dir", dir, "service", "status")
	if code != 0 || !strings.Contains(out, "installed as XDG autostart entry, enabled") || !strings.Contains(out, "Tray") {
		t.Fatalf("service status: code %d\n%s", code, out)
	}
	code, out, errs = runCLI(t, ctx, "service", "install", "--method", "launchd")
	if code != 1 || !strings.Contains(errs, "auto, systemd, xdg") {
		t.Fatalf("service install --method launchd: code %d\n%s%s", code, out, errs)
	}
}

func TestServiceStartStop(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	ctx := context.Background()
	dir := t.TempDir()
	if code, out, errs := runCLI(t, ctx, "--state-dir", dir, "service", "install"); code != 0 {
		t.Fatalf("service install: %s%s", out, errs)
	}

	env.ResetCalls()
	// The (fake) service manager starts nothing: play the tray that it
	// would start, taking tray.lock once systemctl was asked.
	st0, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	up := make(chan func())
	go func() {
		for !slices.Contains(env.Calls(), "start --user magister-notify.service") {
			time.Sleep(20 * time.Millisecond)
		}
		release, err := st0.LockTray(context.Background())
		if err != nil {
			t.Error(err)
			release = func() {}
		}
		up <- release
	}()
	code, out, errs := runCLI(t, ctx, "--state-dir", dir, "service", "start", "--json")
	(<-up)()
	var res installer.Result
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || !res.Changed ||
		!slices.Contains(env.Calls(), "start --user magister-notify.service") {
		t.Fatalf("service start: code %d\n%s%s\ncalls %q", code, out, errs, env.Calls())
	}
	if !strings.Contains(res.Message, "running (pid") {
		t.Errorf("service start did not wait for the tray: %q", res.Message)
	}
	env.SetActive("active")
	code, out, _ = runCLI(t, ctx, "--state-dir", dir, "service", "stop")
	if code != 0 || !strings.Contains(out, "Stopped") || !slices.Contains(env.Calls(), "stop --user magister-notify.service") {
		t.Fatalf("service stop: code %d\n%s\ncalls %q", code, out, env.Calls())
	}
	env.SetActive("inactive")
	code, out, _ = runCLI(t, ctx, "--state-dir", dir, "service", "stop")
	if code != 0 || !strings.Contains(out, "not running") {
		t.Fatalf("service stop when stopped: code %d\n%s", code, out)
	}

	// A running tray (tray.lock held) is not started twice.
	holdTrayLock(t, dir)
	env.ResetCalls()
	code, out, _ = runCLI(t, ctx, "--state-dir", dir, "service", "start")
	if code != 0 || !strings.Contains(out, "already running") || len(env.Calls()) != 0 {
		t.Fatalf("service start with a running tray: code %d\n%s\ncalls %q", code, out, env.Calls())
	}
	code, out, _ = runCLI(t, ctx, "--state-dir", dir, "service", "status", "--json")
	var info serviceStatus
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil || !info.Tray.Running || info.Tray.PID != os.Getpid() {
		t.Fatalf("service status with a running tray: code %d\n%s", code, out)
	}
}

// TestServiceStartReportsATrayThatDies (issue 13, item 11): `service start`
// waits for the tray; one that ends at once (here: no desktop session) is
// reported with the reason from its log, not as a success.
func TestServiceStartReportsATrayThatDies(t *testing.T) {
	installertest.New(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	t.Setenv("DISPLAY", "")
	dir := t.TempDir()
	code, out, errs := runCLI(t, context.Background(), "--state-dir", dir, "service", "start", "--method", "xdg")
	if code == 0 {
		t.Fatalf("service start of a tray that cannot run: exit 0\n%s%s", out, errs)
	}
	if !strings.Contains(errs, "stopped right after it started") {
		t.Errorf("service start said %q, want that the tray stopped", errs)
	}
	if !strings.Contains(errs, "D-Bus session bus") {
		t.Errorf("service start does not give the tray's reason: %q", errs)
	}
}

// holdTrayLock takes tray.lock in dir, as a running tray does, until the
// test ends.
func holdTrayLock(t *testing.T, dir string, opts ...state.Option) {
	t.Helper()
	st, err := state.Open(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	release, err := st.LockTray(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
}
