package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
)

type checkResult struct {
	Children  []notifier.ChildReport   `json:"children"`
	Queued    int                      `json:"queued"`
	Delivery  *notifier.DeliveryReport `json:"delivery,omitempty"`
	Error     string                   `json:"error,omitempty"`
	DryRun    bool                     `json:"dry_run,omitempty"`
	Notifying []state.Entry            `json:"would_notify,omitempty"`
}

func (a *app) checkCommand() *cobra.Command {
	var sinks []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check Magister once now and deliver what is new",
		Long: "Checks every signed-in account and child once, queues a notification for everything new\n" +
			"and delivers what is due. Safe to run while the tray runs: each notification is shown once,\n" +
			"though a crash at the wrong moment can repeat one notification. Ctrl-C or SIGTERM during\n" +
			"delivery releases what was not finished at once, for the next check or the tray.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openStore("check")
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			checker := &notifier.Checker{Store: st, Open: notifier.Sources(a.accounts(st).Open), DryRun: dryRun}
			rep, err := checker.Check(ctx)
			if err != nil {
				return err
			}
			res := checkResult{Children: rep.Children, Queued: rep.Queued, DryRun: dryRun, Notifying: rep.Entries}
			if rep.Err != nil {
				res.Error = rep.Err.Error()
			}
			var deliverErr error
			if !dryRun {
				res.Delivery, deliverErr = a.deliverAfter(ctx, st, rep, sinks)
			}
			lang := def(rep.Language, state.DefaultLanguage)
			if err := a.emit(res, func(p *printer) {
				for _, c := range res.Children {
					p.Line("%s", c.Summary(lang))
				}
				if dryRun {
					for _, e := range res.Notifying {
						p.Line("  would notify: %s", e.Title)
					}
					p.Line("(dry run: nothing was marked as seen or delivered)")
				}
				if d := res.Delivery; d != nil && d.Held > 0 {
					p.Line("%d held until %s (quiet hours or pause); they arrive then as one digest.", d.Held, when(d.HeldUntil))
				}
			}); err != nil {
				return err
			}
			if rep.Err != nil {
				return rep.Err
			}
			return deliverErr
		},
	}
	cmd.Flags().StringArrayVar(&sinks, "sink", nil, "deliver to this sink this time instead of the configured ones, which still get everything later (repeatable): desktop, stdout, jsonl:PATH, exec:COMMAND")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would be notified without marking or delivering anything")
	return cmd
}

// sinks builds the given sinks, else the configured ones (desktop when none
// are configured), with the app icon for desktop notifications. The
// configured ones are those the check that reported after read, or read
// afresh when after is nil.
func (a *app) sinks(ctx context.Context, st *state.Store, specs []string, after *notifier.Report, icon string) ([]notifier.Sink, error) {
	if len(specs) == 0 && after != nil {
		specs = after.Sinks
	} else if len(specs) == 0 {
		s, err := st.Load(ctx)
		if err != nil {
			return nil, err
		}
		specs = s.Settings.Sinks
	}
	return notifier.ParseSinks(specs, notifier.SinkStdout(a.stdout), notifier.SinkIcon(icon))
}

// deliverAfter is the delivery round after the check that reported rep:
// to the given sinks (one-off), else to the sinks the check read from the
// settings. It reads nothing when the check left the outbox empty.
func (a *app) deliverAfter(ctx context.Context, st *state.Store, rep *notifier.Report, specs []string) (*notifier.DeliveryReport, error) {
	sinks, err := a.sinks(ctx, st, specs, rep, iconFile(cacheDir()))
	if err != nil {
		return nil, err
	}
	d := &notifier.Deliverer{Store: st, Sinks: sinks, OneOff: len(specs) > 0}
	return d.DeliverAfter(ctx, rep)
}

// deliver runs one delivery round to the given sinks, else the configured
// ones. With oneOff the given sinks acknowledge for themselves only, and
// the entries stay for the configured sinks (see notifier.Deliverer.OneOff).
func (a *app) deliver(ctx context.Context, st *state.Store, specs []string, oneOff bool) (*notifier.DeliveryReport, error) {
	sinks, err := a.sinks(ctx, st, specs, nil, iconFile(cacheDir()))
	if err != nil {
		return nil, err
	}
	d := &notifier.Deliverer{Store: st, Sinks: sinks, OneOff: oneOff}
	return d.Deliver(ctx)
}

func (a *app) notifyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "notify", Short: "Notification tools"}
	var sinks []string
	test := &cobra.Command{
		Use:   "test",
		Short: "Show a test notification through the configured sinks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openStore("notify")
			if err != nil {
				return err
			}
			now := time.Now()
			err = st.Update(cmd.Context(), func(s *state.State) error {
				s.Outbox = append(s.Outbox, state.Entry{ID: "test-" + now.Format("20060102T150405.000"), Kind: "test", Change: "test",
					Title: "magister-notify werkt", Body: "Dit is een testmelding. / This is a test notification.",
					Created: now, Batch: "test-" + now.Format(time.RFC3339Nano)})
				return nil
			})
			if err != nil {
				return err
			}
			// The test entry is for the sinks given, so they take it (and
			// whatever else is due) for good.
			rep, err := a.deliver(cmd.Context(), st, sinks, false)
			if err != nil {
				return err
			}
			return a.emit(rep, func(p *printer) {
				switch {
				case rep.Delivered > 0:
					p.Line("A test notification was sent.")
				case rep.Held > 0:
					p.Line("The test notification is held until %s (quiet hours or pause).", when(rep.HeldUntil))
				default:
					p.Line("The test notification was not delivered yet; see magister-notify log --pending.")
				}
			})
		},
	}
	test.Flags().StringArrayVar(&sinks, "sink", nil, "use this sink instead of the configured ones (repeatable)")
	cmd.AddCommand(test)
	return cmd
}
