package installer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"

	"github.com/kardianos/service"
)

// Methods lists the autostart methods this system offers, Auto first.
func Methods() []Method { return []Method{Auto, Launchd} }

// platform is a LaunchAgent in ~/Library/LaunchAgents, written through
// kardianos/service with our own template (launchd.go).
type platform struct{ cfg config }

func newPlatform(cfg config) (*platform, error) { return &platform{cfg}, nil }

// home is the directory kardianos puts the agent under: the user database's
// home directory, else $HOME.
func home() (string, error) {
	if u, err := user.Current(); err == nil && u.HomeDir != "" {
		return u.HomeDir, nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("installer: %w", err)
	}
	return h, nil
}

func (p *platform) service(home string) (service.Service, error) {
	var sys service.System
	for _, s := range service.AvailableSystems() {
		if s.String() == "darwin-launchd" {
			sys = s
		}
	}
	if sys == nil {
		return nil, errors.New("installer: kardianos/service offers no darwin-launchd backend")
	}
	return sys.New(program{}, &service.Config{
		Name:       launchdLabel,
		Executable: p.cfg.exe,
		Arguments:  p.cfg.args,
		Option: service.KeyValue{"UserService": true, "LaunchdConfig": launchdTemplate,
			"LogDirectory": launchdLogDir(home)},
	})
}

// program satisfies service.Interface; the tray never runs through kardianos.
type program struct{}

func (program) Start(service.Service) error { return nil }
func (program) Stop(service.Service) error  { return nil }

func (p *platform) install(context.Context) (Result, error) {
	h, err := home()
	if err != nil {
		return Result{}, err
	}
	svc, err := p.service(h)
	if err != nil {
		return Result{}, err
	}
	path := launchdPlist(h)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Result{}, fmt.Errorf("installer: %w", err)
	}
	if err := os.MkdirAll(launchdLogDir(h), 0o700); err != nil {
		return Result{}, fmt.Errorf("installer: %w", err)
	}
	// kardianos refuses to overwrite an agent; replace it, and put the old
	// one back should writing the new one fail.
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Result{}, fmt.Errorf("installer: %w", err)
	}
	if err := svc.Install(); err != nil {
		os.Remove(path)
		if old != nil {
			os.WriteFile(path, old, 0o644)
		}
		return Result{}, fmt.Errorf("installer: write the LaunchAgent %s: %w", path, err)
	}
	now, _ := os.ReadFile(path)
	return Result{Method: Launchd, Changed: !bytes.Equal(old, now), Paths: []string{path}}.Saying(
		fmt.Sprintf("Installed the LaunchAgent %s; the tray starts at your next login (its output goes to %s). Undo with `magister-notify service uninstall`.", path, launchdLogDir(h)),
		fmt.Sprintf("De LaunchAgent %s is ingesteld; de tray start bij je volgende login (zijn uitvoer gaat naar %s). Ongedaan maken met `magister-notify service uninstall`.", path, launchdLogDir(h))), nil
}

// uninstall removes the agent's files. Unlike kardianos's Uninstall it does
// not unload the agent: that would end the running tray, which may be the
// one whose "Start at login" was just switched off.
func (p *platform) uninstall(context.Context) (Result, error) {
	h, err := home()
	if err != nil {
		return Result{}, err
	}
	path := launchdPlist(h)
	removed, err := removeFile(path)
	if err != nil {
		return Result{}, err
	}
	logs := launchdLogDir(h)
	_, statErr := os.Stat(logs)
	if err := os.RemoveAll(logs); err != nil {
		return Result{}, fmt.Errorf("installer: %w", err)
	}
	if !removed && statErr != nil {
		return Result{Method: Launchd}.Saying("Autostart is not installed; there was nothing to remove.",
			"Automatisch starten is niet ingesteld; er was niets te verwijderen."), nil
	}
	return Result{Method: Launchd, Changed: true, Paths: []string{path, logs}}.Saying(
		fmt.Sprintf("Removed the LaunchAgent %s and its logs; the tray no longer starts at login (a running tray keeps running).", path),
		fmt.Sprintf("De LaunchAgent %s en zijn logboeken zijn verwijderd; de tray start niet meer bij het inloggen (een tray die draait, blijft draaien).", path)), nil
}

func (p *platform) status(context.Context) (Status, error) {
	h, err := home()
	if err != nil {
		return Status{}, err
	}
	st := Status{Method: Launchd, Path: launchdPlist(h)}
	if _, err := os.Stat(st.Path); err != nil {
		return st, nil
	}
	st.Installed, st.Enabled = true, true
	svc, err := p.service(h)
	if err != nil {
		return st, err
	}
	s, err := svc.Status()
	st.Running = s == service.StatusRunning
	if err != nil && !errors.Is(err, service.ErrNotInstalled) {
		st.Note = "launchd reports: " + err.Error()
	}
	return st, nil
}

func (p *platform) start(ctx context.Context) (Result, error) {
	if st, err := p.status(ctx); err == nil && st.Installed {
		h, _ := home()
		if svc, err := p.service(h); err == nil && svc.Start() == nil {
			return Result{Method: Launchd, Changed: true}.Saying("Started the tray with `launchctl load "+st.Path+"`.",
				"De tray is gestart met `launchctl load "+st.Path+"`."), nil
		}
		// Already loaded (the tray was quit): start it by hand instead.
	}
	pid, exited, err := startDetached(p.cfg.exe, p.cfg.args)
	if err != nil {
		return Result{}, err
	}
	return Result{Method: Launchd, Changed: true, exited: exited}.Saying(
		fmt.Sprintf("Started the tray (pid %d).", pid),
		fmt.Sprintf("De tray is gestart (pid %d).", pid)), nil
}

func (p *platform) stop(ctx context.Context) (Result, error) {
	st, err := p.status(ctx)
	if err != nil || !st.Running {
		return Result{Method: Launchd}, err
	}
	h, _ := home()
	svc, err := p.service(h)
	if err == nil {
		err = svc.Stop()
	}
	if err != nil {
		return Result{}, fmt.Errorf("installer: launchctl unload %s: %w", st.Path, err)
	}
	return Result{Method: Launchd, Changed: true}.Saying("Stopped the tray with `launchctl unload "+st.Path+"`.",
		"De tray is gestopt met `launchctl unload "+st.Path+"`."), nil
}

// checkExe accepts every program path: nothing here needs it escaped in a
// way that could fail.
func checkExe(string) error { return nil }
