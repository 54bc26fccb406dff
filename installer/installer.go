package installer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Method names a way of starting the tray at login.
type Method string

// The autostart methods. Methods lists the ones this system offers.
const (
	Auto    Method = "auto"    // the best method this system offers
	Systemd Method = "systemd" // Linux: a systemd user unit
	XDG     Method = "xdg"     // Linux: an XDG autostart entry
	Launchd Method = "launchd" // macOS: a LaunchAgent
	RunKey  Method = "run-key" // Windows: a value under HKCU\…\CurrentVersion\Run
)

// Errors callers branch on.
var (
	// ErrUnknownMethod is returned by New for a method this system does not offer.
	ErrUnknownMethod = errors.New("installer: unknown autostart method")
	// ErrNoUserManager means that no systemd user manager answers, so a
	// systemd user unit cannot be installed (use the XDG method instead).
	ErrNoUserManager = errors.New("no systemd user manager is reachable")
	// ErrForeignHandler means that another application handles m6loapp://
	// addresses; RegisterHandler leaves it alone unless told to force.
	ErrForeignHandler = errors.New("another application handles m6loapp:// addresses")
)

// ForeignHandlerError names the application that handles m6loapp:// addresses.
type ForeignHandlerError struct{ App string }

func (e *ForeignHandlerError) Error() string {
	return fmt.Sprintf("m6loapp:// addresses are handled by another application (%s); register magister-notify anyway with --force", e.App)
}

// Is makes errors.Is(err, ErrForeignHandler) true.
func (e *ForeignHandlerError) Is(target error) bool { return target == ErrForeignHandler }

// serviceName names the unit, the entries and the registry values.
const serviceName = "magister-notify"

// Options says what to start at login and how.
type Options struct {
	// Method is how to start the tray; "" means Auto.
	Method Method
	// Exe is the magister-notify binary to start. "" means the running
	// binary. It is made absolute and resolved through symlinks.
	Exe string
	// StateDir is passed to the tray as --state-dir when it is not empty, so
	// that the tray uses the same state as the command that installed it.
	StateDir string
	// TrayPID reports the running tray, if any (state.Store.TrayPID). Start
	// uses it to avoid a second tray and Stop to end one that no service
	// manager runs. nil means that no tray is known to run.
	TrayPID func() (pid int, running bool)
}

// Result says what an operation did, for people and for --json.
type Result struct {
	// Method is the autostart method acted on; empty for the URL handler.
	Method Method `json:"method,omitempty"`
	// Changed is false when everything already was as asked.
	Changed bool `json:"changed"`
	// Paths are the files, links or registry values written or removed.
	Paths []string `json:"paths,omitempty"`
	// Message is one or two sentences: what was done and how to undo it.
	Message string `json:"message"`
	// Dutch is Message in Dutch (see In).
	Dutch string `json:"-"`

	exited <-chan struct{} // Start without a service manager: closed when the tray ends
}

// In is the message in lang, "nl" or "en": the CLI speaks the language
// state.ResolveLanguage chooses. --json gives Message, the English.
func (r Result) In(lang string) string {
	if lang == "en" || r.Dutch == "" {
		return r.Message
	}
	return r.Dutch
}

// Saying is r with its message in English and Dutch.
func (r Result) Saying(en, nl string) Result {
	r.Message, r.Dutch = en, nl
	return r
}

// Exited is closed when a tray that Start launched itself ends; nil when a
// service manager started it (or nothing was started).
func (r Result) Exited() <-chan struct{} { return r.exited }

// Status describes the autostart installation.
type Status struct {
	// Method is the installed method, or the one Install would use.
	Method Method `json:"method"`
	// Installed reports whether the unit, entry, agent or Run value exists.
	Installed bool `json:"installed"`
	// Enabled reports whether it will start the tray at the next login.
	Enabled bool `json:"enabled"`
	// Running reports whether the service manager (systemd, launchd) runs
	// the tray now. XDG autostart and the Run key have no manager, so it is
	// always false for them; the tray's pid from tray.lock says more.
	Running bool `json:"running"`
	// Path is the unit file, desktop entry, plist or registry value.
	Path string `json:"path,omitempty"`
	// Command is what starts at login, as written there.
	Command string `json:"command,omitempty"`
	// Note explains a choice or a problem, such as why Auto picks XDG.
	Note string `json:"note,omitempty"`
}

// Autostart installs, removes and controls the start of the tray at login.
type Autostart struct {
	cfg     config
	trayPID func() (int, bool)
	p       *platform
}

// config is what the platform code needs to know.
type config struct {
	method Method
	exe    string   // absolute, symlinks resolved
	args   []string // the tray's arguments
}

// New checks o and returns an Autostart for it. It changes nothing.
func New(o Options) (*Autostart, error) {
	if o.Method == "" {
		o.Method = Auto
	}
	if !slices.Contains(Methods(), o.Method) {
		return nil, fmt.Errorf("%w %q: this system offers %s", ErrUnknownMethod, o.Method, methodList())
	}
	exe, dir, err := resolve(o.Exe, o.StateDir)
	if err != nil {
		return nil, err
	}
	cfg := config{method: o.Method, exe: exe, args: trayArgs(dir)}
	p, err := newPlatform(cfg)
	if err != nil {
		return nil, err
	}
	return &Autostart{cfg: cfg, trayPID: o.TrayPID, p: p}, nil
}

// Install makes the tray start at every login. Installing again rewrites the
// installation for the current binary; a failure restores what was there.
// It does not start the tray now (see Start): a tray that is already running
// would only see a second one give up.
func (a *Autostart) Install(ctx context.Context) (Result, error) { return a.p.install(ctx) }

// Uninstall removes every trace of the installation. The running tray, if
// any, keeps running. Uninstalling what is not installed is not an error.
func (a *Autostart) Uninstall(ctx context.Context) (Result, error) { return a.p.uninstall(ctx) }

// Status reports the installation.
func (a *Autostart) Status(ctx context.Context) (Status, error) { return a.p.status(ctx) }

// Start starts the tray now: through the service manager when it is
// installed there, otherwise as a detached process. It does nothing when a
// tray already runs.
func (a *Autostart) Start(ctx context.Context) (Result, error) {
	if pid, ok := a.runningTray(); ok {
		return Result{Method: a.cfg.method}.Saying(fmt.Sprintf("The tray is already running (pid %d).", pid),
			fmt.Sprintf("De tray draait al (pid %d).", pid)), nil
	}
	return a.p.start(ctx)
}

// Stop stops the tray: through the service manager when it runs it, and
// otherwise by asking the process named in tray.lock to end.
func (a *Autostart) Stop(ctx context.Context) (Result, error) {
	res, err := a.p.stop(ctx)
	if err != nil {
		return res, err
	}
	pid, ok := a.runningTray()
	if !ok {
		if !res.Changed {
			res = res.Saying("The tray is not running.", "De tray draait niet.")
		}
		return res, nil
	}
	if pid == 0 || pid == os.Getpid() {
		return res, fmt.Errorf("installer: the tray is running, but tray.lock does not say which process it is; quit it from its menu")
	}
	if err := stopProcess(pid); err != nil {
		return res, fmt.Errorf("installer: stop the tray (pid %d): %w", pid, err)
	}
	res.Changed = true
	res = res.Saying(strings.TrimSpace(res.Message+fmt.Sprintf(" Asked the tray (pid %d) to quit.", pid)),
		strings.TrimSpace(res.Dutch+fmt.Sprintf(" De tray (pid %d) is gevraagd te stoppen.", pid)))
	return res, nil
}

func (a *Autostart) runningTray() (int, bool) {
	if a.trayPID == nil {
		return 0, false
	}
	return a.trayPID()
}

// Toggle adapts an Autostart to an on/off switch such as the tray's "Start
// at login" checkbox.
type Toggle struct{ a *Autostart }

// Toggle returns the on/off view of a.
func (a *Autostart) Toggle() Toggle { return Toggle{a} }

// Status reports whether autostart is installed and enabled, whether it can
// be installed at all, and a short description of the method (or of the
// problem) for a tooltip.
func (t Toggle) Status(ctx context.Context) (installed, available bool, why string, err error) {
	st, err := t.a.Status(ctx)
	if err != nil {
		return false, false, err.Error(), err
	}
	why = st.Method.Description()
	if st.Note != "" {
		why += " (" + st.Note + ")"
	}
	return st.Installed && st.Enabled, true, why, nil
}

// Install installs autostart.
func (t Toggle) Install(ctx context.Context) error {
	_, err := t.a.Install(ctx)
	return err
}

// Uninstall removes autostart.
func (t Toggle) Uninstall(ctx context.Context) error {
	_, err := t.a.Uninstall(ctx)
	return err
}

// Description names the method for people ("systemd user unit").
func (m Method) Description() string {
	switch m {
	case Systemd:
		return "systemd user unit"
	case XDG:
		return "XDG autostart entry"
	case Launchd:
		return "LaunchAgent"
	case RunKey:
		return "Windows Run key"
	}
	return string(m)
}

func methodList() string {
	var names []string
	for _, m := range Methods() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}

// trayArgs are the arguments that start the tray on the given state.
func trayArgs(stateDir string) []string {
	if stateDir == "" {
		return []string{"tray"}
	}
	return []string{"--state-dir", stateDir, "tray"}
}

// handlerArgs are the arguments that finish a login; the platform appends
// the m6loapp:// address (or its placeholder for it).
func handlerArgs(stateDir string) []string {
	var args []string
	if stateDir != "" {
		args = append(args, "--state-dir", stateDir)
	}
	return append(args, "login", "--redirect-url")
}

// resolve makes exe (default: the running binary) absolute and free of
// symlinks, makes stateDir absolute, and refuses control characters, which
// no unit, entry or command line below can carry safely.
func resolve(exe, stateDir string) (string, string, error) {
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return "", "", fmt.Errorf("installer: find the running binary: %w", err)
		}
	}
	exe, err := filepath.Abs(exe)
	if err != nil {
		return "", "", fmt.Errorf("installer: %w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return "", "", fmt.Errorf("installer: resolve the binary: %w", err)
	}
	if stateDir != "" {
		if stateDir, err = filepath.Abs(stateDir); err != nil {
			return "", "", fmt.Errorf("installer: %w", err)
		}
	}
	if err := checkExe(exe); err != nil {
		return "", "", err
	}
	for _, s := range []string{exe, stateDir} {
		if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return "", "", fmt.Errorf("installer: the path %q contains control characters; move it to a plain path", s)
		}
	}
	return exe, stateDir, nil
}

// joinPaths and messages keep Results short to build.
func mergeResults(method Method, rs ...Result) Result {
	out := Result{Method: method}
	var msgs, dutch []string
	for _, r := range rs {
		out.Changed = out.Changed || r.Changed
		out.Paths = append(out.Paths, r.Paths...)
		if r.Message != "" {
			msgs, dutch = append(msgs, r.Message), append(dutch, r.In("nl"))
		}
	}
	return out.Saying(strings.Join(msgs, " "), strings.Join(dutch, " "))
}

// removeFile removes path and reports whether it existed.
func removeFile(path string) (bool, error) {
	err := os.Remove(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("installer: %w", err)
}
