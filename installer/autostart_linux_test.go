package installer

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/magister-notify/magister-notify/installer/installertest"
)

func newAutostart(t *testing.T, o Options) *Autostart {
	t.Helper()
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func install(t *testing.T, a *Autostart) Result {
	t.Helper()
	res, err := a.Install(context.Background())
	if err != nil {
		t.Fatalf("Install: %v", err)
	}
	return res
}

func uninstall(t *testing.T, a *Autostart) Result {
	t.Helper()
	res, err := a.Uninstall(context.Background())
	if err != nil {
		t.Fatalf("Uninstall: %v", err)
	}
	return res
}

func status(t *testing.T, a *Autostart) Status {
	t.Helper()
	st, err := a.Status(context.Background())
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	return st
}

// verifyUnit runs systemd-analyze --user verify, which prints nothing for
// a flawless unit and checks, among others, that ExecStart's program exists.
func verifyUnit(t *testing.T, path string) {
	t.Helper()
	if out := mustRun(t, "systemd-analyze", "--user", "verify", path); strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze --user verify %s:\n%s", path, out)
	}
}

func TestSystemdUnitForGraphicalSession(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	exe, _ := recorder(t)
	stateDir := filepath.Join(t.TempDir(), "state 100%")
	a := newAutostart(t, Options{Exe: exe, StateDir: stateDir})

	res := install(t, a)
	unit := filepath.Join(env.UnitDir(), "magister-notify.service")
	link := filepath.Join(env.UnitDir(), "graphical-session.target.wants", "magister-notify.service")
	if res.Method != Systemd || !res.Changed || !slices.Contains(res.Paths, unit) || !slices.Contains(res.Paths, link) ||
		!strings.Contains(res.Message, unit) || !strings.Contains(res.Message, "service uninstall") {
		t.Fatalf("Install = %+v", res)
	}
	if nl := res.In("nl"); !strings.Contains(nl, unit) || !strings.Contains(nl, "Ongedaan maken met `magister-notify service uninstall`") {
		t.Errorf("Install in Dutch = %q", nl)
	}
	text := readFile(t, unit)
	for _, want := range []string{
		"PartOf=graphical-session.target", "After=graphical-session.target",
		"WantedBy=graphical-session.target", "Restart=on-failure",
	} {
		if !hasLine(text, want) {
			t.Errorf("unit lacks %q:\n%s", want, text)
		}
	}
	for _, bad := range []string{"EnvironmentFile", "multi-user.target", "Restart=always"} {
		if strings.Contains(text, bad) {
			t.Errorf("unit has %q:\n%s", bad, text)
		}
	}
	if !strings.Contains(text, `"--state-dir" "`) || !strings.HasSuffix(strings.SplitN(text[strings.Index(text, "ExecStart="):], "\n", 2)[0], ` "tray"`) {
		t.Errorf("ExecStart does not pass --state-dir and tray:\n%s", text)
	}
	if target, err := os.Readlink(link); err != nil || target != unit {
		t.Fatalf("link %s → %q, %v", link, target, err)
	}
	calls := env.Calls()
	if !slices.Contains(calls, "enable --user magister-notify.service") || !slices.Contains(calls, "daemon-reload --user") {
		t.Fatalf("systemctl calls: %q", calls)
	}
	// systemd itself accepts the unit, and finds the program behind the
	// escaped path (it checks that ExecStart's program is executable).
	verifyUnit(t, unit)
}

func TestSystemdUnitWithoutGraphicalSession(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(false)
	exe, _ := recorder(t)
	a := newAutostart(t, Options{Method: Systemd, Exe: exe})
	res := install(t, a)
	unit := filepath.Join(env.UnitDir(), "magister-notify.service")
	text := readFile(t, unit)
	if !hasLine(text, "WantedBy=default.target") || strings.Contains(text, "PartOf=") || strings.Contains(text, "After=") {
		t.Fatalf("unit without a graphical session:\n%s", text)
	}
	if _, err := os.Lstat(filepath.Join(env.UnitDir(), "default.target.wants", "magister-notify.service")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Message, "default.target") {
		t.Errorf("message does not say why: %q", res.Message)
	}
	verifyUnit(t, unit)
}

func TestSystemdInstallTwiceUninstallTwice(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	exe, _ := recorder(t)
	a := newAutostart(t, Options{Exe: exe})
	install(t, a)
	first := env.Tree()
	if res := install(t, a); res.Changed || res.Method != Systemd {
		t.Fatalf("second Install = %+v", res)
	}
	if got := env.Tree(); !slices.Equal(got, first) {
		t.Fatalf("second install changed the files:\n%q\n%q", first, got)
	}
	env.ResetCalls()
	if res := uninstall(t, a); !res.Changed || len(res.Paths) != 2 {
		t.Fatalf("Uninstall = %+v", res)
	}
	if calls := env.Calls(); !slices.Contains(calls, "disable --user magister-notify.service") || !slices.Contains(calls, "daemon-reload --user") {
		t.Fatalf("systemctl calls: %q", calls)
	}
	if tree := env.Tree(); len(tree) != 0 {
		t.Fatalf("left behind: %q", tree)
	}
	mustNotExist(t, filepath.Join(env.UnitDir(), "graphical-session.target.wants"))
	if res := uninstall(t, a); res.Changed || !strings.Contains(res.Message, "not installed") ||
		res.In("nl") != "Automatisch starten is niet ingesteld; er was niets te verwijderen." {
		t.Fatalf("second Uninstall = %+v", res)
	}
}

func TestSystemdFailureLeavesNothingBehind(t *testing.T) {
	for _, action := range []string{"enable", "daemon-reload"} {
		t.Run(action, func(t *testing.T) {
			env := installertest.New(t)
			env.SetGraphical(true)
			exe, _ := recorder(t)
			a := newAutostart(t, Options{Method: Systemd, Exe: exe})
			env.FailOn(action)
			if _, err := a.Install(context.Background()); err == nil {
				t.Fatal("Install succeeded although systemctl failed")
			}
			if !slices.ContainsFunc(env.Calls(), func(c string) bool { return strings.HasPrefix(c, action) }) {
				t.Fatalf("systemctl %s was never called: %q", action, env.Calls())
			}
			if tree := env.Tree(); len(tree) != 0 {
				t.Fatalf("a failed install left behind: %q", tree)
			}
		})
	}
}

func TestSystemdFailedReinstallKeepsTheOldUnit(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	exe, _ := recorder(t)
	install(t, newAutostart(t, Options{Exe: exe}))
	before := env.Tree()
	unit := filepath.Join(env.UnitDir(), "magister-notify.service")
	old := readFile(t, unit)

	env.FailOn("daemon-reload")
	a := newAutostart(t, Options{Exe: exe, StateDir: t.TempDir()})
	if _, err := a.Install(context.Background()); err == nil {
		t.Fatal("Install succeeded although systemctl failed")
	}
	if got := env.Tree(); !slices.Equal(got, before) {
		t.Fatalf("files after a failed reinstall:\n%q\nwant\n%q", got, before)
	}
	if readFile(t, unit) != old {
		t.Fatal("the old unit was not restored")
	}
}

func TestSystemdUninstallWithoutUserManager(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	exe, _ := recorder(t)
	a := newAutostart(t, Options{Exe: exe})
	install(t, a)
	env.FailOn("*")
	res := uninstall(t, a)
	if !res.Changed || !strings.Contains(res.Message, "next login") {
		t.Fatalf("Uninstall = %+v", res)
	}
	if tree := env.Tree(); len(tree) != 0 {
		t.Fatalf("left behind: %q", tree)
	}
}

func TestAutoPicksXDG(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(*installertest.Env)
		note  string
	}{
		{"no user manager", func(e *installertest.Env) { e.FailOn("*") }, "no systemd user manager"},
		{"no graphical session", func(e *installertest.Env) { e.SetGraphical(false) }, "graphical-session.target"},
		{"no systemctl", func(e *installertest.Env) { e.OnlyFakes(); os.Remove(filepath.Join(e.Bin, "systemctl")) }, "no systemd user manager"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := os.Getenv("PATH")
			env := installertest.New(t)
			c.setup(env)
			exe, _ := recorder(t)
			a := newAutostart(t, Options{Exe: exe})
			if st := status(t, a); st.Installed || st.Method != XDG || !strings.Contains(st.Note, c.note) {
				t.Fatalf("Status before = %+v", st)
			}
			res := install(t, a)
			entry := filepath.Join(env.ConfigHome, "autostart", "magister-notify.desktop")
			if res.Method != XDG || !res.Changed || !slices.Equal(res.Paths, []string{entry}) || !strings.Contains(res.Message, c.note) {
				t.Fatalf("Install = %+v", res)
			}
			mustNotExist(t, filepath.Join(env.UnitDir(), "magister-notify.service"))
			if st := status(t, a); !st.Installed || !st.Enabled || st.Method != XDG || st.Path != entry || st.Note != "" {
				t.Fatalf("Status after = %+v", st)
			}
			os.Setenv("PATH", path)
			validateDesktop(t, entry)
		})
	}
}

func TestXDGEntryStartsTheTray(t *testing.T) {
	env := installertest.New(t)
	exe, argv := recorder(t)
	stateDir := filepath.Join(t.TempDir(), awkwardName)
	a := newAutostart(t, Options{Method: XDG, Exe: exe, StateDir: stateDir})
	install(t, a)
	entry := filepath.Join(env.ConfigHome, "autostart", "magister-notify.desktop")
	validateDesktop(t, entry)
	if calls := env.Calls(); len(calls) != 0 {
		t.Fatalf("--method xdg called systemctl: %q", calls)
	}
	// GLib runs the entry the way a desktop does; the awkward names
	// arrive intact only if Exec is quoted and escaped correctly.
	mustRun(t, "gio", "launch", entry)
	if got, want := argv(), []string{exe, "--state-dir", stateDir, "tray"}; !slices.Equal(got, want) {
		t.Fatalf("the entry ran %q, want %q", got, want)
	}
	if res := install(t, a); res.Changed {
		t.Fatalf("second Install = %+v", res)
	}
	if res := uninstall(t, a); !res.Changed || !slices.Equal(res.Paths, []string{entry}) {
		t.Fatalf("Uninstall = %+v", res)
	}
	if res := uninstall(t, a); res.Changed {
		t.Fatalf("second Uninstall = %+v", res)
	}
	if tree := env.Tree(); len(tree) != 0 {
		t.Fatalf("left behind: %q", tree)
	}
}

func TestXDGDisabledEntry(t *testing.T) {
	env := installertest.New(t)
	exe, _ := recorder(t)
	a := newAutostart(t, Options{Method: XDG, Exe: exe})
	install(t, a)
	entry := filepath.Join(env.ConfigHome, "autostart", "magister-notify.desktop")
	if err := os.WriteFile(entry, []byte(readFile(t, entry)+"Hidden=true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st := status(t, a); !st.Installed || st.Enabled {
		t.Fatalf("Status of a hidden entry = %+v", st)
	}
	if st := status(t, newAutostart(t, Options{Method: XDG, Exe: exe, StateDir: t.TempDir()})); !strings.Contains(st.Note, "install` again") {
		t.Fatalf("Status for another state directory = %+v", st)
	}
}

func TestInstallingOneMethodRemovesTheOther(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	exe, _ := recorder(t)
	unit := filepath.Join(env.UnitDir(), "magister-notify.service")
	entry := filepath.Join(env.ConfigHome, "autostart", "magister-notify.desktop")

	install(t, newAutostart(t, Options{Method: XDG, Exe: exe}))
	res := install(t, newAutostart(t, Options{Exe: exe}))
	if res.Method != Systemd || !slices.Contains(res.Paths, entry) {
		t.Fatalf("Install = %+v", res)
	}
	mustNotExist(t, entry)
	res = install(t, newAutostart(t, Options{Method: XDG, Exe: exe}))
	if res.Method != XDG || !slices.Contains(res.Paths, unit) {
		t.Fatalf("Install = %+v", res)
	}
	mustNotExist(t, unit)
	if tree := env.Tree(); !slices.Equal(tree, []string{"config/autostart/magister-notify.desktop"}) {
		t.Fatalf("files: %q", tree)
	}
}

func TestAutoKeepsAGraphicalUnitOutsideTheSession(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	exe, _ := recorder(t)
	a := newAutostart(t, Options{Exe: exe})
	install(t, a)
	env.SetGraphical(false) // say, over ssh after the desktop session ended
	if res := install(t, a); res.Method != Systemd || res.Changed {
		t.Fatalf("Install = %+v", res)
	}
}

func TestSystemdStatus(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	exe, _ := recorder(t)
	a := newAutostart(t, Options{Exe: exe})
	if st := status(t, a); st.Installed || st.Method != Systemd || st.Note != "" {
		t.Fatalf("Status before = %+v", st)
	}
	install(t, a)
	st := status(t, a)
	if !st.Installed || !st.Enabled || st.Running || st.Method != Systemd || !strings.HasSuffix(st.Command, `"tray"`) {
		t.Fatalf("Status = %+v", st)
	}
	env.SetActive("active")
	if st := status(t, a); !st.Running {
		t.Fatalf("Status while active = %+v", st)
	}
	if err := os.Remove(filepath.Join(env.UnitDir(), "graphical-session.target.wants", "magister-notify.service")); err != nil {
		t.Fatal(err)
	}
	if st := status(t, a); st.Enabled || !strings.Contains(st.Note, "not enabled") {
		t.Fatalf("Status without the link = %+v", st)
	}
	on, available, why, err := a.Toggle().Status(context.Background())
	if err != nil || on || !available || !strings.Contains(why, "systemd") {
		t.Fatalf("Toggle.Status = %v %v %q %v", on, available, why, err)
	}
}

func TestToggle(t *testing.T) {
	env := installertest.New(t)
	env.FailOn("*")
	exe, _ := recorder(t)
	tg := newAutostart(t, Options{Exe: exe}).Toggle()
	ctx := context.Background()
	if err := tg.Install(ctx); err != nil {
		t.Fatal(err)
	}
	if on, available, why, err := tg.Status(ctx); err != nil || !on || !available || !strings.Contains(why, "XDG") {
		t.Fatalf("Status after Install = %v %v %q %v", on, available, why, err)
	}
	if err := tg.Uninstall(ctx); err != nil {
		t.Fatal(err)
	}
	if on, _, _, err := tg.Status(ctx); err != nil || on {
		t.Fatalf("Status after Uninstall = %v, %v", on, err)
	}
}

func TestStartAndStop(t *testing.T) {
	ctx := context.Background()
	t.Run("detached", func(t *testing.T) {
		installertest.New(t)
		exe, argv := recorder(t)
		res, err := newAutostart(t, Options{Method: XDG, Exe: exe}).Start(ctx)
		if err != nil || !res.Changed || !strings.Contains(res.Message, "pid") {
			t.Fatalf("Start = %+v, %v", res, err)
		}
		if got := argv(); !slices.Equal(got, []string{exe, "tray"}) {
			t.Fatalf("started %q", got)
		}
	})
	t.Run("already running", func(t *testing.T) {
		env := installertest.New(t)
		env.SetGraphical(true)
		exe, _ := recorder(t)
		running := func() (int, bool) { return 4242, true }
		a := newAutostart(t, Options{Exe: exe, TrayPID: running})
		install(t, a)
		env.ResetCalls()
		res, err := a.Start(ctx)
		if err != nil || res.Changed || !strings.Contains(res.Message, "already running (pid 4242)") || len(env.Calls()) != 0 {
			t.Fatalf("Start = %+v, %v; calls %q", res, err, env.Calls())
		}
	})
	t.Run("systemd", func(t *testing.T) {
		env := installertest.New(t)
		env.SetGraphical(true)
		exe, _ := recorder(t)
		a := newAutostart(t, Options{Exe: exe})
		install(t, a)
		env.ResetCalls()
		if res, err := a.Start(ctx); err != nil || !res.Changed || res.Method != Systemd {
			t.Fatalf("Start = %+v, %v", res, err)
		}
		env.SetActive("active")
		if res, err := a.Stop(ctx); err != nil || !res.Changed {
			t.Fatalf("Stop = %+v, %v", res, err)
		}
		if calls := env.Calls(); !slices.Contains(calls, "start --user magister-notify.service") ||
			!slices.Contains(calls, "stop --user magister-notify.service") {
			t.Fatalf("systemctl calls: %q", calls)
		}
	})
	t.Run("stop by pid", func(t *testing.T) {
		installertest.New(t)
		exe, _ := recorder(t)
		tray := exec.Command("sleep", "60")
		if err := tray.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tray.Process.Kill() })
		a := newAutostart(t, Options{Method: XDG, Exe: exe, TrayPID: func() (int, bool) { return tray.Process.Pid, true }})
		res, err := a.Stop(ctx)
		if err != nil || !res.Changed || !strings.Contains(res.Message, "quit") {
			t.Fatalf("Stop = %+v, %v", res, err)
		}
		var exit *exec.ExitError
		if err := tray.Wait(); !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Fatalf("the tray ended with %v, want SIGTERM", err)
		}
	})
	t.Run("nothing to stop", func(t *testing.T) {
		installertest.New(t)
		exe, _ := recorder(t)
		res, err := newAutostart(t, Options{Exe: exe, TrayPID: func() (int, bool) { return 0, false }}).Stop(ctx)
		if err != nil || res.Changed || res.Message != "The tray is not running." || res.In("nl") != "De tray draait niet." {
			t.Fatalf("Stop = %+v, %v", res, err)
		}
	})
}

func TestNewRefusesOtherMethods(t *testing.T) {
	for _, m := range []Method{Launchd, RunKey, "cron"} {
		if _, err := New(Options{Method: m}); !errors.Is(err, ErrUnknownMethod) {
			t.Errorf("New(%q) = %v, want ErrUnknownMethod", m, err)
		}
	}
	if _, err := New(Options{Exe: "/nonexistent/magister-notify"}); err == nil {
		t.Error("New accepted a binary that does not exist")
	}
	if _, err := New(Options{StateDir: "/tmp/a\nb"}); err == nil {
		t.Error("New accepted a state directory with a newline")
	}
	exe, _ := recorder(t)
	for _, c := range []string{`'`, `"`, `\`, `%`} {
		odd := filepath.Join(t.TempDir(), "a"+c+"b")
		if err := os.Link(exe, odd); err != nil {
			t.Fatal(err)
		}
		if _, err := New(Options{Exe: odd}); err == nil || !strings.Contains(err.Error(), "plain path") {
			t.Errorf("New(%q) = %v, want a refusal", odd, err)
		}
	}
}

func TestNewResolvesSymlinks(t *testing.T) {
	exe, _ := recorder(t)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	a := newAutostart(t, Options{Exe: link, StateDir: "relative"})
	wd, _ := os.Getwd()
	if a.cfg.exe != exe || !slices.Equal(a.cfg.args, []string{"--state-dir", filepath.Join(wd, "relative"), "tray"}) {
		t.Fatalf("cfg = %+v", a.cfg)
	}
}
