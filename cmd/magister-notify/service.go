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

func (a *app) serviceCommand() *cobra.Command {
	var method string
	var all bool
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
	cmd.PersistentFlags().StringVar(&method, "method", string(installer.Auto),
		"how the tray starts at login: "+strings.Join(methods, "|"))

	// autostart builds the installer for this command line; the tray gets
	// --state-dir only when one was chosen (flag or $MAGISTER_NOTIFY_HOME).
	autostart := func(trayPID func() (int, bool)) (*installer.Autostart, error) {
		return installer.New(installer.Options{Method: installer.Method(method), StateDir: a.stateDir, TrayPID: trayPID})
	}
	// withTray is autostart for the commands that need to know the tray.
	withTray := func() (*installer.Autostart, func() (int, bool), error) {
		st, err := a.openStore("service")
		if err != nil {
			return nil, nil, err
		}
		as, err := autostart(st.TrayPID)
		return as, st.TrayPID, err
	}
	printResult := func(res installer.Result) error {
		return a.emit(res, func(p *printer) { p.Line("%s", res.Message) })
	}

	install := &cobra.Command{
		Use:   "install",
		Short: "Start the tray at every login",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			as, err := autostart(nil)
			if err != nil {
				return err
			}
			res, err := as.Install(cmd.Context())
			if err != nil {
				return err
			}
			return printResult(res)
		},
	}
	uninstall := &cobra.Command{
		Use:   "uninstall",
		Short: "Stop starting the tray at login (--all: also unregister the m6loapp:// handler)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			as, err := autostart(nil)
			if err != nil {
				return err
			}
			var rep uninstallReport
			if rep.Autostart, err = as.Uninstall(cmd.Context()); err != nil {
				return err
			}
			if all {
				res, err := installer.UnregisterHandler(cmd.Context(), installer.HandlerOptions{StateDir: a.stateDir})
				if err != nil {
					return err
				}
				rep.Handler = &res
			}
			return a.emit(rep, func(p *printer) {
				p.Line("%s", rep.Autostart.Message)
				if rep.Handler != nil {
					p.Line("%s", rep.Handler.Message)
				}
			})
		},
	}
	uninstall.Flags().BoolVar(&all, "all", false, "also remove the m6loapp:// sign-in handler")
	status := &cobra.Command{
		Use:   "status",
		Short: "Show whether the tray starts at login and whether it runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			as, trayPID, err := withTray()
			if err != nil {
				return err
			}
			var info serviceStatus
			if info.Autostart, err = as.Status(cmd.Context()); err != nil {
				return err
			}
			info.Tray.PID, info.Tray.Running = trayPID()
			if info.Handler, err = installer.HandlerStatus(cmd.Context(), installer.HandlerOptions{StateDir: a.stateDir}); err != nil {
				return err
			}
			return a.emit(info, func(p *printer) { printServiceStatus(p, info) })
		},
	}
	control := func(use, short string, do func(*installer.Autostart, *cobra.Command) (installer.Result, error)) *cobra.Command {
		return &cobra.Command{
			Use:   use,
			Short: short,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				as, _, err := withTray()
				if err != nil {
					return err
				}
				res, err := do(as, cmd)
				if err != nil {
					return err
				}
				return printResult(res)
			},
		}
	}
	start := &cobra.Command{
		Use:   "start",
		Short: "Start the tray now, and wait until it runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			as, trayPID, err := withTray()
			if err != nil {
				return err
			}
			res, err := as.Start(cmd.Context())
			if err != nil {
				return err
			}
			if res.Changed {
				if res, err = a.awaitTray(cmd.Context(), res, trayPID); err != nil {
					return err
				}
			}
			return printResult(res)
		},
	}
	stop := control("stop", "Stop the running tray", func(as *installer.Autostart, cmd *cobra.Command) (installer.Result, error) {
		return as.Stop(cmd.Context())
	})
	cmd.AddCommand(install, uninstall, status, start, stop)
	return cmd
}

func printServiceStatus(p *printer, info serviceStatus) {
	st := info.Autostart
	switch {
	case !st.Installed:
		p.Field("Autostart", "not installed (`magister-notify service install` would write a %s)", st.Method.Description())
	case st.Enabled:
		p.Field("Autostart", "installed as %s, enabled", st.Method.Description())
	default:
		p.Field("Autostart", "installed as %s, but disabled", st.Method.Description())
	}
	if st.Installed {
		p.Field("Where", "%s", st.Path)
	}
	if st.Command != "" {
		p.Field("Starts", "%s", st.Command)
	}
	if st.Note != "" {
		p.Field("Note", "%s", st.Note)
	}
	tray := "not running"
	switch {
	case info.Tray.Running && info.Tray.PID != 0:
		tray = fmt.Sprintf("running (pid %d)", info.Tray.PID)
	case info.Tray.Running:
		tray = "running"
	}
	if st.Running {
		tray += ", under " + st.Method.Description()
	}
	p.Field("Tray", "%s", tray)
	printHandler(p, info.Handler)
}

// printHandler says whether the m6loapp:// sign-in handler is registered
// (status and service status share it).
func printHandler(p *printer, h installer.HandlerState) {
	switch {
	case h.Registered && h.Current:
		p.Field("Sign-in handler", "registered for m6loapp:// (%s): the browser hands sign-ins back by itself", h.Path)
	case h.Registered:
		p.Field("Sign-in handler", "registered for another copy or state directory; run `magister-notify login --register-handler`")
	case h.Foreign:
		p.Field("Sign-in handler", "m6loapp:// opens another application (%s)", h.Default)
	case h.Note != "":
		p.Field("Sign-in handler", "%s", h.Note)
	default:
		p.Field("Sign-in handler", "not registered (`magister-notify login --register-handler`)")
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
			res.Message = fmt.Sprintf("Started the tray; it is running (pid %d).", pid)
			return res, nil
		}
		select {
		case <-res.Exited():
			if pid, ok := trayPID(); ok { // it ran and was quit meanwhile
				res.Message = fmt.Sprintf("Started the tray (pid %d).", pid)
				return res, nil
			}
			return res, fmt.Errorf("the tray stopped right after it started: %s", a.trayLogReason())
		case <-timeout.C:
			return res, fmt.Errorf("the tray was started but did not run within %s: %s", trayStartWait, a.trayLogReason())
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
		return "see " + path
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
			return v + " (from " + path + ")"
		}
	}
	return "see " + path
}
