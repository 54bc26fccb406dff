package installer

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kardianos/service"
)

// unitTemplate is our systemd user unit in kardianos/service's template
// syntax. kardianos's own unit is wrong for a tray: WantedBy=multi-user.target
// never starts in a user manager, Restart=always brings the tray back after
// the user chose Quit, and it reads an EnvironmentFile under /etc.
//
// The only keys kardianos passes that we need are Description, Path,
// Arguments and Dependencies. Dependencies carries the [Unit] lines that bind
// the tray to graphical-session.target, and the template's
// {{if Dependencies}} turns the same fact into WantedBy: the graphical
// session when we are bound to it, default.target otherwise.
//
//go:embed systemd.service
var unitTemplate string

const (
	unitName        = serviceName + ".service"
	unitDescription = "magister-notify: desktop notifications for Magister 6"
	graphicalTarget = "graphical-session.target"
)

// systemdUnit is the systemd user unit ~/.config/systemd/user/magister-notify.service.
//
// It is written through kardianos/service, but kardianos does not decide
// whether systemd is there: its detection runs once, globally, at start-up
// and picks SysV in containers, which refuses user services. We ask the user
// manager ourselves (probeSystemd) and take kardianos's systemd backend from
// service.AvailableSystems directly; System.New detects nothing and, unlike
// service.ChooseSystem, changes no package state. Around kardianos we add
// what it lacks: installing twice (it refuses an existing unit), and undoing
// a failed install (it leaves the unit and links behind when enable or
// daemon-reload fails).
type systemdUnit struct {
	exe       string
	args      []string
	graphical bool // bind to graphical-session.target
}

// program satisfies service.Interface; the tray never runs through kardianos.
type program struct{}

func (program) Start(service.Service) error { return nil }
func (program) Stop(service.Service) error  { return nil }

func (u systemdUnit) service() (service.Service, error) {
	var sys service.System
	for _, s := range service.AvailableSystems() {
		if s.String() == "linux-systemd" {
			sys = s
		}
	}
	if sys == nil {
		return nil, errors.New("installer: kardianos/service offers no linux-systemd backend")
	}
	cfg := &service.Config{
		Name:        serviceName,
		Description: unitDescription,
		Executable:  u.exe,
		Option:      service.KeyValue{"UserService": true, "SystemdScript": unitTemplate},
	}
	for _, a := range u.args {
		cfg.Arguments = append(cfg.Arguments, systemdEscape(a))
	}
	if u.graphical {
		cfg.Dependencies = []string{"PartOf=" + graphicalTarget, "After=" + graphicalTarget}
	}
	return sys.New(program{}, cfg)
}

// systemdEscape protects what systemd would otherwise interpret in an
// ExecStart argument: specifiers (%), variables ($) and C escapes (\).
// kardianos quotes each argument ("…", escaping "). The program's path needs
// none of this: checkExe refuses the characters systemd does not allow there.
func systemdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `%%`, `$`, `$$`).Replace(s)
}

// unitDir is where kardianos writes user units: $HOME/.config/systemd/user.
// The user manager reads $XDG_CONFIG_HOME/systemd/user instead only when its
// own environment sets XDG_CONFIG_HOME elsewhere, which sessions do not do.
func unitDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("installer: %w", err)
	}
	return filepath.Join(home, ".config", "systemd", "user"), nil
}

// unitFiles is everything of ours in the unit directory: the unit and the
// links that enabling it created.
type unitFiles struct {
	unit  []byte            // nil when there is no unit file
	links map[string]string // link path → target
}

func (f unitFiles) empty() bool { return f.unit == nil && len(f.links) == 0 }

func (f unitFiles) equal(g unitFiles) bool {
	return (f.unit == nil) == (g.unit == nil) && bytes.Equal(f.unit, g.unit) && maps.Equal(f.links, g.links)
}

func (f unitFiles) paths(dir string) []string {
	var p []string
	if f.unit != nil {
		p = append(p, filepath.Join(dir, unitName))
	}
	return append(p, slices.Sorted(maps.Keys(f.links))...)
}

func snapshotUnit(dir string) (unitFiles, error) {
	f := unitFiles{links: map[string]string{}}
	data, err := os.ReadFile(filepath.Join(dir, unitName))
	switch {
	case err == nil:
		f.unit = data
	case !errors.Is(err, fs.ErrNotExist):
		return f, fmt.Errorf("installer: %w", err)
	}
	links, err := unitLinks(dir)
	for _, l := range links {
		if target, err := os.Readlink(l); err == nil {
			f.links[l] = target
		}
	}
	return f, err
}

// unitLinks lists the links to our unit in <target>.wants and .requires.
func unitLinks(dir string) ([]string, error) {
	var links []string
	for _, pattern := range []string{"*.wants", "*.requires"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern, unitName))
		if err != nil {
			return nil, fmt.Errorf("installer: %w", err)
		}
		links = append(links, m...)
	}
	return links, nil
}

// removeUnitFiles removes the unit, its links and the .wants directories
// that they leave empty.
func removeUnitFiles(dir string) error {
	links, err := unitLinks(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, l := range links {
		if _, err := removeFile(l); err != nil {
			errs = append(errs, err)
		}
		os.Remove(filepath.Dir(l)) // only succeeds when empty
	}
	if _, err := removeFile(filepath.Join(dir, unitName)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func restoreUnitFiles(dir string, f unitFiles) error {
	var errs []error
	if f.unit != nil {
		if err := os.WriteFile(filepath.Join(dir, unitName), f.unit, 0o644); err != nil {
			errs = append(errs, err)
		}
	}
	for l, target := range f.links {
		if err := os.MkdirAll(filepath.Dir(l), 0o755); err != nil {
			errs = append(errs, err)
		} else if err := os.Symlink(target, l); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (u systemdUnit) install(ctx context.Context) (Result, error) {
	dir, err := unitDir()
	if err != nil {
		return Result{}, err
	}
	svc, err := u.service()
	if err != nil {
		return Result{}, err
	}
	before, err := snapshotUnit(dir)
	if err != nil {
		return Result{}, err
	}
	if err := removeUnitFiles(dir); err != nil {
		return Result{}, err
	}
	if err := svc.Install(); err != nil {
		// Put back exactly what was there: nothing, or the previous unit
		// with its links. Only files are touched, so this works even when
		// systemctl does not.
		undo := errors.Join(removeUnitFiles(dir), restoreUnitFiles(dir, before))
		systemctl(ctx, "daemon-reload")
		err = fmt.Errorf("installer: install the systemd user unit (systemctl --user enable, daemon-reload): %w", err)
		if undo != nil {
			err = fmt.Errorf("%w; undoing it failed too: %v", err, undo)
		}
		return Result{}, err
	}
	after, err := snapshotUnit(dir)
	if err != nil {
		return Result{}, err
	}
	path := filepath.Join(dir, unitName)
	when := "with your graphical session"
	if !u.graphical {
		when = "when your user's systemd starts (default.target)"
	}
	return Result{Method: Systemd, Changed: !after.equal(before), Paths: after.paths(dir),
		Message: fmt.Sprintf("Installed and enabled the systemd user unit %s; the tray starts %s at the next login. Undo with `magister-notify service uninstall`.", path, when)}, nil
}

func (u systemdUnit) uninstall(ctx context.Context) (Result, error) {
	dir, err := unitDir()
	if err != nil {
		return Result{}, err
	}
	before, err := snapshotUnit(dir)
	if err != nil || before.empty() {
		return Result{Method: Systemd}, err
	}
	svc, err := u.service()
	if err != nil {
		return Result{}, err
	}
	// kardianos disables, removes and reloads, but stops at the first
	// failure (disable fails when systemd does not know the unit); sweep
	// up after it whatever happened.
	kerr := svc.Uninstall()
	if err := removeUnitFiles(dir); err != nil {
		return Result{}, err
	}
	for l := range before.links {
		os.Remove(filepath.Dir(l)) // only succeeds when empty
	}
	msg := fmt.Sprintf("Removed the systemd user unit %s and its links.", filepath.Join(dir, unitName))
	if kerr != nil {
		if err := systemctl(ctx, "daemon-reload"); err != nil {
			msg += " systemd could not be told (" + err.Error() + "); it forgets the unit at the next login."
		}
	}
	return Result{Method: Systemd, Changed: true, Paths: before.paths(dir), Message: msg}, nil
}

func (u systemdUnit) status() (Status, error) {
	dir, err := unitDir()
	if err != nil {
		return Status{}, err
	}
	f, err := snapshotUnit(dir)
	if err != nil {
		return Status{}, err
	}
	st := Status{Method: Systemd, Path: filepath.Join(dir, unitName), Installed: f.unit != nil,
		Enabled: f.unit != nil && len(f.links) > 0}
	if !st.Installed {
		return st, nil
	}
	for line := range strings.Lines(string(f.unit)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "ExecStart="); ok {
			st.Command = v
		}
	}
	svc, err := u.service()
	if err != nil {
		return st, err
	}
	s, err := svc.Status()
	st.Running = s == service.StatusRunning
	if err != nil && !errors.Is(err, service.ErrNotInstalled) {
		st.Note = "systemd reports: " + err.Error() + "; see `journalctl --user -u " + unitName + "`"
	}
	if !st.Enabled {
		st.Note = strings.TrimPrefix(st.Note+"; the unit is not enabled (`systemctl --user enable "+unitName+"`)", "; ")
	}
	return st, nil
}

func (u systemdUnit) start() error {
	svc, err := u.service()
	if err == nil {
		err = svc.Start()
	}
	if err != nil {
		return fmt.Errorf("installer: systemctl --user start %s: %w", unitName, err)
	}
	return nil
}

func (u systemdUnit) stop() error {
	svc, err := u.service()
	if err == nil {
		err = svc.Stop()
	}
	if err != nil {
		return fmt.Errorf("installer: systemctl --user stop %s: %w", unitName, err)
	}
	return nil
}

// probeSystemd asks the user manager whether the graphical session target is
// active. An error (wrapping ErrNoUserManager) means there is no manager to
// ask: no systemctl, no user bus (containers, other init systems).
func probeSystemd(ctx context.Context) (graphical bool, err error) {
	out, err := systemctlOutput(ctx, "show", graphicalTarget, "--property=ActiveState", "--value")
	if err != nil {
		return false, fmt.Errorf("%w (%v)", ErrNoUserManager, err)
	}
	return strings.TrimSpace(out) == "active", nil
}

// systemctl runs systemctl --user with args.
func systemctl(ctx context.Context, args ...string) error {
	_, err := systemctlOutput(ctx, args...)
	return err
}

func systemctlOutput(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "systemctl", append([]string{"--user"}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n"); msg != "" {
			return "", fmt.Errorf("systemctl --user %s: %s", args[0], msg)
		}
		return "", fmt.Errorf("systemctl --user %s: %w", args[0], err)
	}
	return stdout.String(), nil
}
