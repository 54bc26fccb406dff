package installer

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/installer/installertest"
)

// kardianosUnit is the unit that earlier versions wrote through
// kardianos/service v1.3.0 (its linux-systemd backend and our template),
// for EXE and STATE, with and without the graphical session. Installing
// again over it must change nothing.
const kardianosUnit = `# The magister-notify tray, written by ` + "`magister-notify service install`" + `.
# Remove it with ` + "`magister-notify service uninstall`" + `.
[Unit]
Description=magister-notify: desktop notifications for Magister 6
GRAPHICALStartLimitIntervalSec=300
StartLimitBurst=5

[Service]
ExecStart=EXE "--state-dir" "STATE" "tray"
Restart=on-failure
# 6: another tray already runs (started by hand); restarting would not help.
RestartPreventExitStatus=6
RestartSec=10

[Install]
WantedBy=TARGET
`

func TestSystemdUnitIsTheOneKardianosWrote(t *testing.T) {
	for _, graphical := range []bool{true, false} {
		env := installertest.New(t)
		env.SetGraphical(graphical)
		exe, _ := recorder(t)
		stateDir := filepath.Join(t.TempDir(), awkwardName)
		// What kardianos's cmdEscape did to the path and its cmd to each
		// argument (after systemdEscape), copied from a unit it wrote.
		want := strings.NewReplacer(
			"EXE", strings.TrimSuffix(exe, awkwardExeDir+"/magister-notify")+`dir\x20with\x20$HOME;\x20(and)\x20spaces/magister-notify`,
			"STATE", filepath.Dir(stateDir)+`/it's a \"dir\" with $$HOME, 100%% %%u \\ and spaces`,
		).Replace(kardianosUnit)
		if graphical {
			want = strings.Replace(want, "GRAPHICAL", "PartOf=graphical-session.target\nAfter=graphical-session.target\n", 1)
			want = strings.Replace(want, "TARGET", "graphical-session.target", 1)
		} else {
			want = strings.Replace(want, "GRAPHICAL", "", 1)
			want = strings.Replace(want, "TARGET", "default.target", 1)
		}
		unit := filepath.Join(env.UnitDir(), "magister-notify.service")
		if err := os.MkdirAll(env.UnitDir(), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(unit, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		target := "default.target"
		if graphical {
			target = "graphical-session.target"
		}
		link := filepath.Join(env.UnitDir(), target+".wants", "magister-notify.service")
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(unit, link); err != nil {
			t.Fatal(err)
		}

		res := install(t, newAutostart(t, Options{Method: Systemd, Exe: exe, StateDir: stateDir}))
		if res.Changed {
			t.Errorf("graphical %v: installing over the unit kardianos wrote changed it:\n%s\nwas\n%s", graphical, readFile(t, unit), want)
		}
		if got := readFile(t, unit); got != want {
			t.Errorf("graphical %v: unit\n%s\nwant\n%s", graphical, got, want)
		}
		verifyUnit(t, unit)
	}
}

func TestSystemdSwitchingTargetMovesTheLink(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	exe, _ := recorder(t)
	install(t, newAutostart(t, Options{Exe: exe}))
	env.SetGraphical(false)
	res := install(t, newAutostart(t, Options{Method: Systemd, Exe: exe}))
	if !res.Changed {
		t.Errorf("Install = %+v, want Changed", res)
	}
	want := []string{
		".config/systemd/user/default.target.wants/magister-notify.service -> " + filepath.Join(env.UnitDir(), "magister-notify.service"),
		".config/systemd/user/magister-notify.service",
	}
	if got := env.Tree(); !slices.Equal(got, want) {
		t.Fatalf("files:\n%q\nwant\n%q", got, want)
	}
	mustNotExist(t, filepath.Join(env.UnitDir(), "graphical-session.target.wants"))
}

func TestSystemdFailureSaysWhichCommand(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	exe, _ := recorder(t)
	env.FailOn("enable")
	_, err := newAutostart(t, Options{Method: Systemd, Exe: exe}).Install(context.Background())
	want := "installer: install the systemd user unit: systemctl --user enable magister-notify.service: Failed to enable: told to fail by the test"
	if err == nil || err.Error() != want {
		t.Fatalf("Install error = %v\nwant %s", err, want)
	}
}

func TestSystemdStatusReportsTheUnitState(t *testing.T) {
	for _, c := range []struct {
		state   string
		running bool
		note    string
	}{
		{"active", true, ""},
		{"activating", true, ""},
		{"reloading", true, ""},
		{"inactive", false, ""},
		{"deactivating", false, ""},
		{"unknown", false, ""},
		{"failed", false, "systemd reports: service in failed state; see `journalctl --user -u magister-notify.service`"},
	} {
		t.Run(c.state, func(t *testing.T) {
			env := installertest.New(t)
			env.SetGraphical(true)
			exe, _ := recorder(t)
			a := newAutostart(t, Options{Exe: exe})
			install(t, a)
			env.SetActive(c.state)
			env.ResetCalls()
			st := status(t, a)
			if st.Running != c.running {
				t.Errorf("Running = %v, want %v", st.Running, c.running)
			}
			if st.Note != c.note {
				t.Errorf("Note = %q, want %q", st.Note, c.note)
			}
			if calls := env.Calls(); !slices.Equal(calls, []string{"is-active --user magister-notify.service"}) {
				t.Errorf("systemctl calls: %q", calls)
			}
		})
	}
}

func TestSystemdStatusWithoutSystemctl(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	exe, _ := recorder(t)
	a := newAutostart(t, Options{Method: Systemd, Exe: exe})
	install(t, a)
	env.OnlyFakes()
	if err := os.Remove(filepath.Join(env.Bin, "systemctl")); err != nil {
		t.Fatal(err)
	}
	st := status(t, a)
	if !st.Installed || !st.Enabled || st.Running {
		t.Errorf("Status = %+v, want installed, enabled, not running", st)
	}
	if !strings.Contains(st.Note, "is-active") || !strings.Contains(st.Note, exec.ErrNotFound.Error()) {
		t.Errorf("Note = %q, want why systemctl could not be asked", st.Note)
	}
}

func TestSystemdStartFailureSaysWhy(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	exe, _ := recorder(t)
	a := newAutostart(t, Options{Exe: exe})
	install(t, a)
	env.FailOn("start")
	_, err := a.Start(context.Background())
	want := "installer: systemctl --user start magister-notify.service: Failed to start: told to fail by the test"
	if err == nil || err.Error() != want {
		t.Fatalf("Start error = %v\nwant %s", err, want)
	}
}

// TestLinuxBuildLeavesOutKardianos: kardianos/service detects the init
// system in its package init, which every run of every command would pay
// for (issue 12); on Linux the installer does without it.
func TestLinuxBuildLeavesOutKardianos(t *testing.T) {
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "list", "-deps", "github.com/magister-notify/magister-notify/cmd/magister-notify")
	cmd.Env = append(os.Environ(), "GOOS=linux")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/magister-notify/magister-notify/installer") {
		t.Fatalf("go list -deps does not list the installer:\n%s", out)
	}
	if slices.Contains(deps, "github.com/kardianos/service") {
		t.Fatal("the Linux build of magister-notify links github.com/kardianos/service")
	}
}
