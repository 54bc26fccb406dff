package tray

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/magister-notify/magister-notify/account"
	"github.com/magister-notify/magister-notify/internal/dbustest"
	"github.com/magister-notify/magister-notify/internal/testenv"
	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
)

// The helper process: the test binary re-executed as a real tray, as the
// os/exec tests do. The tray must run in a process of its own: systray keeps
// process-wide state and allows one Run per process.
const helperEnv = "MAGISTER_TRAY_TEST_HELPER"

func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	os.Exit(helperMain())
}

func helperMain() int {
	dir := os.Getenv("MAGISTER_TRAY_TEST_DIR")
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := state.Open(dir, state.WithOwner("magister-notify tray"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "tray:", err)
		return 1
	}
	accts := &account.Clients{Dir: dir}
	checker := &notifier.Checker{Store: st, Open: notifier.Sources(accts.Open)}
	sinks, err := notifier.ParseSinks([]string{"desktop", "jsonl:" + filepath.Join(dir, "notified.jsonl")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "tray:", err)
		return 1
	}
	deliverer := &notifier.Deliverer{Store: st, Sinks: sinks}
	cfg := Config{
		Store: st,
		Check: func(ctx context.Context) error {
			rep, err := checker.Check(ctx)
			if err != nil {
				return err
			}
			return rep.Err
		},
		Deliver: func(ctx context.Context) error { _, err := deliverer.Deliver(ctx); return err },
		// Login plays account.StartLogin: it leaves a pending login behind;
		// with MAGISTER_TRAY_TEST_NO_BROWSER set, no browser opens for it.
		Login: func(context.Context) error {
			if err := os.WriteFile(filepath.Join(dir, pendingLoginFile), []byte("{}"), 0o600); err != nil {
				return err
			}
			if u := os.Getenv("MAGISTER_TRAY_TEST_NO_BROWSER"); u != "" {
				return &BrowserError{URL: u, Err: errors.New("xdg-open: exit status 3")}
			}
			return nil
		},
		Notify: func(ctx context.Context, title, body string) error {
			return notifier.NewDesktopSink("").Send(ctx, notifier.Notification{Kind: notifier.KindProblem, Title: title, Body: body})
		},
		OpenURL: func(url string) error {
			return os.WriteFile(filepath.Join(dir, "opened"), []byte(url), 0o600)
		},
		Autostart: fileAutostart(filepath.Join(dir, "autostart-installed")),
		Logger:    log,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := Run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "tray:", err)
		return 1
	}
	return 0
}

// fileAutostart is an Autostart that is installed while its file exists.
type fileAutostart string

func (f fileAutostart) Status(context.Context) (bool, bool, string, error) {
	_, err := os.Stat(string(f))
	return err == nil, true, "", nil
}
func (f fileAutostart) Install(context.Context) error   { return os.WriteFile(string(f), nil, 0o600) }
func (f fileAutostart) Uninstall(context.Context) error { return os.Remove(string(f)) }

// proc is a tray process.
type proc struct {
	cmd    *exec.Cmd
	stderr *testenv.Buffer
	done   chan struct{}
	err    error
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// wait waits for the process to end and returns its exit code.
func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("the tray did not exit within %v; stderr:\n%s", timeout, p.stderr)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("tray: %v", p.err)
	}
	return 0
}

// env is one test's world: a private bus, a fake notification server, a
// fake school and a state directory signed in to it as a parent.
type env struct {
	bus    string
	conn   *dbus.Conn
	notes  *dbustest.NotificationServer
	school *magistertest.School
	dir    string
	st     *state.Store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{bus: dbustest.StartSessionBus(t), school: magistertest.Start(t), dir: t.TempDir()}
	// Never touch a real keyring: the private bus has none, and a token
	// file makes every process use the file store.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", e.bus)
	if err := os.WriteFile(filepath.Join(e.dir, magister.TokenFileName), []byte(`{"version":1,"tokens":{}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	e.notes = dbustest.StartNotificationServer(t, e.bus)
	var err error
	if e.conn, err = dbus.Connect(e.bus); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.conn.Close() })
	if e.st, err = state.Open(e.dir); err != nil {
		t.Fatal(err)
	}
	school, err := magister.ParseSchool("demo")
	if err == nil {
		school, err = school.WithBaseURL(e.school.URL)
	}
	if err != nil {
		t.Fatal(err)
	}
	// Quiet hours would hold the notifications these tests look for.
	if err := e.st.Update(context.Background(), func(s *state.State) error {
		s.Settings.QuietHours.Off = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	accts := &account.Clients{Dir: e.dir}
	if _, err := account.ImportRefreshToken(context.Background(), e.st, accts, school,
		e.school.IssueRefreshToken(magistertest.ParentLogin), time.Now()); err != nil {
		t.Fatal(err)
	}
	return e
}

// startTray runs the tray as a child process; it is stopped when the test ends.
func (e *env) startTray(t *testing.T, extraEnv ...string) *proc {
	t.Helper()
	cmd := testenv.HelperCommand("TestHelperProcess", helperEnv+"=1", "MAGISTER_TRAY_TEST_DIR="+e.dir, "LANG=en_US.UTF-8",
		"LC_ALL=", "LC_MESSAGES=", "DBUS_SESSION_BUS_ADDRESS="+e.bus)
	// fyne.io/systray v1.12.2 has a data race of its own (GetLayout reads
	// the menu version that refresh writes under another mutex). Under
	// -race it would end every tray with exit code 66; checkRaces still
	// fails the test for any race that involves this module's code.
	cmd.Env = append(cmd.Env, "GORACE=exitcode=0")
	cmd.Env = append(cmd.Env, extraEnv...)
	p := &proc{cmd: cmd, stderr: &testenv.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
			return
		default:
		}
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("tray stderr:\n%s", p.stderr)
		}
	})
	t.Cleanup(func() { checkRaces(t, p.stderr.String()) })
	return p
}

// checkRaces fails the test for a data race report in a tray's output that
// involves this module; races entirely inside systray are only logged.
func checkRaces(t *testing.T, out string) {
	t.Helper()
	const mark = "WARNING: DATA RACE"
	blocks := strings.Split(out, mark)
	for _, b := range blocks[1:] {
		b, _, _ = strings.Cut(b, "==================")
		if strings.Contains(b, "magister-notify/magister-notify/") {
			t.Errorf("data race in the tray:\n%s%s", mark, b)
			continue
		}
		if !strings.Contains(b, "fyne.io/systray") {
			t.Errorf("data race outside systray:\n%s%s", mark, b)
			continue
		}
		t.Logf("a data race inside fyne.io/systray (not ours):%s", firstLines(b, 4))
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	return "\n" + strings.Join(lines[:min(n, len(lines))], "\n")
}

// startRegisteredTray starts a status notifier watcher and a tray process
// with extraEnv added, and waits until the tray's item has registered with
// the watcher. It returns the process and the item's bus name.
func (e *env) startRegisteredTray(t *testing.T, extraEnv ...string) (*proc, string) {
	t.Helper()
	w := startWatcher(t, e.bus)
	p := e.startTray(t, extraEnv...)
	name := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", p.pid())
	w.waitItem(t, e.waitOwner(t, name, p), 10*time.Second)
	return p, name
}

// waitOwner waits until name is owned on the bus and returns its owner.
func (e *env) waitOwner(t *testing.T, name string, p *proc) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var owner string
		if err := e.conn.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, name).Store(&owner); err == nil {
			return owner
		}
		select {
		case <-p.done:
			t.Fatalf("the tray exited: %v\n%s", p.err, p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("nobody owns %s; tray stderr:\n%s", name, p.stderr)
	return ""
}

func (e *env) view(t *testing.T) state.State {
	t.Helper()
	var s state.State
	if err := e.st.View(context.Background(), func(v state.State) error { s = v; return nil }); err != nil {
		t.Fatal(err)
	}
	return s
}

func waitUntil(t *testing.T, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %v", what, timeout)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestTrayEndToEnd runs one real tray process through what a user does
// with it: the icon registers, the menu reads in English, "Check now"
// reaches Magister and a new grade becomes a notification and a Recent
// entry, the pause, kind, child and autostart items write the state, a
// change made by another process shows within 2 seconds, a second tray is
// refused, and Quit ends the process and frees its lock.
func TestTrayEndToEnd(t *testing.T) {
	e := newEnv(t)
	p, _ := e.startRegisteredTray(t)
	it := newTrayItem(t, e.conn, p.pid())

	// The menu, in English under LANG=en_US.UTF-8, submenus included.
	want := []string{
		"Recent", "  No notifications yet", "  Mark all as read",
		"Check now",
		"Pause notifications", "  1 hour", "  Until tomorrow 07:00", "  Resume",
		"Grades", "Schedule changes", "Tests", "Homework", "Messages", "Tomorrow at a glance",
		"Notifications for Anna", "Notifications for Daan",
		"Start at login", "Open Magister", "Quit",
	}
	var got []string
	it.waitLayout(t, 10*time.Second, "the English menu with its submenus", func(m *menuNode) bool {
		got = m.labels()
		return len(got) > 1 && strings.Join(got[2:], "\n") == strings.Join(want, "\n")
	})
	if s := got[0]; s != "Not checked yet" && s != "Checking…" && !strings.HasPrefix(s, "Checked ") {
		t.Errorf("status line %q", s)
	}
	if s := got[1]; !strings.HasPrefix(s, "Next check ") {
		t.Errorf("second line %q, want the next check", s)
	}

	// Check now: the first check takes stock silently.
	it.clickUntil(t, "Check now", func() bool { return !e.view(t).Health.LastSuccess.IsZero() })
	it.waitLayout(t, 5*time.Second, `"Checked HH:MM"`, func(m *menuNode) bool {
		return strings.HasPrefix(m.Children[0].Label, "Checked ")
	})

	// A new grade: Check now reaches the school and notifies.
	if _, err := e.school.AddGrade(magistertest.GradeSpec{Child: "Anna", Subject: "wisA", Value: "8,1", Weight: 1}); err != nil {
		t.Fatal(err)
	}
	e.school.ResetRequests()
	it.clickUntil(t, "Check now", func() bool { return len(magistertest.RequestsTo(e.school, "/api/")) > 0 })
	notes, err := e.notes.WaitTimeout(10*time.Second, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := notes[0]; n.AppName != notifier.AppName || !strings.Contains(n.Summary, "Anna") {
		t.Errorf("notification %+v", n)
	}
	m := it.waitLayout(t, 5*time.Second, "the new grade under Recent and as 1 new", func(m *menuNode) bool {
		r := m.find("Recent")
		return r != nil && len(r.shown()) > 0 && strings.HasPrefix(r.shown()[0].Label, "• Anna") &&
			strings.HasSuffix(m.Children[0].Label, "· 1 new")
	})
	// Clicking the entry opens its Magister page.
	recent := m.find("Recent").shown()[0]
	opened := filepath.Join(e.dir, "opened")
	it.clickUntil(t, recent.Label, func() bool { b, _ := os.ReadFile(opened); return len(b) > 0 })
	if b, _ := os.ReadFile(opened); string(b) != e.school.URL+"/magister/#/cijfers" {
		t.Errorf("opened %q", b)
	}
	it.clickUntil(t, "Mark all as read", func() bool {
		m, err := it.layout()
		return err == nil && !strings.Contains(m.Children[0].Label, "new")
	})
	// The read mark is kept in the state, so a restarted tray agrees.
	if e.view(t).ReadUntil.IsZero() {
		t.Error("Mark all as read was not saved in the state")
	}

	// Pause for an hour from the menu: the state says until when.
	before := time.Now()
	it.clickUntil(t, "1 hour", func() bool { return e.view(t).Settings.PauseUntil.After(before) })
	if until := e.view(t).Settings.PauseUntil; until.Before(before.Add(59*time.Minute)) || until.After(time.Now().Add(61*time.Minute)) {
		t.Errorf("paused until %v, want an hour from now", until)
	}
	it.waitLayout(t, 2*time.Second, "the pause in the status line", func(m *menuNode) bool {
		r := m.find("Resume")
		return strings.Contains(m.Children[0].Label, "paused until") && r != nil && r.Enabled
	})

	// Another process (this test, like a CLI run) resumes and switches
	// grades off: the menu follows within 2 seconds.
	if err := e.st.Update(context.Background(), func(s *state.State) error {
		s.Settings.PauseUntil = time.Time{}
		s.Settings.Disabled = map[string]bool{state.KindGrades: true}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	it.waitLayout(t, 2*time.Second, "the resume and the unchecked Grades", func(m *menuNode) bool {
		g, r := m.find("Grades"), m.find("Resume")
		return !strings.Contains(m.Children[0].Label, "paused") && g != nil && !g.Checked && r != nil && !r.Enabled
	})

	// Checkboxes write the state: grades back on, Daan muted.
	it.clickUntil(t, "Grades", func() bool { return e.view(t).Settings.KindEnabledFor(state.KindGrades, true) })
	it.clickUntil(t, "Notifications for Daan", func() bool {
		for _, c := range e.view(t).Accounts[0].Children {
			if c.FirstName == "Daan" {
				return c.Muted
			}
		}
		return false
	})
	it.waitLayout(t, 2*time.Second, "Grades checked and Daan unchecked", func(m *menuNode) bool {
		g, d := m.find("Grades"), m.find("Notifications for Daan")
		return g != nil && g.Checked && d != nil && d.Toggle == "checkmark" && !d.Checked
	})

	// Start at login goes through the Autostart.
	installed := filepath.Join(e.dir, "autostart-installed")
	it.clickUntil(t, "Start at login", func() bool { _, err := os.Stat(installed); return err == nil })
	it.waitLayout(t, 2*time.Second, "Start at login checked", func(m *menuNode) bool {
		n := m.find("Start at login")
		return n != nil && n.Checked
	})

	// Open Magister opens the account's start page.
	os.Remove(opened)
	it.clickUntil(t, "Open Magister", func() bool { b, _ := os.ReadFile(opened); return len(b) > 0 })
	if b, _ := os.ReadFile(opened); string(b) != e.school.URL+"/magister/#/vandaag" {
		t.Errorf("Open Magister opened %q", b)
	}

	// A sender with underscores: dbusmenu labels escape them ("__"), or
	// "J_de_Vries" would show as "JdeVries" with letters underlined.
	if _, err := e.school.AddMessage("Anna", "J_de_Vries", "Ouderavond"); err != nil {
		t.Fatal(err)
	}
	e.school.ResetRequests()
	it.clickUntil(t, "Check now", func() bool { return len(magistertest.RequestsTo(e.school, "/api/")) > 0 })
	it.waitLayout(t, 5*time.Second, "the message under Recent, its underscores escaped", func(m *menuNode) bool {
		r := m.find("Recent")
		return r != nil && len(r.shown()) > 0 && strings.Contains(r.shown()[0].Label, "J__de__Vries")
	})

	// Magister ends the session: the menu offers "Log in again…"; once the
	// login it starts completes, the tray checks by itself.
	e.school.RevokeRefreshTokens()
	e.school.ExpireAccessTokens()
	it.clickUntil(t, "Check now", func() bool { return e.view(t).Health.LoginRequired })
	it.waitLayout(t, 2*time.Second, "Log in again…", func(m *menuNode) bool { return m.find("Log in again…") != nil })
	pending := filepath.Join(e.dir, pendingLoginFile)
	it.clickUntil(t, "Log in again…", func() bool { _, err := os.Stat(pending); return err == nil })
	school, _ := magister.ParseSchool("demo")
	school, _ = school.WithBaseURL(e.school.URL)
	if _, err := account.ImportRefreshToken(context.Background(), e.st, &account.Clients{Dir: e.dir}, school,
		e.school.IssueRefreshToken(magistertest.ParentLogin), time.Now()); err != nil {
		t.Fatal(err)
	}
	signedIn := time.Now()
	if err := os.Remove(pending); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "a check after the login completed", func() bool {
		h := e.view(t).Health
		return h.LastError == "" && h.LastSuccess.After(signedIn)
	})
	it.waitLayout(t, 2*time.Second, "the login problem gone", func(m *menuNode) bool { return m.find("Log in again…") == nil })

	// One tray per state directory; status can name it.
	if pid, running := e.st.TrayPID(); !running || pid != p.pid() {
		t.Errorf("TrayPID = %d, %v; want %d", pid, running, p.pid())
	}
	second := e.startTray(t)
	if code := second.wait(t, 10*time.Second); code == 0 {
		t.Error("a second tray started")
	}
	if msg := fmt.Sprintf("already running (pid %d)", p.pid()); !strings.Contains(second.stderr.String(), msg) {
		t.Errorf("second tray said %q, want %q", second.stderr, msg)
	}

	// Quit ends the process cleanly and frees the lock.
	it.clickUntil(t, "Quit", func() bool {
		select {
		case <-p.done:
			return true
		default:
			return false
		}
	})
	if code := p.wait(t, 5*time.Second); code != 0 {
		t.Fatalf("the tray exited with %d after Quit:\n%s", code, p.stderr)
	}
	release, err := e.st.LockTray(context.Background())
	if err != nil {
		t.Fatalf("tray.lock is still held after Quit: %v", err)
	}
	release()
	if strings.Contains(p.stderr.String(), "panic") {
		t.Errorf("the tray panicked:\n%s", p.stderr)
	}
}

// TestTrayAppearsWhenTheSystemTrayStartsLater: without a watcher the tray
// keeps running, and registers once one appears.
func TestTrayAppearsWhenTheSystemTrayStartsLater(t *testing.T) {
	e := newEnv(t)
	p := e.startTray(t)
	owner := e.waitOwner(t, fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", p.pid()), p)
	waitUntil(t, 10*time.Second, "the tray noticing there is no system tray", func() bool {
		return strings.Contains(p.stderr.String(), "no system tray")
	})
	w := startWatcher(t, e.bus)
	w.waitItem(t, owner, 10*time.Second)
	w.mu.Lock()
	calls := w.calls
	w.mu.Unlock()
	if calls == 0 {
		t.Fatal("no registration call")
	}
	select {
	case <-p.done:
		t.Fatalf("the tray exited: %s", p.stderr)
	default:
	}
}

// TestTrayWithoutSessionBus: no bus at all is a clear error and a non-zero
// exit, not a hang or a panic, and the lock is freed.
func TestTrayWithoutSessionBus(t *testing.T) {
	dir := t.TempDir()
	e := &env{dir: dir}
	p := e.startTray(t, "DBUS_SESSION_BUS_ADDRESS=", "XDG_RUNTIME_DIR="+t.TempDir())
	if code := p.wait(t, 10*time.Second); code == 0 {
		t.Fatal("the tray ran without a session bus")
	}
	out := p.stderr.String()
	if !strings.Contains(out, "no desktop session") || !strings.Contains(out, "D-Bus session bus") || strings.Contains(out, "panic") {
		t.Errorf("stderr:\n%s", out)
	}
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	release, err := st.LockTray(context.Background())
	if err != nil {
		t.Fatalf("tray.lock still held: %v", err)
	}
	release()
}

// TestEnsureRegistered exercises the tray's own registration, the fallback
// for a systray whose watch has stopped: nothing while the item is not on
// the bus yet, a registration when the watcher does not list it, and none
// when it does.
func TestEnsureRegistered(t *testing.T) {
	bus := dbustest.StartSessionBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus)
	w := startWatcher(t, bus)
	watch, err := dialSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	log := slog.New(slog.DiscardHandler)
	calls := func() int { w.mu.Lock(); defer w.mu.Unlock(); return w.calls }

	if retry := ensureRegistered(watch, log); !retry || calls() != 0 {
		t.Fatalf("without the item on the bus: retry %v, %d registrations", retry, calls())
	}
	// This process plays the tray: its shared connection owns the item name.
	shared, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shared.Close() })
	if _, err := shared.RequestName(fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", os.Getpid()), dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}
	if retry := ensureRegistered(watch, log); retry || calls() != 1 {
		t.Fatalf("unlisted item: retry %v, %d registrations", retry, calls())
	}
	w.waitItem(t, shared.Names()[0], 5*time.Second)
	if retry := ensureRegistered(watch, log); retry || calls() != 1 {
		t.Fatalf("listed item: retry %v, %d registrations (want no second one)", retry, calls())
	}
}
