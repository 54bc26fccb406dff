package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/magister-notify/magister-notify/internal/dbustest"
	"github.com/magister-notify/magister-notify/internal/testenv"
	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

func TestTrayCommandWithoutDesktop(t *testing.T) {
	noKeyring(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	code, _, errs := runCLI(t, context.Background(), "--state-dir", dir, "tray")
	if code == 0 || !strings.Contains(errs, "no desktop session") || !strings.Contains(errs, "D-Bus session bus") {
		t.Fatalf("tray without a bus: code %d, %q", code, errs)
	}
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, running := st.TrayPID(); running {
		t.Error("the failed tray still holds tray.lock")
	}
}

func TestTrayCommandRefusesASecondTray(t *testing.T) {
	noKeyring(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	holdTrayLock(t, dir, state.WithOwner("magister-notify tray"))
	code, _, errs := runCLI(t, context.Background(), "--state-dir", dir, "tray")
	if want := fmt.Sprintf("already running (pid %d)", os.Getpid()); code == 0 || !strings.Contains(errs, want) {
		t.Fatalf("second tray: code %d, %q; want %q", code, errs, want)
	}
}

// menuLabels reads a dbusmenu layout into "id label" pairs, depth first.
type menuEntry struct {
	id      int32
	label   string
	enabled bool
}

func readMenu(conn *dbus.Conn, item string, path dbus.ObjectPath) ([]menuEntry, error) {
	call := conn.Object(item, path).Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		return nil, call.Err
	}
	if len(call.Body) != 2 {
		return nil, fmt.Errorf("GetLayout answered %v", call.Body)
	}
	var out []menuEntry
	var walk func(v []any)
	walk = func(v []any) {
		if len(v) != 3 {
			return
		}
		id, _ := v[0].(int32)
		props, _ := v[1].(map[string]dbus.Variant)
		e := menuEntry{id: id, enabled: true}
		if l, ok := props["label"]; ok {
			e.label, _ = l.Value().(string)
		}
		if en, ok := props["enabled"]; ok {
			e.enabled, _ = en.Value().(bool)
		}
		out = append(out, e)
		kids, _ := v[2].([]dbus.Variant)
		for _, k := range kids {
			if f, ok := k.Value().([]any); ok {
				walk(f)
			}
		}
	}
	root, _ := call.Body[1].([]any)
	walk(root)
	return out, nil
}

// trayWorld is a private session bus with a fake notification server, a
// fake school and a state directory signed in to it as a parent, with quiet
// hours off.
type trayWorld struct {
	bus    string
	notes  *dbustest.NotificationServer
	school *magistertest.School
	dir    string
	conn   *dbus.Conn
}

func newTrayWorld(tb testing.TB) *trayWorld {
	tb.Helper()
	// A throw-away home: the tray's autostart item and icon cache must not
	// see the real one.
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"} {
		tb.Setenv(v, tb.TempDir())
	}
	w := &trayWorld{bus: dbustest.StartSessionBus(tb), school: magistertest.Start(tb), dir: tb.TempDir()}
	tb.Setenv("DBUS_SESSION_BUS_ADDRESS", w.bus) // no keyring on it: tokens go to tokens.json
	tb.Setenv("LANG", "en_US.UTF-8")
	tb.Setenv("LC_ALL", "")
	tb.Setenv("LC_MESSAGES", "")
	w.notes = dbustest.StartNotificationServer(tb, w.bus)
	if err := os.WriteFile(filepath.Join(w.dir, "tokens.json"), []byte(`{"version":1,"tokens":{}}`), 0o600); err != nil {
		tb.Fatal(err)
	}
	signIn(tb, w.school.URL, cliOn(tb, w.dir))
	w.cli(tb, "config", "set", "quiet-hours", "off")
	var err error
	if w.conn, err = dbus.Connect(w.bus); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.conn.Close() })
	return w
}

// cli runs one command line on the world's state and returns its stdout;
// a failure fails the test.
func (w *trayWorld) cli(tb testing.TB, args ...string) string {
	tb.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), append([]string{"--state-dir", w.dir}, args...), &out, &errb); code != 0 {
		tb.Fatalf("%v: exit %d: %s", args, code, errb.String())
	}
	return out.String()
}

// trayProc is a running tray process.
type trayProc struct {
	cmd    *exec.Cmd
	stderr *testenv.Buffer
	exit   chan struct{} // closed when the process has ended
	err    error         // its exit, once exit is closed
	item   string
}

// startTray runs exe (nil: this test binary as the CLI, see TestMain) as
// `tray` on the world's state.
func (w *trayWorld) startTray(tb testing.TB, exe string) *trayProc {
	tb.Helper()
	var cmd *exec.Cmd
	if exe == "" {
		cmd = cliProcess("--state-dir", w.dir, "tray")
	} else {
		cmd = exec.Command(exe, "--state-dir", w.dir, "tray")
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "GORACE=exitcode=0") // systray's own race; see tray's tests
	p := &trayProc{cmd: cmd, stderr: &testenv.Buffer{}, exit: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p.item = fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", cmd.Process.Pid)
	go func() { p.err = cmd.Wait(); close(p.exit) }()
	tb.Cleanup(func() {
		if !p.exited() {
			cmd.Process.Kill()
			<-p.exit
		}
		if strings.Contains(p.stderr.String(), "DATA RACE") && strings.Contains(p.stderr.String(), "magister-notify/magister-notify/") {
			tb.Errorf("a data race in our code:\n%s", p.stderr.String())
		}
	})
	return p
}

func (p *trayProc) exited() bool {
	select {
	case <-p.exit:
		return true
	default:
		return false
	}
}

func (w *trayWorld) menu(p *trayProc) ([]menuEntry, error) {
	return readMenu(w.conn, p.item, "/StatusNotifierItem/menu")
}

// poll reads the menu until ok accepts it.
func (w *trayWorld) poll(tb testing.TB, p *trayProc, timeout time.Duration, what string, ok func([]menuEntry) bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m, err := w.menu(p)
		if err == nil && ok(m) {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the menu never showed %s within %v (%v): %v\ntray stderr:\n%s", what, timeout, err, m, p.stderr.String())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// clickUntil clicks the item whose label starts with label until ok: a
// rebuilt menu can lose a click whose id it just replaced.
func (w *trayWorld) clickUntil(tb testing.TB, p *trayProc, label string, ok func() bool) {
	tb.Helper()
	for try := 0; try < 5; try++ {
		m, err := w.menu(p)
		if err != nil {
			tb.Fatal(err)
		}
		e := findEntry(m, label)
		if e == nil {
			tb.Fatalf("no %q in %v", label, m)
		}
		w.conn.Object(p.item, "/StatusNotifierItem/menu").Call("com.canonical.dbusmenu.Event", 0,
			e.id, "clicked", dbus.MakeVariant(int32(0)), uint32(0))
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if ok() {
				return
			}
		}
	}
	tb.Fatalf("clicking %q had no effect; tray stderr:\n%s", label, p.stderr.String())
}

func findEntry(m []menuEntry, prefix string) *menuEntry {
	for i := range m {
		if strings.HasPrefix(m[i].label, prefix) {
			return &m[i]
		}
	}
	return nil
}

// statusLine is the menu's first item (m[0] is the root).
func statusLine(m []menuEntry) string {
	if len(m) > 1 {
		return m[1].label
	}
	return ""
}

// TestTrayCommandFollowsTheCLI runs `magister-notify tray` as its own
// process on a private bus: `pause` and `resume` from the CLI show in its
// menu within 2 seconds, `status` names its pid, "Check now" checks the
// school through the real wiring and the desktop gets the notification, and
// Quit ends it cleanly.
func TestTrayCommandFollowsTheCLI(t *testing.T) {
	w := newTrayWorld(t)
	p := w.startTray(t, "")
	w.poll(t, p, 10*time.Second, "its English menu", func(m []menuEntry) bool {
		return findEntry(m, "Check now") != nil && findEntry(m, "1 hour") != nil
	})

	if out, want := w.cli(t, "status"), fmt.Sprintf("running (pid %d)", p.cmd.Process.Pid); !strings.Contains(out, want) {
		t.Errorf("status does not show %q:\n%s", want, out)
	}

	// The CLI pauses: the menu says so within 2 seconds.
	w.cli(t, "pause", "2h")
	w.poll(t, p, 2*time.Second, "the pause", func(m []menuEntry) bool {
		r := findEntry(m, "Resume")
		return strings.Contains(statusLine(m), "paused until") && r != nil && r.enabled
	})
	w.cli(t, "resume")
	w.poll(t, p, 2*time.Second, "the resume", func(m []menuEntry) bool {
		r := findEntry(m, "Resume")
		return !strings.Contains(statusLine(m), "paused") && r != nil && !r.enabled
	})

	// Check now, through the real wiring: a baseline first, then a new
	// grade becomes a desktop notification.
	w.clickUntil(t, p, "Check now", func() bool { return checksDone(w.dir) >= 1 })
	if _, err := w.school.AddGrade(magistertest.GradeSpec{Child: "Daan", Value: "5,4", Weight: 1}); err != nil {
		t.Fatal(err)
	}
	w.school.ResetRequests()
	w.clickUntil(t, p, "Check now", func() bool { return len(w.school.Requests()) > 0 })
	got, err := w.notes.WaitTimeout(10*time.Second, 1)
	if err != nil {
		t.Fatalf("%v; tray log:\n%s", err, readLog(w.dir))
	}
	if !strings.Contains(got[0].Summary, "Daan · ") {
		t.Errorf("notification %q", got[0].Summary)
	}
	if !strings.HasSuffix(got[0].AppIcon, "magister-notify.png") {
		t.Errorf("the notification has no icon: %q", got[0].AppIcon)
	}

	w.clickUntil(t, p, "Quit", p.exited)
	if err := p.err; err != nil {
		t.Fatalf("the tray exited with %v:\n%s", err, p.stderr.String())
	}
	if _, running := mustOpen(t, w.dir).TrayPID(); running {
		t.Error("tray.lock is held after Quit")
	}
}

// checksDone counts the checks the tray's log reports.
func checksDone(dir string) int {
	return strings.Count(readLog(dir), "check done") + strings.Count(readLog(dir), "check failed")
}

func readLog(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, state.LogName))
	return string(b)
}

func mustOpen(t *testing.T, dir string) *state.Store {
	t.Helper()
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
