package installer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Methods lists the autostart methods this system offers, Auto first.
func Methods() []Method { return []Method{Auto, Systemd, XDG} }

// platform chooses between a systemd user unit and an XDG autostart entry.
// Auto takes systemd only when the user manager answers and the session
// starts graphical-session.target (GNOME, Plasma); a unit wanted by a target
// that never starts would never run the tray, while every desktop honours
// XDG autostart. Installing one method removes the other, so that the tray
// is never started twice.
type platform struct{ cfg config }

func newPlatform(cfg config) (*platform, error) { return &platform{cfg}, nil }

// checkExe refuses a program path that systemd or desktop entries cannot
// start: systemd rejects quotes and backslashes in ExecStart's program, and
// GLib looks for a program named with the doubled %% that the Desktop Entry
// Specification requires in Exec.
func checkExe(exe string) error {
	if strings.ContainsAny(exe, `"'\%`) {
		return fmt.Errorf("installer: %s: autostart and the m6loapp:// handler cannot start a program whose path contains \", ', \\ or %%; move magister-notify to a plain path such as ~/.local/bin", exe)
	}
	return nil
}

func (p *platform) unit(graphical bool) systemdUnit {
	return systemdUnit{exe: p.cfg.exe, args: p.cfg.args, graphical: graphical}
}

func (p *platform) entry() xdgEntry { return xdgEntry{exe: p.cfg.exe, args: p.cfg.args} }

// choose decides how Install installs; note says why when that is not
// obvious.
func (p *platform) choose(ctx context.Context) (m Method, graphical bool, note string, err error) {
	if p.cfg.method == XDG {
		return XDG, false, "", nil
	}
	graphical, err = probeSystemd(ctx)
	switch {
	case p.cfg.method == Systemd && err != nil:
		return "", false, "", fmt.Errorf("installer: %w; use --method xdg", err)
	case p.cfg.method == Systemd && !graphical:
		return Systemd, false, graphicalTarget + " is not active in this session, so default.target starts the tray", nil
	case err != nil:
		return XDG, false, err.Error(), nil
	case !graphical && p.unitBoundToGraphical():
		// Installing again from outside the desktop (over ssh, say) keeps
		// the unit that the desktop session starts.
		return Systemd, true, "", nil
	case !graphical:
		return XDG, false, "this session does not start systemd's " + graphicalTarget, nil
	}
	return Systemd, true, "", nil
}

func (p *platform) install(ctx context.Context) (Result, error) {
	m, graphical, note, err := p.choose(ctx)
	if err != nil {
		return Result{}, err
	}
	var res, other Result
	if m == Systemd {
		if res, err = p.unit(graphical).install(ctx); err == nil {
			other, err = p.entry().uninstall()
		}
	} else {
		if res, err = p.entry().install(); err == nil {
			other, err = p.unit(false).uninstall(ctx)
		}
	}
	if err != nil {
		return res, err
	}
	if note != "" {
		res = res.Saying(res.Message+" Note: "+note+".", res.Dutch+" Let op: "+note+".")
	}
	return mergeResults(m, res, other), nil
}

func (p *platform) uninstall(ctx context.Context) (Result, error) {
	var res Result
	var err error
	switch p.cfg.method {
	case Systemd:
		res, err = p.unit(false).uninstall(ctx)
	case XDG:
		res, err = p.entry().uninstall()
	default:
		var r1, r2 Result
		r1, err = p.unit(false).uninstall(ctx)
		if err == nil {
			r2, err = p.entry().uninstall()
		}
		res = mergeResults(r1.Method, r1, r2)
		if r1.Method == "" {
			res.Method = r2.Method
		}
	}
	if err != nil {
		return res, err
	}
	if !res.Changed {
		res = res.Saying("Autostart is not installed; there was nothing to remove.",
			"Automatisch starten is niet ingesteld; er was niets te verwijderen.")
	} else {
		res = res.Saying(res.Message+" The tray no longer starts at login; a running tray keeps running.",
			res.Dutch+" De tray start niet meer bij het inloggen; een tray die draait, blijft draaien.")
	}
	return res, nil
}

func (p *platform) status(ctx context.Context) (Status, error) {
	switch p.cfg.method {
	case Systemd:
		return p.unit(false).status(ctx)
	case XDG:
		return p.entry().status()
	}
	us, err := p.unit(false).status(ctx)
	if err != nil {
		return us, err
	}
	es, err := p.entry().status()
	if err != nil {
		return es, err
	}
	switch {
	case us.Installed && es.Installed:
		us.Note = "an XDG autostart entry exists as well, so two trays may start; run `magister-notify service install` to keep one"
		return us, nil
	case us.Installed:
		return us, nil
	case es.Installed:
		return es, nil
	}
	m, _, note, err := p.choose(ctx)
	if err != nil {
		return Status{}, err
	}
	st := Status{Method: m, Note: note}
	if m == Systemd {
		st.Path = us.Path
	} else {
		st.Path = es.Path
	}
	return st, nil
}

// unitInstalled reports whether a systemd user unit of ours exists (and the
// method allows using it).
func (p *platform) unitInstalled() bool {
	if p.cfg.method == XDG {
		return false
	}
	dir, err := unitDir()
	if err != nil {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, unitName))
	return err == nil
}

// unitBoundToGraphical reports whether our unit is installed and bound to
// the graphical session.
func (p *platform) unitBoundToGraphical() bool {
	dir, err := unitDir()
	if err != nil {
		return false
	}
	data, err := os.ReadFile(filepath.Join(dir, unitName))
	return err == nil && strings.Contains(string(data), "PartOf="+graphicalTarget)
}

func (p *platform) start(ctx context.Context) (Result, error) {
	if p.unitInstalled() {
		if err := p.unit(false).start(ctx); err != nil {
			return Result{}, err
		}
		return Result{Method: Systemd, Changed: true}.Saying("Started the tray with `systemctl --user start "+unitName+"`.",
			"De tray is gestart met `systemctl --user start "+unitName+"`."), nil
	}
	pid, exited, err := startDetached(p.cfg.exe, p.cfg.args)
	if err != nil {
		return Result{}, err
	}
	return Result{Method: p.cfg.method, Changed: true, exited: exited}.Saying(fmt.Sprintf("Started the tray (pid %d).", pid),
		fmt.Sprintf("De tray is gestart (pid %d).", pid)), nil
}

func (p *platform) stop(ctx context.Context) (Result, error) {
	if !p.unitInstalled() {
		return Result{Method: p.cfg.method}, nil
	}
	st, err := p.unit(false).status(ctx)
	if err != nil || !st.Running {
		return Result{Method: Systemd}, err
	}
	if err := p.unit(false).stop(ctx); err != nil {
		return Result{}, err
	}
	return Result{Method: Systemd, Changed: true}.Saying("Stopped the tray with `systemctl --user stop "+unitName+"`.",
		"De tray is gestopt met `systemctl --user stop "+unitName+"`."), nil
}
