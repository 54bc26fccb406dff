package installer

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"text/template"
)

var (
	//go:embed autostart.desktop
	autostartDesktop string
	//go:embed handler.desktop
	handlerDesktop string

	// The templates are parsed when first used, not at start-up: most runs
	// of the program write no desktop entry.
	autostartTemplate = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("autostart.desktop").Parse(autostartDesktop))
	})
	handlerTemplate = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("handler.desktop").Parse(handlerDesktop))
	})
)

// desktopData fills the desktop entry templates.
type desktopData struct{ Exec, TryExec string }

func renderDesktop(t *template.Template, exe string, args []string, fieldCode string) ([]byte, error) {
	var b strings.Builder
	err := t.Execute(&b, desktopData{
		Exec:    desktopExec(append([]string{exe}, args...), fieldCode),
		TryExec: desktopString(exe),
	})
	return []byte(b.String()), err
}

// xdgEntry is the XDG autostart entry ~/.config/autostart/magister-notify.desktop,
// which desktops without a systemd graphical session (and many with one)
// start at login.
type xdgEntry struct {
	exe  string
	args []string
}

func (e xdgEntry) path() (string, error) {
	dir, err := configHome()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "autostart", serviceName+".desktop"), nil
}

func (e xdgEntry) install() (Result, error) {
	path, err := e.path()
	if err != nil {
		return Result{}, err
	}
	data, err := renderDesktop(autostartTemplate(), e.exe, e.args, "")
	if err != nil {
		return Result{}, fmt.Errorf("installer: render %s: %w", path, err)
	}
	changed, err := writeFileAtomic(path, data, 0o644)
	if err != nil {
		return Result{}, err
	}
	return Result{Method: XDG, Changed: changed, Paths: []string{path}}.Saying(
		fmt.Sprintf("Wrote the XDG autostart entry %s; your desktop starts the tray at the next login. Undo with `magister-notify service uninstall`.", path),
		fmt.Sprintf("Het XDG-autostartbestand %s is geschreven; je bureaublad start de tray bij de volgende login. Ongedaan maken met `magister-notify service uninstall`.", path)), nil
}

func (e xdgEntry) uninstall() (Result, error) {
	path, err := e.path()
	if err != nil {
		return Result{}, err
	}
	existed, err := removeFile(path)
	if err != nil || !existed {
		return Result{Method: XDG}, err
	}
	return Result{Method: XDG, Changed: true, Paths: []string{path}}.Saying(
		fmt.Sprintf("Removed the XDG autostart entry %s.", path), fmt.Sprintf("Het XDG-autostartbestand %s is verwijderd.", path)), nil
}

func (e xdgEntry) status() (Status, error) {
	path, err := e.path()
	if err != nil {
		return Status{}, err
	}
	st := Status{Method: XDG, Path: path}
	vals, err := desktopValues(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("installer: read %s: %w", path, err)
	}
	st.Installed = true
	st.Command = vals["Exec"]
	// Desktops honour Hidden=true (the spec) and GNOME's own switch.
	st.Enabled = vals["Hidden"] != "true" && vals["X-GNOME-Autostart-enabled"] != "false"
	if want := desktopExec(append([]string{e.exe}, e.args...), ""); st.Command != want {
		st.Note = "the entry starts another binary or state directory; run `magister-notify service install` again to update it"
	}
	return st, nil
}
