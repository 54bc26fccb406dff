package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/installer"
	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
	"github.com/magister-notify/magister-notify/tray"
)

type statusInfo struct {
	StateDir    string                  `json:"state_dir"`
	StateFile   string                  `json:"state_file"`
	Schema      int                     `json:"schema_version"`
	Tray        trayInfo                `json:"tray"`
	LastAttempt *time.Time              `json:"last_check,omitempty"`
	LastSuccess *time.Time              `json:"last_success,omitempty"`
	LastError   string                  `json:"last_error,omitempty"`
	Failures    int                     `json:"consecutive_failures,omitempty"`
	PausedUntil *time.Time              `json:"paused_until,omitempty"`
	Accounts    int                     `json:"accounts"`
	Children    int                     `json:"children"`
	Seen        int                     `json:"seen_items"`
	Pending     int                     `json:"pending_notifications"`
	History     int                     `json:"history"`
	Failing     []string                `json:"delivery_failures,omitempty"`
	Handler     *installer.HandlerState `json:"signin_handler,omitempty"`
	Quarantined []state.Quarantine      `json:"quarantined,omitempty"`
	Files       []string                `json:"quarantined_files,omitempty"`
}

type trayInfo struct {
	Running bool   `json:"running"`
	PID     int    `json:"pid,omitempty"`
	NoIcon  string `json:"no_icon,omitempty"` // why this build has no status icon
}

func (a *app) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:         "status",
		Annotations: map[string]string{readOnly: "yes"},
		Short:       "Show the state, the tray and the health of the last check",
		Args:        cobra.NoArgs,
		RunE:        func(cmd *cobra.Command, _ []string) error { return a.runStatus(cmd.Context()) },
	}
}

// runStatus shows the state, the tray, the sign-in handler and the health
// of the last check.
func (a *app) runStatus(ctx context.Context) error {
	st, err := a.openStore("status")
	if err != nil {
		return err
	}
	info := statusInfo{StateDir: st.Dir(), StateFile: st.Path()}
	info.Tray.NoIcon = tray.NoIcon
	info.Tray.PID, info.Tray.Running = st.TrayPID()
	now := time.Now()
	err = st.View(ctx, func(s state.State) error {
		info.fill(s, now)
		a.useSettings(s.Settings)
		return nil
	})
	if err != nil {
		return err
	}
	if info.Files, err = st.QuarantinedFiles(); err != nil {
		return err
	}
	if h, err := installer.HandlerStatus(ctx, a.handlerOptions(false)); err == nil {
		info.Handler = &h
	}
	return a.emit(info, func(p *printer) { printStatus(p, info) })
}

// fill copies what status reports from the state s at now.
func (info *statusInfo) fill(s state.State, now time.Time) {
	info.Schema = s.Version
	info.LastAttempt = timePtr(s.Health.LastAttempt)
	info.LastSuccess = timePtr(s.Health.LastSuccess)
	info.LastError = s.Health.LastError
	info.Failures = s.Health.ConsecutiveFailures
	if s.Settings.Paused(now) {
		info.PausedUntil = timePtr(s.Settings.PauseUntil)
	}
	info.Accounts = len(s.Accounts)
	for _, acc := range s.Accounts {
		info.Children += len(acc.Children)
	}
	info.Seen = s.SeenCount()
	info.Pending = len(s.Outbox)
	info.History = len(s.History)
	info.Quarantined = s.Quarantined
	info.Failing = notifier.PendingFailures(s)
}

func printStatus(p *printer, info statusInfo) {
	p.Field(p.say("State", "Status"), "%s (schema %d)", info.StateFile, info.Schema)
	p.Field("Tray", "%s", trayRunning(p, info.Tray))
	if info.Tray.NoIcon != "" {
		p.Field(p.say("Tray icon", "Tray-pictogram"), "%s", info.Tray.NoIcon)
	}
	lastCheck := p.say("Last check", "Laatste controle")
	switch {
	case info.LastAttempt == nil:
		p.Field(lastCheck, "%s", p.say("never", "nog nooit"))
	case info.LastSuccess != nil && !info.LastSuccess.Before(*info.LastAttempt):
		p.Field(lastCheck, p.say("%s, succeeded", "%s, gelukt"), when(*info.LastAttempt))
	default:
		p.Field(lastCheck, p.say("%s, failed (%d in a row)", "%s, mislukt (%d keer achter elkaar)"),
			when(*info.LastAttempt), info.Failures)
	}
	if info.LastError != "" {
		p.Field(p.say("Last error", "Laatste fout"), "%s", info.LastError)
	}
	if info.PausedUntil != nil {
		p.Field(p.say("Paused", "Gepauzeerd"), p.say("until %s", "tot %s"), when(*info.PausedUntil))
	}
	p.Field(p.say("Tracking", "Volgt"), "%s, %s, %s",
		plural(info.Accounts, p.say("account", "account"), p.say("accounts", "accounts")),
		plural(info.Children, p.say("child", "kind"), p.say("children", "kinderen")),
		plural(info.Seen, p.say("seen item", "gezien item"), p.say("seen items", "geziene items")))
	p.Field(p.say("Notifications", "Meldingen"), p.say("%d waiting, %d in history", "%d wachtend, %d in de geschiedenis"),
		info.Pending, info.History)
	for _, f := range info.Failing {
		p.Field(p.say("Not delivered", "Niet afgeleverd"), "%s", f)
	}
	if info.Handler != nil {
		printHandler(p, *info.Handler)
	}
	printQuarantine(p, info)
}

// printQuarantine says what became of damaged state files.
func printQuarantine(p *printer, info statusInfo) {
	damaged := p.say("Damaged state", "Beschadigde status")
	for _, q := range info.Quarantined {
		if !q.Salvaged {
			p.Field(damaged, p.say("%s was moved aside at %s: %s; a fresh state was started",
				"%s is om %s opzijgezet: %s; er is een nieuwe status begonnen"), q.File, when(q.At), q.Reason)
			continue
		}
		p.Field(damaged, p.say("%s was moved aside at %s: %s; what could be read was kept",
			"%s is om %s opzijgezet: %s; wat leesbaar was, is bewaard"), q.File, when(q.At), q.Reason)
		if len(q.Reset) > 0 {
			p.Field(p.say("Started afresh", "Opnieuw begonnen"), p.say("%s (what was seen starts with a silent check)",
				"%s (wat gezien was, begint met een stille controle)"), strings.Join(q.Reset, ", "))
		}
	}
	for _, f := range info.Files {
		p.Field(p.say("Quarantined file", "Opzijgezet bestand"), p.say("%s (delete it once you no longer need it)",
			"%s (verwijder het als je het niet meer nodig hebt)"), filepath.Base(f))
	}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// when formats a moment for people: the time alone today, else date and time.
func when(t time.Time) string {
	t = t.Local()
	now := time.Now()
	if y, m, d := now.Date(); t.Year() == y && t.Month() == m && t.Day() == d {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
