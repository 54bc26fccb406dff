package installer

import (
	"context"
	"fmt"
	"os"
)

// Methods lists the autostart methods this system offers, Auto first.
func Methods() []Method { return []Method{Auto, RunKey} }

// platform is the per-user Run value. A Windows service is no option: it
// runs in session 0, where it can show neither a tray icon nor a
// notification.
type platform struct {
	run runKey
	exe string // the tray binary
	cfg config
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func newPlatform(cfg config) (*platform, error) {
	return &platform{
		run: runKey{reg: winRegistry{}, command: runCommand(cfg.exe, cfg.args, fileExists)},
		exe: guiExe(cfg.exe, fileExists),
		cfg: cfg,
	}, nil
}

func (p *platform) install(context.Context) (Result, error)   { return p.run.install() }
func (p *platform) uninstall(context.Context) (Result, error) { return p.run.uninstall() }
func (p *platform) status(context.Context) (Status, error)    { return p.run.status() }

func (p *platform) start(context.Context) (Result, error) {
	pid, exited, err := startDetached(p.exe, p.cfg.args)
	if err != nil {
		return Result{}, err
	}
	return Result{Method: RunKey, Changed: true, exited: exited}.Saying(fmt.Sprintf("Started the tray (pid %d).", pid),
		fmt.Sprintf("De tray is gestart (pid %d).", pid)), nil
}

// stop has no service manager to ask; Autostart.Stop ends the tray by pid.
func (p *platform) stop(context.Context) (Result, error) { return Result{Method: RunKey}, nil }

// checkExe accepts every program path: nothing here needs it escaped in a
// way that could fail.
func checkExe(string) error { return nil }
