package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/account"
	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
	"github.com/magister-notify/magister-notify/tray"
)

// demoOptions are the demo's knobs; tests shorten the timeline.
type demoOptions struct {
	noTray   bool
	duration time.Duration // 0: until interrupted
	keep     bool
	interval time.Duration
	// startup is the wait before the first check (0: the scheduler's).
	startup time.Duration
	// events are the school's surprises, timed from the first check.
	events [3]time.Duration
}

// defaultDemo checks every 20 seconds; the school enters a grade, cancels a
// lesson and sends a message over the first minute, each landing in its own
// check (the first check, at about 2 s, takes stock silently).
var defaultDemo = demoOptions{
	interval: 20 * time.Second,
	events:   [3]time.Duration{3 * time.Second, 23 * time.Second, 43 * time.Second},
}

func (a *app) demoCommand() *cobra.Command {
	o := defaultDemo
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Try magister-notify with a built-in fake school: real notifications, no account needed",
		Long: "Starts a fake Magister school inside this process, signs in to it as a parent of two\n" +
			"children in a throw-away state directory, and runs the tray checking every 20 seconds.\n" +
			"During the first minute the school enters a new grade, cancels a lesson and sends a\n" +
			"message, and you get a desktop notification for each. Nothing touches your own state,\n" +
			"settings or keyring; the state directory is removed at the end (unless --keep).\n" +
			"--no-tray runs the same loop in the terminal and prints each notification.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runDemo(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.noTray, "no-tray", false, "run in the terminal without the status icon and print each notification")
	cmd.Flags().DurationVar(&o.duration, "for", 0, "stop after this long, e.g. 90s (default: until Ctrl-C)")
	cmd.Flags().BoolVar(&o.keep, "keep", false, "keep the demo's state directory and print where it is")
	return cmd
}

// runDemo runs the demo until ctx ends or o.duration has passed.
func (a *app) runDemo(ctx context.Context, o demoOptions) (err error) {
	if !o.noTray {
		if derr := tray.CheckDesktop(ctx); derr != nil {
			// No desktop session (ssh, a container): the terminal is what
			// there is, so the demo runs there rather than failing.
			fmt.Fprintln(a.stdout, a.say("No desktop session here (no D-Bus session bus): running the demo in the terminal (--no-tray).",
				"Geen bureaubladsessie hier (geen D-Bus-sessiebus): de demo draait in de terminal (--no-tray)."))
			o.noTray = true
		}
	}
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	dir, err := demoDir()
	if err != nil {
		return err
	}
	defer func() {
		if cerr := a.demoCleanup(dir, o.keep); cerr != nil && err == nil {
			err = cerr
		}
	}()
	st, err := state.Open(dir, state.WithOwner("magister-notify demo"))
	if err != nil {
		return err
	}
	school := magistertest.New()
	defer school.Close()
	if err := a.demoSignIn(ctx, st, school, o); err != nil {
		return err
	}
	logger, closeLog, err := a.demoLogger(dir, o.noTray)
	if err != nil {
		return err
	}
	defer closeLog()
	if err := a.runDemoLoop(ctx, st, school, logger, dir, o); err != nil {
		return err
	}
	s, err := st.Load(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	if len(s.History) == 1 {
		fmt.Fprintln(a.stdout, a.say("The demo ends: 1 notification was shown.", "De demo is afgelopen: 1 melding getoond."))
	} else {
		fmt.Fprintf(a.stdout, a.say("The demo ends: %d notifications were shown.\n", "De demo is afgelopen: %d meldingen getoond.\n"),
			len(s.History))
	}
	return nil
}

// demoDir makes the demo's throw-away state directory. An (empty) token
// file makes every part of the demo keep its tokens there, never in the
// user's keyring.
func demoDir() (string, error) {
	dir, err := os.MkdirTemp("", "magister-notify-demo-")
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, magister.TokenFileName), []byte(`{"version":1,"tokens":{}}`), 0o600); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("demo: %w", err)
	}
	return dir, nil
}

// demoCleanup removes the demo's state directory, or with keep says where
// it is.
func (a *app) demoCleanup(dir string, keep bool) error {
	if keep {
		fmt.Fprintf(a.stdout, a.say("The demo's state is kept in %s (try: magister-notify --state-dir %s log)\n",
			"De status van de demo blijft bewaard in %s (probeer: magister-notify --state-dir %s log)\n"), dir, dir)
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("demo: remove %s: %w", dir, err)
	}
	return nil
}

// demoSignIn sets the demo's settings and signs in to school as a parent.
func (a *app) demoSignIn(ctx context.Context, st *state.Store, school *magistertest.School, o demoOptions) error {
	sinks := []string{"desktop"}
	if o.noTray {
		sinks = []string{"stdout"}
		if desktopSession(ctx) {
			sinks = append(sinks, "desktop")
		}
	}
	if err := st.Update(ctx, func(s *state.State) error {
		s.Settings.QuietHours.Off = true // a demo at 23:00 should still show something
		s.Settings.Sinks = sinks
		s.Settings.Language = a.lang() // the user's own language, in the demo's state
		return nil
	}); err != nil {
		return err
	}
	base, err := magister.ParseSchool("demo")
	if err == nil {
		base, err = base.WithBaseURL(school.URL)
	}
	if err != nil {
		return err
	}
	acct, err := account.ImportRefreshToken(ctx, st, a.accounts(st), base,
		school.IssueRefreshToken(magistertest.ParentLogin), time.Now())
	if err != nil {
		return fmt.Errorf("demo: sign in to the fake school: %w", err)
	}
	fmt.Fprintf(a.stdout, a.say("magister-notify demo: a fake school runs at %s; signed in as %s, parent of %s.\n",
		"magister-notify demo: een nepschool draait op %s; ingelogd als %s, ouder van %s.\n"),
		school.URL, acct.Name, childNames(acct, a.lang()))
	fmt.Fprintf(a.stdout, a.say("It checks every %s. Over the next minute the school enters a grade, cancels a lesson\n"+
		"and sends a message; each becomes a notification. Stop with Ctrl-C.\n",
		"Er wordt elke %s gecontroleerd. In de komende minuut voert de school een cijfer in, laat een les vervallen\n"+
			"en stuurt een bericht; elk wordt een melding. Stoppen met Ctrl-C.\n"), o.interval)
	return nil
}

// demoLogger logs warnings to stderr in the terminal demo, and everything
// to the demo's log file when the tray runs.
func (a *app) demoLogger(dir string, noTray bool) (*slog.Logger, func(), error) {
	if noTray {
		return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), func() {}, nil
	}
	logf, err := tray.OpenLog(dir, 0)
	if err != nil {
		return nil, nil, err
	}
	return slog.New(slog.NewTextHandler(logf, nil)), func() { logf.Close() }, nil
}

// runDemoLoop runs the tray (or, with o.noTray, its scheduler alone) on the
// demo's state while the school's timeline plays, until ctx ends.
func (a *app) runDemoLoop(ctx context.Context, st *state.Store, school *magistertest.School, logger *slog.Logger, dir string, o demoOptions) error {
	cfg := a.trayConfig(st, logger, iconFile(dir))
	cfg.Interval = o.interval
	cfg.Title = "magister-notify demo"
	cfg.Autostart = demoAutostart{lang: a.lang()}

	// The school's surprises start once the first check has taken stock,
	// so that none of them is swallowed by that silent baseline.
	var once sync.Once
	baselined := make(chan struct{})
	check := cfg.Check
	cfg.Check = func(ctx context.Context) error {
		err := check(ctx)
		if err == nil {
			once.Do(func() { close(baselined) })
		}
		return err
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.demoTimeline(ctx, school, baselined, o.events, logger)
	}()

	var err error
	if o.noTray {
		s := &tray.Scheduler{
			Check: cfg.Check, Deliver: cfg.Deliver, Logger: logger, StartupDelay: o.startup,
			Plan: func(ctx context.Context) (tray.Plan, error) {
				s, err := st.Load(ctx)
				if err != nil {
					return tray.Plan{}, err
				}
				return tray.PlanFrom(s, time.Now(), o.interval), nil
			},
		}
		err = s.Run(ctx)
	} else {
		err = tray.Run(ctx, cfg)
	}
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// demoTimeline makes the fake school produce a grade, a cancelled lesson
// and a message at events after baselined is closed.
func (a *app) demoTimeline(ctx context.Context, school *magistertest.School, baselined <-chan struct{}, events [3]time.Duration, log *slog.Logger) {
	select {
	case <-ctx.Done():
		return
	case <-baselined:
	}
	start := time.Now()
	steps := []struct {
		say string
		do  func() error
	}{
		{a.say("the school enters a new grade for Anna", "de school voert een nieuw cijfer in voor Anna"), func() error {
			_, err := school.AddGrade(magistertest.GradeSpec{Child: "Anna", Subject: "wisA", Value: "8,3", Weight: 2,
				Description: "Proefwerk hoofdstuk 4"})
			return err
		}},
		{a.say("one of Daan's lessons is cancelled", "een les van Daan vervalt"), func() error { return cancelNextLesson(school, "Daan") }},
		{a.say("the mentor sends a message", "de mentor stuurt een bericht"), func() error {
			_, err := school.AddMessage("Anna", "Mentor", "Ouderavond donderdag")
			return err
		}},
	}
	for i, step := range steps {
		t := time.NewTimer(time.Until(start.Add(events[i])))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if err := step.do(); err != nil {
			log.Warn("demo step failed", "step", step.say, "err", err)
			continue
		}
		fmt.Fprintf(a.stdout, a.say("  [demo] %s; the next check will notice.\n", "  [demo] %s; de volgende controle merkt het op.\n"), step.say)
	}
}

// cancelNextLesson cancels the child's first lesson that starts at least an
// hour from now.
func cancelNextLesson(school *magistertest.School, child string) error {
	soon := time.Now().Add(time.Hour)
	for _, ap := range school.Appointments(child) {
		if ap.Subject != "" && ap.Status != 4 && ap.Start.After(soon) {
			return school.CancelLesson(child, ap.ID)
		}
	}
	return fmt.Errorf("no upcoming lesson of %s to cancel", child)
}

// childNames lists the account's children for a sentence in lang:
// "Anna, Daan and Eva".
func childNames(acct state.Account, lang string) string {
	var names []string
	for _, c := range acct.Children {
		names = append(names, c.FirstName)
	}
	switch len(names) {
	case 0:
		return say(lang, "nobody", "niemand")
	case 1:
		return names[0]
	}
	out := names[0]
	for _, n := range names[1 : len(names)-1] {
		out += ", " + n
	}
	return out + say(lang, " and ", " en ") + names[len(names)-1]
}

// desktopSession reports whether --no-tray should also show desktop
// notifications: when a display (X11 or Wayland) and a session bus are
// there. Elsewhere the terminal is all --no-tray uses.
func desktopSession(ctx context.Context) bool {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return false
	}
	return tray.CheckDesktop(ctx) == nil
}

// demoAutostart keeps "Start at login" off in the demo: its state directory
// is thrown away at the end.
type demoAutostart struct{ lang string }

// Status says why it is off in the menu's language: "Starten bij
// inloggen (niet in de demo)".
func (d demoAutostart) Status(context.Context) (bool, bool, string, error) {
	if d.lang == "en" {
		return false, false, "not in the demo", nil
	}
	return false, false, "niet in de demo", nil
}
func (demoAutostart) Install(context.Context) error   { return errors.New("not in the demo") }
func (demoAutostart) Uninstall(context.Context) error { return nil }
