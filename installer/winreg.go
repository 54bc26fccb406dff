package installer

// The Windows registrations (the Run value and the m6loapp URL class) are
// plain logic over a small registry interface, so that they are tested with
// a fake registry on every system; registry_windows.go binds it to the real
// one.

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// regRoot is a registry hive.
type regRoot int

const (
	currentUser  regRoot = iota // HKEY_CURRENT_USER, the only one we write
	localMachine                // HKEY_LOCAL_MACHINE, read to find other handlers
)

// registry is the part of the Windows registry we use. A missing key or
// value is an error wrapping fs.ErrNotExist.
type registry interface {
	// String reads a string value ("" names the key's default value).
	String(root regRoot, key, name string) (string, error)
	// Binary reads a binary value.
	Binary(root regRoot, key, name string) ([]byte, error)
	// SetString writes a string value under HKEY_CURRENT_USER, creating the
	// key as needed.
	SetString(key, name, value string) error
	// DeleteValue removes a value under HKEY_CURRENT_USER; a missing one is
	// not an error.
	DeleteValue(key, name string) error
	// DeleteTree removes a key of HKEY_CURRENT_USER with everything below
	// it; a missing one is not an error.
	DeleteTree(key string) error
}

const (
	runKeyPath      = `Software\Microsoft\Windows\CurrentVersion\Run`
	approvedKeyPath = `Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`
	classKeyPath    = `Software\Classes\` + scheme
	commandKeyPath  = classKeyPath + `\shell\open\command`
	trayExeName     = serviceName + "-tray.exe"
)

// readString is reg.String with a missing value reported as found == false.
func readString(reg registry, root regRoot, key, name string) (v string, found bool, err error) {
	v, err = reg.String(root, key, name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	return v, err == nil, err
}

// guiExe returns magister-notify-tray.exe beside exe (the build without a
// console window, so that nothing flashes at login or when the browser hands
// over a sign-in), or exe itself when there is none. It accepts both path
// separators so that it is tested anywhere.
func guiExe(exe string, exists func(string) bool) string {
	gui := exe[:strings.LastIndexAny(exe, `\/`)+1] + trayExeName
	if !strings.EqualFold(gui, exe) && exists(gui) {
		return gui
	}
	return exe
}

// runCommand is the Run value: the tray binary (guiExe) with args.
func runCommand(exe string, args []string, exists func(string) bool) string {
	return windowsCommand(guiExe(exe, exists), args...)
}

// handlerCommand is the URL class's open command; Windows puts the address
// in place of %1.
func handlerCommand(exe, stateDir string, exists func(string) bool) string {
	return windowsCommand(guiExe(exe, exists), handlerArgs(stateDir)...) + ` "%1"`
}

// windowsCommand builds a command line that CommandLineToArgvW splits back
// into exe and args. The program is always quoted (its rules differ: it
// ends at the next quote); arguments only when they need it.
func windowsCommand(exe string, args ...string) string {
	parts := []string{`"` + exe + `"`}
	for _, a := range args {
		parts = append(parts, windowsArg(a))
	}
	return strings.Join(parts, " ")
}

func windowsArg(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\n\v\"") {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(a); i++ {
		switch c := a[i]; c {
		case '\\':
			slashes++
			continue
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*slashes+1))
		default:
			b.WriteString(strings.Repeat(`\`, slashes))
		}
		b.WriteByte(a[i])
		slashes = 0
	}
	b.WriteString(strings.Repeat(`\`, 2*slashes))
	b.WriteByte('"')
	return b.String()
}

// runKey is the value "magister-notify" under HKCU\…\CurrentVersion\Run.
type runKey struct {
	reg     registry
	command string
}

func (k runKey) display() string { return `HKCU\` + runKeyPath + `\` + serviceName }

func (k runKey) install() (Result, error) {
	old, found, err := readString(k.reg, currentUser, runKeyPath, serviceName)
	if err != nil {
		return Result{}, fmt.Errorf("installer: read %s: %w", k.display(), err)
	}
	_, disabled, err := k.disabled()
	if err != nil {
		return Result{}, err
	}
	res := Result{Method: RunKey, Paths: []string{k.display()}}.Saying(
		fmt.Sprintf("Set %s to %s; Windows starts the tray at your next sign-in. Undo with `magister-notify service uninstall`.", k.display(), k.command),
		fmt.Sprintf("%s is op %s gezet; Windows start de tray bij je volgende aanmelding. Ongedaan maken met `magister-notify service uninstall`.", k.display(), k.command))
	if found && old == k.command && !disabled {
		return res, nil
	}
	if err := k.reg.SetString(runKeyPath, serviceName, k.command); err != nil {
		return Result{}, fmt.Errorf("installer: write %s: %w", k.display(), err)
	}
	// Installing means "start at login": forget an earlier "Disabled" from
	// Task Manager's Startup tab, which keeps its own switch.
	if err := k.reg.DeleteValue(approvedKeyPath, serviceName); err != nil {
		return Result{}, fmt.Errorf(`installer: enable HKCU\%s\%s: %w`, approvedKeyPath, serviceName, err)
	}
	res.Changed = true
	return res, nil
}

// disabled reports whether Task Manager's Startup tab has a switch for us
// and whether it is off (an odd first byte).
func (k runKey) disabled() (found, off bool, err error) {
	b, err := k.reg.Binary(currentUser, approvedKeyPath, serviceName)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, false, nil
	case err != nil:
		return false, false, fmt.Errorf(`installer: read HKCU\%s\%s: %w`, approvedKeyPath, serviceName, err)
	}
	return true, len(b) > 0 && b[0]&1 == 1, nil
}

func (k runKey) uninstall() (Result, error) {
	_, found, err := readString(k.reg, currentUser, runKeyPath, serviceName)
	if err != nil {
		return Result{}, fmt.Errorf("installer: read %s: %w", k.display(), err)
	}
	switchFound, _, err := k.disabled()
	if err != nil {
		return Result{}, err
	}
	res := Result{Method: RunKey}
	if !found && !switchFound {
		res = res.Saying("Autostart is not installed; there was nothing to remove.",
			"Automatisch starten is niet ingesteld; er was niets te verwijderen.")
		return res, nil
	}
	if err := k.reg.DeleteValue(runKeyPath, serviceName); err != nil {
		return Result{}, fmt.Errorf("installer: remove %s: %w", k.display(), err)
	}
	if err := k.reg.DeleteValue(approvedKeyPath, serviceName); err != nil {
		return Result{}, fmt.Errorf(`installer: remove HKCU\%s\%s: %w`, approvedKeyPath, serviceName, err)
	}
	res.Changed, res.Paths = true, []string{k.display()}
	res = res.Saying(fmt.Sprintf("Removed %s; the tray no longer starts at sign-in (a running tray keeps running).", k.display()),
		fmt.Sprintf("%s is verwijderd; de tray start niet meer bij het aanmelden (een tray die draait, blijft draaien).", k.display()))
	return res, nil
}

func (k runKey) status() (Status, error) {
	st := Status{Method: RunKey, Path: k.display()}
	cmd, found, err := readString(k.reg, currentUser, runKeyPath, serviceName)
	if err != nil {
		return st, fmt.Errorf("installer: read %s: %w", k.display(), err)
	}
	if !found {
		return st, nil
	}
	_, off, err := k.disabled()
	if err != nil {
		return st, err
	}
	st.Installed, st.Enabled, st.Command = true, !off, cmd
	switch {
	case off:
		st.Note = "disabled in Task Manager's Startup tab"
	case cmd != k.command:
		st.Note = "the value starts another binary or state directory; run `magister-notify service install` again to update it"
	}
	return st, nil
}

// urlClass is the per-user URL class HKCU\Software\Classes\m6loapp, which
// makes Windows run our command for m6loapp:// addresses.
type urlClass struct {
	reg     registry
	command string // `"<exe>" login --redirect-url "%1"`
}

func (c urlClass) display() string { return `HKCU\` + classKeyPath }

// ours reports whether a registered command runs magister-notify.
func ours(command string) bool {
	prog := strings.TrimSpace(command)
	if rest, ok := strings.CutPrefix(prog, `"`); ok {
		prog, _, _ = strings.Cut(rest, `"`)
	} else {
		prog, _, _ = strings.Cut(prog, " ")
	}
	base := strings.ToLower(prog[strings.LastIndexAny(prog, `\/`)+1:])
	return base == serviceName+".exe" || base == trayExeName
}

// current returns the command Windows runs now for m6loapp://: the user's
// class wins over the machine's.
func (c urlClass) current() (cmd string, user, found bool, err error) {
	for _, root := range []regRoot{currentUser, localMachine} {
		cmd, found, err := readString(c.reg, root, commandKeyPath, "")
		if err != nil {
			return "", false, false, fmt.Errorf(`installer: read the m6loapp URL class: %w`, err)
		}
		if found {
			return cmd, root == currentUser, true, nil
		}
	}
	return "", false, false, nil
}

func (c urlClass) register(force bool) (Result, error) {
	cur, user, found, err := c.current()
	if err != nil {
		return Result{}, err
	}
	if found && !ours(cur) && !force {
		return Result{}, &ForeignHandlerError{App: cur}
	}
	res := Result{Paths: []string{c.display()}}.Saying(
		fmt.Sprintf("Registered magister-notify as the handler of m6loapp:// addresses (%s runs %s). Undo with `magister-notify login --unregister-handler`.", c.display(), c.command),
		fmt.Sprintf("magister-notify opent nu m6loapp://-adressen (%s start %s). Ongedaan maken met `magister-notify login --unregister-handler`.", c.display(), c.command))
	name, _, _ := readString(c.reg, currentUser, classKeyPath, "")
	_, marked, _ := readString(c.reg, currentUser, classKeyPath, "URL Protocol")
	if user && cur == c.command && name == "URL:"+scheme && marked {
		return res, nil
	}
	if user && !ours(cur) {
		// Forced: drop the other application's class (icons, verbs) first.
		if err := c.reg.DeleteTree(classKeyPath); err != nil {
			return Result{}, fmt.Errorf("installer: replace %s: %w", c.display(), err)
		}
	}
	err = c.reg.SetString(classKeyPath, "", "URL:"+scheme)
	if err == nil {
		err = c.reg.SetString(classKeyPath, "URL Protocol", "")
	}
	if err == nil {
		err = c.reg.SetString(commandKeyPath, "", c.command)
	}
	if err != nil {
		c.reg.DeleteTree(classKeyPath) // no half a registration
		return Result{}, fmt.Errorf("installer: write %s: %w", c.display(), err)
	}
	res.Changed = true
	return res, nil
}

func (c urlClass) unregister() (Result, error) {
	cmd, found, err := readString(c.reg, currentUser, commandKeyPath, "")
	if err != nil {
		return Result{}, fmt.Errorf("installer: read %s: %w", c.display(), err)
	}
	if !found || !ours(cmd) {
		return Result{}.Saying("magister-notify was not registered for m6loapp:// addresses; there was nothing to remove.",
			"magister-notify was niet ingesteld voor m6loapp://-adressen; er was niets te verwijderen."), nil
	}
	if err := c.reg.DeleteTree(classKeyPath); err != nil {
		return Result{}, fmt.Errorf("installer: remove %s: %w", c.display(), err)
	}
	return Result{Changed: true, Paths: []string{c.display()}}.Saying(
		fmt.Sprintf("Removed magister-notify as the handler of m6loapp:// addresses (%s).", c.display()),
		fmt.Sprintf("magister-notify opent geen m6loapp://-adressen meer (%s).", c.display())), nil
}

func (c urlClass) status() (HandlerState, error) {
	st := HandlerState{Path: c.display()}
	cur, user, found, err := c.current()
	if err != nil || !found {
		return st, err
	}
	st.Default = cur
	st.Foreign = !ours(cur)
	if user && !st.Foreign {
		st.Registered, st.Command, st.Current = true, cur, cur == c.command
	}
	return st, nil
}
