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
	"sync"
	"text/template"
	"time"

	"github.com/magister-notify/magister-notify/internal/atomicfile"
)

// unitText is our systemd user unit, a text/template filled with unitData.
// A generic service unit is wrong for a tray: WantedBy=multi-user.target
// never starts in a user manager and Restart=always brings the tray back
// after the user chose Quit. Whether the tray is bound to
// graphical-session.target gives both the [Unit] lines and WantedBy: the
// graphical session, or default.target otherwise.
//
//go:embed systemd.service
var unitText string

// unitTemplate is parsed when first used, not at start-up: most runs of the
// program write no unit.
var unitTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("systemd.service").Parse(unitText))
})

// unitData fills unitTemplate.
type unitData struct {
	Description string
	ExecStart   string
	Graphical   bool
}

const (
	unitName        = serviceName + ".service"
	unitDescription = "magister-notify: desktop notifications for Magister 6"
	graphicalTarget = "graphical-session.target"
)

// systemdUnit is the systemd user unit ~/.config/systemd/user/magister-notify.service.
//
// We write the file ourselves and ask systemctl --user to enable, disable,
// start, stop and report it; nothing here decides at start-up which init
// system runs (probeSystemd asks the user manager when it matters).
// Installing again replaces the unit, and a failed install puts back what
// was there before: the previous unit with its links, or nothing.
type systemdUnit struct {
	exe       string
	args      []string
	graphical bool // bind to graphical-session.target
}

// render returns the unit file's contents.
func (u systemdUnit) render() ([]byte, error) {
	var b bytes.Buffer
	err := unitTemplate().Execute(&b, unitData{
		Description: unitDescription,
		ExecStart:   execStart(u.exe, u.args),
		Graphical:   u.graphical,
	})
	return b.Bytes(), err
}

// execStart is the value of ExecStart: the program with its spaces escaped
// (checkExe refuses the characters systemd does not allow there), then each
// argument quoted and escaped (systemdEscape). The unit written by earlier
// versions through kardianos/service had exactly this form, so installing
// again over one of those changes nothing.
func execStart(exe string, args []string) string {
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(exe, " ", `\x20`))
	for _, a := range args {
		b.WriteString(` "` + strings.ReplaceAll(systemdEscape(a), `"`, `\"`) + `"`)
	}
	return b.String()
}

// systemdEscape protects what systemd would otherwise interpret in an
// ExecStart argument: specifiers (%), variables ($) and C escapes (\).
// execStart then quotes the argument ("…", escaping ").
func systemdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `%%`, `$`, `$$`).Replace(s)
}

// unitDir is where user units go: $HOME/.config/systemd/user.
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

// removeLinks removes the links to our unit and the .wants directories that
// they leave empty.
func removeLinks(dir string) error {
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
	return errors.Join(errs...)
}

// removeUnitFiles removes the unit, its links and the .wants directories
// that they leave empty.
func removeUnitFiles(dir string) error {
	err := removeLinks(dir)
	if _, rerr := removeFile(filepath.Join(dir, unitName)); rerr != nil {
		err = errors.Join(err, rerr)
	}
	return err
}

func restoreUnitFiles(dir string, f unitFiles) error {
	var errs []error
	if f.unit != nil {
		if err := atomicfile.WriteFile(filepath.Join(dir, unitName), f.unit, 0o644); err != nil {
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
	data, err := u.render()
	if err != nil {
		return Result{}, fmt.Errorf("installer: render %s: %w", unitName, err)
	}
	before, err := snapshotUnit(dir)
	if err != nil {
		return Result{}, err
	}
	if err := enableUnit(ctx, dir, data); err != nil {
		// Put back exactly what was there: nothing, or the previous unit
		// with its links. Only files are touched, so this works even when
		// systemctl does not.
		undo := errors.Join(removeUnitFiles(dir), restoreUnitFiles(dir, before))
		systemctl(ctx, "daemon-reload")
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
	when, wanneer := "with your graphical session", "met je grafische sessie"
	if !u.graphical {
		when, wanneer = "when your user's systemd starts (default.target)", "zodra de systemd van je gebruiker start (default.target)"
	}
	return Result{Method: Systemd, Changed: !after.equal(before), Paths: after.paths(dir)}.Saying(
		fmt.Sprintf("Installed and enabled the systemd user unit %s; the tray starts %s at the next login. Undo with `magister-notify service uninstall`.", path, when),
		fmt.Sprintf("De systemd-gebruikersunit %s is ingesteld en ingeschakeld; de tray start %s bij de volgende login. Ongedaan maken met `magister-notify service uninstall`.", path, wanneer)), nil
}

// enableUnit replaces the unit with data and enables it afresh. The links
// of an earlier install go first: they may name the other target.
func enableUnit(ctx context.Context, dir string, data []byte) error {
	if err := removeLinks(dir); err != nil {
		return err
	}
	if _, err := writeFileAtomic(filepath.Join(dir, unitName), data, 0o644); err != nil {
		return err
	}
	err := systemctl(ctx, "enable", unitName)
	if err == nil {
		err = systemctl(ctx, "daemon-reload")
	}
	if err != nil {
		return fmt.Errorf("installer: install the systemd user unit: %w", err)
	}
	return nil
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
	// disable removes the links systemd knows of, and fails when it does
	// not know the unit or does not answer; whatever it did, the files go.
	systemctl(ctx, "disable", unitName)
	if err := removeUnitFiles(dir); err != nil {
		return Result{}, err
	}
	for l := range before.links {
		os.Remove(filepath.Dir(l)) // only succeeds when empty
	}
	msg := fmt.Sprintf("Removed the systemd user unit %s and its links.", filepath.Join(dir, unitName))
	nl := fmt.Sprintf("De systemd-gebruikersunit %s en zijn koppelingen zijn verwijderd.", filepath.Join(dir, unitName))
	if err := systemctl(ctx, "daemon-reload"); err != nil {
		msg += " systemd could not be told (" + err.Error() + "); it forgets the unit at the next login."
		nl += " systemd kon het niet worden gezegd (" + err.Error() + "); het vergeet de unit bij de volgende login."
	}
	return Result{Method: Systemd, Changed: true, Paths: before.paths(dir)}.Saying(msg, nl), nil
}

func (u systemdUnit) status(ctx context.Context) (Status, error) {
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
	st.Running, st.Note = unitActive(ctx)
	if !st.Enabled {
		st.Note = strings.TrimPrefix(st.Note+"; the unit is not enabled (`systemctl --user enable "+unitName+"`)", "; ")
	}
	return st, nil
}

// unitActive asks systemd whether the unit runs. is-active prints the
// unit's state and exits non-zero unless it is active; a user manager that
// does not answer or does not know the unit makes the tray "not running"
// without a note, since Enabled and the note about it say what matters.
func unitActive(ctx context.Context) (running bool, note string) {
	out, err := systemctlOutput(ctx, "is-active", unitName)
	var exit *exec.ExitError
	switch strings.TrimSpace(out) {
	case "active", "activating", "reloading":
		return true, ""
	case "failed":
		err = errors.New("service in failed state")
	default:
		if err == nil || errors.As(err, &exit) {
			return false, ""
		}
	}
	return false, "systemd reports: " + err.Error() + "; see `journalctl --user -u " + unitName + "`"
}

func (u systemdUnit) start(ctx context.Context) error {
	if err := systemctl(ctx, "start", unitName); err != nil {
		return fmt.Errorf("installer: %w", err)
	}
	return nil
}

func (u systemdUnit) stop(ctx context.Context) error {
	if err := systemctl(ctx, "stop", unitName); err != nil {
		return fmt.Errorf("installer: %w", err)
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

// systemctl runs systemctl action --user args.
func systemctl(ctx context.Context, action string, args ...string) error {
	_, err := systemctlOutput(ctx, action, args...)
	return err
}

// systemctlOutput runs systemctl action --user args and returns what it
// printed, also when it failed (is-active prints a state and fails).
func systemctlOutput(ctx context.Context, action string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "systemctl", append([]string{action, "--user"}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		name := "systemctl --user " + action
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			name += " " + args[0]
		}
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return stdout.String(), &systemctlError{name: name, msg: msg, err: err}
	}
	return stdout.String(), nil
}

// systemctlError says which systemctl command failed and why: the first
// line it wrote to stderr, or else how it ended. It unwraps to the
// *exec.ExitError of a systemctl that ran, or to why it could not run.
type systemctlError struct {
	name, msg string
	err       error
}

func (e *systemctlError) Error() string {
	if e.msg != "" {
		return e.name + ": " + e.msg
	}
	return e.name + ": " + e.err.Error()
}

func (e *systemctlError) Unwrap() error { return e.err }
