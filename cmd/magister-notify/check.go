package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
)

// friendlyCheckError words a failed fetch that reads as internals (a dial
// error with a URL in it, a bare status) the way a person would say it, by
// notifier.DescribeFailure, in lang. Errors that explain() words itself,
// with their advice, keep their own text.
func friendlyCheckError(err error, lang string) error {
	if errors.As(err, new(*magister.StoreError)) || errors.As(err, new(*magister.PageError)) ||
		errors.Is(err, magister.ErrWrongOrigin) || errors.Is(err, magister.ErrTokenRedirect) ||
		errors.Is(err, magister.ErrLoginRequired) || errors.Is(err, magister.ErrRateLimited) {
		return err
	}
	if words, ok := notifier.DescribeFailure(lang, err); ok {
		return &inWords{words: say(lang, "the check failed: ", "de controle is mislukt: ") + words +
			" (details: check --verbose)", err: err}
	}
	return err
}

// sayStillChecking prints one line to a terminal when a check takes longer
// than after, so a slow Magister does not look like a hang. The returned
// function stops it.
func (a *app) sayStillChecking(after time.Duration) func() {
	f, ok := a.stderr.(*os.File)
	if !ok || a.json {
		return func() {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	t := time.AfterFunc(after, func() {
		// Only now, and without touching a.language (this runs beside
		// the check): a quick check reads nothing more for it.
		fmt.Fprintln(f, say(a.fileLanguage(), "Still waiting for Magister…", "Nog aan het wachten op Magister…"))
	})
	return func() { t.Stop() }
}

type checkResult struct {
	Children  []notifier.ChildReport   `json:"children"`
	Queued    int                      `json:"queued"`
	Delivery  *notifier.DeliveryReport `json:"delivery,omitempty"`
	Error     string                   `json:"error,omitempty"`
	DryRun    bool                     `json:"dry_run,omitempty"`
	Notifying []state.Entry            `json:"would_notify,omitempty"`
}

// checkOptions are the flags of `check`.
type checkOptions struct {
	sinks   []string // one-off sinks instead of the configured ones
	dryRun  bool
	verbose bool
	timeout time.Duration
}

func (a *app) checkCommand() *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check Magister once now and deliver what is new",
		Long: "Checks every signed-in account and child once, queues a notification for everything new\n" +
			"and delivers what is due. Safe to run while the tray runs: each notification is shown once,\n" +
			"though a crash at the wrong moment can repeat one notification. Ctrl-C or SIGTERM during\n" +
			"delivery releases what was not finished at once, for the next check or the tray.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runCheck(cmd.Context(), o) },
	}
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "say what exactly failed, per child")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up on Magister after this long (what was not read counts as not checked)")
	cmd.Flags().StringArrayVar(&o.sinks, "sink", nil, "deliver to this sink this time instead of the configured ones, which still get everything later (repeatable): desktop, stdout, jsonl:PATH, exec:COMMAND")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "show what would be notified without marking or delivering anything")
	return cmd
}

// runCheck checks once, delivers what is due (unless o.dryRun) and reports
// both; a failed fetch is reported first and then returned.
func (a *app) runCheck(ctx context.Context, o checkOptions) error {
	st, err := a.openStore("check")
	if err != nil {
		return err
	}
	checker := &notifier.Checker{Store: st, Open: notifier.Sources(a.accounts(st).Open), DryRun: o.dryRun, Timeout: o.timeout,
		Getenv: a.env()}
	stopWaiting := a.sayStillChecking(2 * time.Second)
	rep, err := checker.Check(ctx)
	stopWaiting()
	if err != nil {
		return err
	}
	a.useLanguage(rep.Language) // the check read the setting; nothing more is read for the words
	res := checkResult{Children: rep.Children, Queued: rep.Queued, DryRun: o.dryRun, Notifying: rep.Entries}
	if rep.Err != nil {
		res.Error = rep.Err.Error()
	}
	var deliverErr error
	if !o.dryRun {
		res.Delivery, deliverErr = a.deliverAfter(ctx, st, rep, o.sinks)
	}
	if err := a.emit(res, func(p *printer) { printCheck(p, res, o.verbose) }); err != nil {
		return err
	}
	if rep.Err != nil {
		return friendlyCheckError(rep.Err, a.lang())
	}
	return deliverErr
}

// printCheck says per child what the check found (with verbose, what
// failed), what a dry run would notify, and what is held.
func printCheck(p *printer, res checkResult, verbose bool) {
	for _, c := range res.Children {
		p.Line("%s", c.Summary(p.lang))
		if verbose {
			for _, e := range c.Errors {
				p.Line("  %s", e)
			}
		}
	}
	if res.DryRun {
		for _, e := range res.Notifying {
			p.Line(p.say("  would notify: %s", "  zou melden: %s"), e.Title)
		}
		p.Line("%s", p.say("(dry run: nothing was marked as seen or delivered)",
			"(proefrun: niets is als gezien gemarkeerd of afgeleverd)"))
	}
	if d := res.Delivery; d != nil && d.Held > 0 {
		p.Line(p.say("%d held until %s (quiet hours or pause); they arrive then as one digest.",
			"%d wachten tot %s (stille uren of pauze); ze komen dan als één overzicht."), d.Held, when(d.HeldUntil))
	}
}

// sinks builds the given sinks, else the configured ones (desktop when none
// are configured), with the app icon for desktop notifications. The
// configured ones are those the check that reported after read, or read
// afresh when after is nil.
func (a *app) sinks(ctx context.Context, st *state.Store, specs []string, after *notifier.Report, icon string, more ...notifier.SinkOption) ([]notifier.Sink, error) {
	if len(specs) == 0 && after != nil {
		specs = after.Sinks
	} else if len(specs) == 0 {
		s, err := st.Load(ctx)
		if err != nil {
			return nil, err
		}
		a.useSettings(s.Settings)
		specs = s.Settings.Sinks
	}
	return notifier.ParseSinks(specs, append([]notifier.SinkOption{notifier.SinkStdout(a.stdout), notifier.SinkIcon(icon)}, more...)...)
}

// deliverAfter is the delivery round after the check that reported rep:
// to the given sinks (one-off), else to the sinks the check read from the
// settings. It reads nothing when the check left the outbox empty.
func (a *app) deliverAfter(ctx context.Context, st *state.Store, rep *notifier.Report, specs []string) (*notifier.DeliveryReport, error) {
	sinks, err := a.sinks(ctx, st, specs, rep, iconFile(cacheDir()))
	if err != nil {
		return nil, err
	}
	d := &notifier.Deliverer{Store: st, Sinks: sinks, OneOff: len(specs) > 0, Getenv: a.env()}
	return d.DeliverAfter(ctx, rep)
}

// notifyTestResult is what `notify test` reports: the sinks that showed the
// test notification and those that failed, with why.
type notifyTestResult struct {
	Shown  []string          `json:"shown"`
	Failed map[string]string `json:"failed,omitempty"`
}

// notifyTestOptions are the flags of `notify test`.
type notifyTestOptions struct {
	sinks []string // instead of the configured ones
}

// runNotifyTest sends a test notification straight to each sink. It goes
// through no outbox: a test that fails is reported, not retried later
// among the real notifications.
func (a *app) runNotifyTest(ctx context.Context, o notifyTestOptions) error {
	st, err := a.openStore("notify")
	if err != nil {
		return err
	}
	sinks, err := a.sinks(ctx, st, o.sinks, nil, iconFile(cacheDir()))
	if err != nil {
		return err
	}
	now := time.Now()
	n := notifier.Notification{ID: "test-" + now.Format("20060102T150405.000"), Kind: "test",
		Title:   a.say("magister-notify works", "magister-notify werkt"),
		Body:    a.say("This is a test notification.", "Dit is een testmelding."),
		Created: now, Delivered: now}
	res := notifyTestResult{Shown: []string{}}
	var errs []error
	for _, sink := range sinks {
		if err := sink.Send(ctx, n); err != nil {
			if res.Failed == nil {
				res.Failed = map[string]string{}
			}
			res.Failed[sink.Name()] = err.Error()
			errs = append(errs, &notifier.SinkError{Sink: sink.Name(), Err: err})
			continue
		}
		res.Shown = append(res.Shown, sink.Name())
	}
	if err := a.emit(res, func(p *printer) {
		for _, name := range res.Shown {
			p.Line(p.say("A test notification was sent to %s.", "Er is een testmelding naar %s gestuurd."), name)
		}
	}); err != nil {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf(a.say("the test notification could not be shown: %w", "de testmelding kon niet worden getoond: %w"),
			errors.Join(errs...))
	}
	return nil
}

func (a *app) notifyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "notify", Short: "Notification tools"}
	var o notifyTestOptions
	test := &cobra.Command{
		Use:   "test",
		Short: "Show a test notification through the configured sinks",
		Args:  cobra.NoArgs,
		Long: "Show a test notification now through the configured sinks (or the --sink ones), whatever\n" +
			"the quiet hours or a pause say. It is shown or reported as failed, never kept for later.",
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runNotifyTest(cmd.Context(), o) },
	}
	test.Flags().StringArrayVar(&o.sinks, "sink", nil, "use this sink instead of the configured ones (repeatable)")
	cmd.AddCommand(test)
	return cmd
}
