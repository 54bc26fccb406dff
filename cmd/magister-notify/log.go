package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/state"
)

// logOptions are the flags of `log`.
type logOptions struct {
	n       int  // how many entries; 0: all
	pending bool // the outbox instead of the history
}

func (a *app) logCommand() *cobra.Command {
	var o logOptions
	cmd := &cobra.Command{
		Use:         "log",
		Annotations: map[string]string{readOnly: "yes"},
		Short:       "Show the notification history (reading it changes nothing)",
		Args:        cobra.NoArgs,
		RunE:        func(cmd *cobra.Command, _ []string) error { return a.runLog(cmd.Context(), o) },
	}
	cmd.Flags().IntVarP(&o.n, "n", "n", 20, "how many entries to show (0: all)")
	cmd.Flags().BoolVar(&o.pending, "pending", false, "show the notifications still waiting in the outbox instead")
	return cmd
}

// runLog shows the newest o.n delivered notifications, or with o.pending
// those waiting in the outbox.
func (a *app) runLog(ctx context.Context, o logOptions) error {
	st, err := a.openStore("log")
	if err != nil {
		return err
	}
	if o.n < 0 {
		return usageError{fmt.Errorf(a.say("-n %d: give how many entries to show (0: all)",
			"-n %d: geef op hoeveel meldingen te tonen (0: alle)"), o.n)}
	}
	var entries []state.Entry
	err = st.View(ctx, func(s state.State) error {
		a.useSettings(s.Settings)
		if o.pending {
			entries = s.Outbox
		} else {
			entries = s.History
			sort.SliceStable(entries, func(i, j int) bool { return entries[i].Delivered.After(entries[j].Delivered) })
		}
		return nil
	})
	if err != nil {
		return err
	}
	if o.n > 0 && len(entries) > o.n {
		entries = entries[:o.n]
	}
	if entries == nil {
		entries = []state.Entry{}
	}
	return a.emit(entries, func(p *printer) { printLog(p, entries, o.pending) })
}

// printLog lists entries with when each was delivered, or with pending
// when each was queued and why it is still waiting.
func printLog(p *printer, entries []state.Entry, pending bool) {
	if len(entries) == 0 {
		if pending {
			p.Line("%s", p.say("No notifications are waiting.", "Er wachten geen meldingen."))
		} else {
			p.Line("%s", p.say("No notifications yet.", "Nog geen meldingen."))
		}
	}
	for _, e := range entries {
		at := e.Delivered
		if pending {
			at = e.Created
		}
		line := e.Title
		if e.Body != "" {
			line += " — " + firstLine(e.Body)
		}
		p.Field(when(at), "%s", line)
		if pending && e.LastError != "" {
			p.Field("", p.say("  not delivered yet: %s", "  nog niet afgeleverd: %s"), e.LastError)
		}
	}
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
