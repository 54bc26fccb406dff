//go:build linux

// Package installertest gives tests a throw-away Linux desktop user: a
// temporary HOME with its own XDG directories, and a fake systemctl first on
// PATH that records its calls, enables units the way systemctl does, and can
// be told to fail.
package installertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSystemctl behaves like `systemctl --user` as far as the installer
// uses it. Files next to it steer it: "fail" holds an action that fails
// (or * for every call), "graphical" the ActiveState that `show` prints for
// graphical-session.target, "active" what is-active prints.
const fakeSystemctl = `#!/bin/sh
PATH=/usr/bin:/bin
d=$(dirname "$0")
printf '%s\n' "$*" >> "$d/systemctl.log"
fail=$(cat "$d/fail" 2>/dev/null)
action=
unit=
for a in "$@"; do
	case "$a" in
	-*) ;;
	*) if [ -z "$action" ]; then action=$a; elif [ -z "$unit" ]; then unit=$a; fi ;;
	esac
done
if [ "$fail" = "*" ] || [ "$fail" = "$action" ]; then
	echo "Failed to $action: told to fail by the test" >&2
	exit 1
fi
dir="$HOME/.config/systemd/user"
case "$action" in
show)
	cat "$d/graphical" 2>/dev/null || echo inactive ;;
enable)
	[ -f "$dir/$unit" ] || { echo "Failed to enable unit: Unit file $unit does not exist." >&2; exit 1; }
	for target in $(sed -n 's/^WantedBy=//p' "$dir/$unit"); do
		mkdir -p "$dir/$target.wants"
		ln -sf "$dir/$unit" "$dir/$target.wants/$unit"
		echo "Created symlink $dir/$target.wants/$unit → $dir/$unit." >&2
	done ;;
disable)
	[ -f "$dir/$unit" ] || { echo "Failed to disable unit: Unit file $unit does not exist." >&2; exit 1; }
	rm -f "$dir"/*.wants/"$unit" ;;
is-active)
	s=$(cat "$d/active" 2>/dev/null || echo inactive)
	echo "$s"
	[ "$s" = active ] ;;
esac
exit 0
`

// Env is a temporary desktop user; New makes it the environment of the test.
type Env struct {
	Home       string // $HOME
	ConfigHome string // $XDG_CONFIG_HOME
	DataHome   string // $XDG_DATA_HOME
	RuntimeDir string // $XDG_RUNTIME_DIR (0700), for systemd-analyze
	Bin        string // first on $PATH; holds the fake systemctl

	t testing.TB
}

// New creates the directories and sets HOME, the XDG variables and PATH for
// the rest of the test (so the test must not be parallel).
// XDG_CURRENT_DESKTOP and DBUS_SESSION_BUS_ADDRESS are cleared, so that
// xdg-mime and gio take their generic paths.
func New(t testing.TB) *Env {
	t.Helper()
	root := t.TempDir()
	e := &Env{
		Home:       filepath.Join(root, "home"),
		ConfigHome: filepath.Join(root, "home", "config"),
		DataHome:   filepath.Join(root, "home", "data"),
		RuntimeDir: filepath.Join(root, "run"),
		Bin:        filepath.Join(root, "bin"),
		t:          t,
	}
	for _, d := range []string{e.Home, e.ConfigHome, e.DataHome, e.RuntimeDir, e.Bin} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(e.Bin, "systemctl"), []byte(fakeSystemctl), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", e.Home)
	t.Setenv("XDG_CONFIG_HOME", e.ConfigHome)
	t.Setenv("XDG_DATA_HOME", e.DataHome)
	t.Setenv("XDG_RUNTIME_DIR", e.RuntimeDir)
	t.Setenv("XDG_CONFIG_DIRS", filepath.Join(root, "etc-xdg"))
	t.Setenv("XDG_DATA_DIRS", filepath.Join(root, "usr-share"))
	t.Setenv("XDG_CURRENT_DESKTOP", "")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("PATH", e.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return e
}

// UnitDir is where systemd user units live: $HOME/.config/systemd/user.
func (e *Env) UnitDir() string { return filepath.Join(e.Home, ".config", "systemd", "user") }

// OnlyFakes leaves the fake systemctl as the only program on PATH, as on a
// system without xdg-utils.
func (e *Env) OnlyFakes() { e.t.Setenv("PATH", e.Bin) }

// FailOn makes systemctl fail for action ("enable", "daemon-reload", …;
// "*" for every call; "" for none).
func (e *Env) FailOn(action string) { e.write("fail", action) }

// SetGraphical says whether graphical-session.target is active.
func (e *Env) SetGraphical(active bool) {
	if active {
		e.write("graphical", "active")
	} else {
		e.write("graphical", "inactive")
	}
}

// SetActive sets what `systemctl --user is-active` prints ("active", …).
func (e *Env) SetActive(state string) { e.write("active", state) }

// Calls returns the systemctl command lines so far, one per call.
func (e *Env) Calls() []string {
	data, err := os.ReadFile(filepath.Join(e.Bin, "systemctl.log"))
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// ResetCalls forgets the calls so far.
func (e *Env) ResetCalls() { os.Remove(filepath.Join(e.Bin, "systemctl.log")) }

func (e *Env) write(name, content string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.Bin, name), []byte(content+"\n"), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// Tree lists every file and link below HOME (relative, sorted, links as
// "path -> target"), to compare states before and after.
func (e *Env) Tree() []string {
	e.t.Helper()
	var out []string
	err := filepath.WalkDir(e.Home, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(e.Home, path)
		if d.Type()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			rel += " -> " + target
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}
