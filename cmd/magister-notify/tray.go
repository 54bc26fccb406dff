package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/account"
	"github.com/magister-notify/magister-notify/assets"
	"github.com/magister-notify/magister-notify/installer"
	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
	"github.com/magister-notify/magister-notify/tray"
)

func (a *app) trayCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "tray",
		Short: "Run the status icon: check Magister on time and show notifications",
		Long: "Runs the status icon with its menu. It checks Magister every interval (15 minutes unless\n" +
			"configured), shows a desktop notification for everything new, holds them through quiet hours\n" +
			"and pauses, and follows what other magister-notify commands change within seconds.\n" +
			"Only one tray runs per state directory. Its log is magister-notify.log in the state directory.\n" +
			"`magister-notify service install` starts it at every login.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runTray(cmd.Context()) },
	}
}

// runTray runs the status icon until ctx ends or it is quit; why it
// stopped goes to its log.
func (a *app) runTray(ctx context.Context) error {
	st, err := a.openStore("tray")
	if err != nil {
		return err
	}
	logf, err := tray.OpenLog(st.Dir(), 0)
	if err != nil {
		return err
	}
	defer logf.Close()
	logger := slog.New(slog.NewTextHandler(logf, nil))
	// Windows: toasts are attributed to magister-notify (name, icon).
	if err := installer.RegisterAppID(iconFile(cacheDir())); err != nil {
		logger.Warn("register the app id for notifications", "err", err)
	}
	cfg := a.trayConfig(st, logger, iconFile(cacheDir()))
	cfg.Login = a.trayLogin(st, logger)
	if as, err := installer.New(installer.Options{StateDir: a.stateDir, TrayPID: st.TrayPID}); err == nil {
		cfg.Autostart = as.Toggle()
	} else {
		logger.Warn("autostart is unavailable", "err", err)
	}
	err = tray.Run(ctx, cfg)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	if err != nil {
		// Started at login or by `service start`, nobody sees stderr:
		// the log says why it stopped.
		logger.Error("the tray stopped", "err", err)
	}
	return err
}

// trayConfig wires the tray to the notifier: checks through the signed-in
// accounts, deliveries to the configured sinks (read afresh every round, so
// `config set sinks` takes effect without a restart).
func (a *app) trayConfig(st *state.Store, logger *slog.Logger, icon string) tray.Config {
	accts := a.accounts(st)
	// The menu, the notifications and the digests all speak by one
	// rule, on one environment.
	checker := &notifier.Checker{Store: st, Open: notifier.Sources(accts.Open), Getenv: a.env()}
	// One lease owner for every round of this process.
	owner := fmt.Sprintf("tray-%d", os.Getpid())
	// The tray lives on, so its notifications can open their page when
	// clicked (a one-off check's cannot: nobody would receive the click).
	clicks := notifier.NewClicks(func(url string) error {
		logger.Info("a notification was clicked: opening its page", "url", url)
		err := openBrowser(url)
		if err != nil {
			logger.Warn("open the page of a clicked notification", "err", err)
		}
		return err
	})
	// last is what the check just before a delivery round reported; the
	// scheduler delivers right after each check, and that round uses it
	// once (see notifier.Deliverer.DeliverAfter).
	var last atomic.Pointer[notifier.Report]
	return tray.Config{
		Store:  st,
		Getenv: a.env(),
		Check: func(ctx context.Context) error {
			rep, err := checker.Check(ctx)
			if err != nil {
				return err
			}
			last.Store(rep)
			if rep.Queued > 0 {
				logger.Info("new notifications queued", "count", rep.Queued)
			}
			return rep.Err
		},
		Deliver: func(ctx context.Context) error {
			rep, err := a.deliverRound(ctx, st, last.Swap(nil), owner, icon, notifier.SinkClicks(clicks))
			if rep != nil && rep.Delivered > 0 {
				logger.Info("notifications delivered", "count", rep.Delivered)
			}
			return err
		},
		OpenURL: openBrowser,
		// About the app itself, after a click in its menu: on the desktop,
		// whatever the configured sinks.
		Notify: func(ctx context.Context, title, body string) error {
			return notifier.NewDesktopSink(icon).Send(ctx, notifier.Notification{Kind: notifier.KindProblem, Title: title, Body: body})
		},
		Logger: logger,
	}
}

// deliverRound is one of the tray's delivery rounds to the configured
// sinks; after is the check that just ran, or nil for a round on its own
// (held notifications falling due), which reads the sinks afresh.
func (a *app) deliverRound(ctx context.Context, st *state.Store, after *notifier.Report, owner, icon string, more ...notifier.SinkOption) (*notifier.DeliveryReport, error) {
	sinks, err := a.sinks(ctx, st, nil, after, icon, more...)
	if err != nil {
		return nil, err
	}
	d := &notifier.Deliverer{Store: st, Sinks: sinks, Owner: owner, Getenv: a.env()}
	return d.DeliverAfter(ctx, after)
}

// trayLogin is "Log in again…": a browser login for the first account's
// school. The m6loapp:// handler, registered here if it can be, completes
// it (or a pasted `login --redirect-url`).
func (a *app) trayLogin(st *state.Store, logger *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var acct *state.Account
		if err := st.View(ctx, func(s state.State) error {
			if len(s.Accounts) > 0 {
				acct = &s.Accounts[0]
			}
			return nil
		}); err != nil {
			return err
		}
		if acct == nil {
			return errNotLoggedIn
		}
		school, err := account.SchoolOf(*acct)
		if err != nil {
			return err
		}
		if _, err := installer.RegisterHandler(ctx, a.handlerOptions(false)); err != nil {
			logger.Warn("the sign-in cannot come back by itself", "err", err)
		}
		req, err := account.StartLogin(ctx, st.Dir(), school, "")
		if err != nil {
			return err
		}
		if err := openBrowser(req.AuthorizeURL()); err != nil {
			// Started all the same: the address can be opened by hand.
			return &tray.BrowserError{URL: req.AuthorizeURL(), Err: err}
		}
		return nil
	}
}

// cacheDir is where the tray may keep files it can recreate, or "".
func cacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "magister-notify")
}

// iconFile writes the application icon into dir for desktop notifications
// (which take a path) and returns its path, or "" when it cannot.
func iconFile(dir string) string {
	if dir == "" {
		return ""
	}
	path := filepath.Join(dir, "magister-notify.png")
	icon := assets.AppIcon()
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, icon) {
		return path
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	if err := os.WriteFile(path, icon, 0o600); err != nil {
		return ""
	}
	return path
}
