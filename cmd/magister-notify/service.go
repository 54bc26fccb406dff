package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/installer"
	"github.com/magister-notify/magister-notify/state"
)

// uninstallReport is what `service uninstall` did; Handler only with --all.
type uninstallReport struct {
	Autostart installer.Result  `json:"autostart"`
	Handler   *installer.Result `json:"handler,omitempty"`
}

// serviceStatus is what `service status` reports.
type serviceStatus struct {
	Autostart installer.Status       `json:"autostart"`
	Tray      trayInfo               `json:"tray"`
	Handler   installer.HandlerState `json:"handler"`
}

// serviceOptions are the flags of `service` and its subcommands.
type serviceOptions struct {
	method string // installer.Method
	all    bool   // uninstall: also the m6loapp:// handler
}

func (a *app) serviceCommand() *cobra.Command {
	opts := &serviceOptions{}
	methods := make([]string, 0, len(installer.Methods()))
	for _, m := range installer.Methods() {
		methods = append(methods, string(m))
	}
	cmd := &cobra.Command{
		Use:   "service",
		Short: "Start the tray at login (install, uninstall, status, start, stop)",
		Long: "Makes the magister-notify tray start when you log in, for your user only and without\n" +
			"administrator rights: a systemd user unit or an XDG autostart entry on Linux, a LaunchAgent\n" +
			"on macOS, the Run key of your user on Windows.",
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVar(&opts.method, "method", string(installer.Auto),
		"how the tray starts at login: "+strings.Join(methods, "|"))
	sub := func(use, short string, run func(context.Context, *serviceOptions) error) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error { return run(cmd.Context(), opts) }}
	}
	uninstall := sub("uninstall", "Stop starting the tray at login (--all: also unregister the m6loapp:// handler)", a.runServiceUninstall)
	uninstall.Flags().BoolVar(&opts.all, "all", false, "also remove the m6loapp:// sign-in handler (and on Windows the toasts' app id)")
	cmd.AddCommand(
		sub("install", "Start the tray at every login", a.runServiceInstall),
		uninstall,
		sub("status", "Show whether the tray starts at login and whether it runs", a.runServiceStatus),
		sub("start", "Start the tray now, and wait until it runs", a.runServiceStart),
		sub("stop", "Stop the running tray", a.runServiceControl((*installer.Autostart).Stop)),
	)
	return cmd
}

// autostart builds the installer for this command line; the tray gets
// --state-dir only when one was chosen (flag or $MAGISTER_NOTIFY_HOME).
// trayPID is nil for the commands that need not know the tray.
func (a *app) autostart(opts *serviceOptions, trayPID func() (int, bool)) (*installer.Autostart, error) {
	return installer.New(installer.Options{Method: installer.Method(opts.method), StateDir: a.stateDir, TrayPID: trayPID})
}

// autostartWithTray is autostart for the commands that need to know the tray.
func (a *app) autostartWithTray(opts *serviceOptions) (*installer.Autostart, func() (int, bool), error) {
	st, err := a.openStore("service")
	if err != nil {
		return nil, nil, err
	}
	as, err := a.autostart(opts, st.TrayPID)
	return as, st.TrayPID, err
}

func (a *app) printResult(res installer.Result) error {
	return a.emit(res, func(p *printer) { p.Line("%s", res.In(p.lang)) })
}

func (a *app) runServiceInstall(ctx context.Context, opts *serviceOptions) error {
	as, err := a.autostart(opts, nil)
	if err != nil {
		return err
	}
	res, err := as.Install(ctx)
	if err != nil {
		return err
	}
	return a.printResult(res)
}

func (a *app) runServiceUninstall(ctx context.Context, opts *serviceOptions) error {
	as, err := a.autostart(opts, nil)
	if err != nil {
		return err
	}
	var rep uninstallReport
	if rep.Autostart, err = as.Uninstall(ctx); err != nil {
		return err
	}
	if opts.all {
		res, err := installer.UnregisterHandler(ctx, installer.HandlerOptions{StateDir: a.stateDir})
		if err != nil {
			return err
		}
		rep.Handler = &res
		// The toasts' app id (Windows) goes with the rest.
		if err := installer.UnregisterAppID(); err != nil {
			return err
		}
	}
	return a.emit(rep, func(p *printer) {
		p.Line("%s", rep.Autostart.In(p.lang))
		if rep.Handler != nil {
			p.Line("%s", rep.Handler.In(p.lang))
		}
	})
}

func (a *app) runServiceStatus(ctx context.Context, opts *serviceOptions) error {
	as, trayPID, err := a.autostartWithTray(opts)
	if err != nil {
		return err
	}
	var info serviceStatus
	if info.Autostart, err = as.Status(ctx); err != nil {
		return err
	}
	info.Tray.PID, info.Tray.Running = trayPID()
	if info.Handler, err = installer.HandlerStatus(ctx, installer.HandlerOptions{StateDir: a.stateDir}); err != nil {
		return err
	}
	return a.emit(info, func(p *printer) { printServiceStatus(p, info) })
}

// runServiceStart starts the tray and waits until it runs (awaitTray).
func (a *app) runServiceStart(ctx context.Context, opts *serviceOptions) error {
	as, trayPID, err := a.autostartWithTray(opts)
	if err != nil {
		return err
	}
	res, err := as.Start(ctx)
	if err != nil {
		return err
	}
	if res.Changed {
		if res, err = a.awaitTray(ctx, res, trayPID); err != nil {
			return err
		}
	}
	return a.printResult(res)
}

// runServiceControl is `service start` or `service stop`: do on the
// installer that knows the tray.
func (a *app) runServiceControl(do func(*installer.Autostart, context.Context) (installer.Result, error)) func(context.Context, *serviceOptions) error {
	return func(ctx context.Context, opts *serviceOptions) error {
		as, _, err := a.autostartWithTray(opts)
		if err != nil {
			return err
		}
		res, err := do(as, ctx)
		if err != nil {
			return err
		}
		return a.printResult(res)
	}
}

// methodName names an autostart method for people, in the printer's
// language.
func methodName(p *printer, m installer.Method) string {
	switch m {
	case installer.Systemd:
		return p.say(m.Description(), "systemd-gebruikersunit")
	case installer.XDG:
		return p.say(m.Description(), "XDG-autostartbestand")
	case installer.RunKey:
		return p.say(m.Description(), "Run-sleutel van Windows")
	}
	return m.Description()
}

func printServiceStatus(p *printer, info serviceStatus) {
	st := info.Autostart
	method := methodName(p, st.Method)
	label := p.say("Autostart", "Automatisch starten")
	switch {
	case !st.Installed:
		p.Field(label, p.say("not installed (`magister-notify service install` would write a %s)",
			"niet ingesteld (`magister-notify service install` zou een %s schrijven)"), method)
	case st.Enabled:
		p.Field(label, p.say("installed as %s, enabled", "ingesteld als %s, ingeschakeld"), method)
	default:
		p.Field(label, p.say("installed as %s, but disabled", "ingesteld als %s, maar uitgeschakeld"), method)
	}
	if st.Installed {
		p.Field(p.say("Where", "Waar"), "%s", st.Path)
	}
	if st.Command != "" {
		p.Field(p.say("Starts", "Start"), "%s", st.Command)
	}
	if st.Note != "" {
		p.Field(p.say("Note", "Let op"), "%s", st.Note)
	}
	tray := trayRunning(p, info.Tray)
	if st.Running {
		tray += p.say(", under ", ", via ") + method
	}
	p.Field("Tray", "%s", tray)
	printHandler(p, info.Handler)
}

// trayRunning says whether the tray runs: "running (pid 42)".
func trayRunning(p *printer, t trayInfo) string {
	switch {
	case t.Running && t.PID != 0:
		return fmt.Sprintf(p.say("running (pid %d)", "actief (pid %d)"), t.PID)
	case t.Running:
		return p.say("running", "actief")
	}
	return p.say("not running", "niet actief")
}

// printHandler says whether the m6loapp:// sign-in handler is registered
// (status and service status share it).
func printHandler(p *printer, h installer.HandlerState) {
	label := p.say("Sign-in handler", "Aanmeldkoppeling")
	switch {
	case h.Registered && h.Current:
		p.Field(label, p.say("registered for m6loapp:// (%s): the browser hands sign-ins back by itself",
			"ingesteld voor m6loapp:// (%s): de browser geeft aanmeldingen zelf terug"), h.Path)
	case h.Registered:
		p.Field(label, "%s", p.say("registered for another copy or state directory; run `magister-notify login --register-handler`",
			"ingesteld voor een andere kopie of statusmap; voer `magister-notify login --register-handler` uit"))
	case h.Foreign:
		p.Field(label, p.say("m6loapp:// opens another application (%s)", "m6loapp:// opent een ander programma (%s)"), h.Default)
	case h.Note != "":
		p.Field(label, "%s", h.Note)
	default:
		p.Field(label, "%s", p.say("not registered (`magister-notify login --register-handler`)",
			"niet ingesteld (`magister-notify login --register-handler`)"))
	}
}

// trayStartWait is how long `service start` waits for the tray to run.
const trayStartWait = 15 * time.Second

// awaitTray waits until the tray that was just started holds its lock, or
// ends, or trayStartWait passes; a tray that dies at once (no desktop
// session, say) is a failure, with the reason from its log.
func (a *app) awaitTray(ctx context.Context, res installer.Result, trayPID func() (int, bool)) (installer.Result, error) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	timeout := time.NewTimer(trayStartWait)
	defer timeout.Stop()
	for {
		if pid, ok := trayPID(); ok {
			res = res.Saying(fmt.Sprintf("Started the tray; it is running (pid %d).", pid),
				fmt.Sprintf("De tray is gestart en draait (pid %d).", pid))
			return res, nil
		}
		select {
		case <-res.Exited():
			if pid, ok := trayPID(); ok { // it ran and was quit meanwhile
				res = res.Saying(fmt.Sprintf("Started the tray (pid %d).", pid), fmt.Sprintf("De tray is gestart (pid %d).", pid))
				return res, nil
			}
			return res, fmt.Errorf(a.say("the tray stopped right after it started: %s", "de tray stopte direct na het starten: %s"),
				a.trayLogReason())
		case <-timeout.C:
			return res, fmt.Errorf(a.say("the tray was started but did not run within %s: %s",
				"de tray is gestart maar draaide niet binnen %s: %s"), trayStartWait, a.trayLogReason())
		case <-ctx.Done():
			return res, ctx.Err()
		case <-tick.C:
		}
	}
}

// trayLogReason is the error of the last "the tray stopped" line in the
// tray's log, or where to look.
func (a *app) trayLogReason() string {
	dir := a.stateDir
	if dir == "" {
		dir, _ = state.DefaultDir()
	}
	path := filepath.Join(dir, state.LogName)
	data, err := os.ReadFile(path)
	if err != nil {
		return a.say("see ", "zie ") + path
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-50; i-- {
		if !strings.Contains(lines[i], "level=ERROR") {
			continue
		}
		if _, v, ok := strings.Cut(lines[i], " err="); ok {
			if uq, err := strconv.Unquote(v); err == nil {
				v = uq
			}
			return v + a.say(" (from ", " (uit ") + path + ")"
		}
	}
	return a.say("see ", "zie ") + path
}
