package main

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/state"
)

func (a *app) logCommand() *cobra.Command {
	var n int
	var pending bool
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Show the notification history (reading it changes nothing)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openStore("log")
			if err != nil {
				return err
			}
			if n < 0 {
				return usageError{fmt.Errorf("-n %d: give how many entries to show (0: all)", n)}
			}
			var entries []state.Entry
			err = st.View(cmd.Context(), func(s state.State) error {
				if pending {
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
			if n > 0 && len(entries) > n {
				entries = entries[:n]
			}
			if entries == nil {
				entries = []state.Entry{}
			}
			return a.emit(entries, func(p *printer) {
				if len(entries) == 0 {
					if pending {
						p.Line("No notifications are waiting.")
					} else {
						p.Line("No notifications yet.")
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
						p.Field("", "  not delivered yet: %s", e.LastError)
					}
				}
			})
		},
	}
	cmd.Flags().IntVarP(&n, "n", "n", 20, "how many entries to show (0: all)")
	cmd.Flags().BoolVar(&pending, "pending", false, "show the notifications still waiting in the outbox instead")
	return cmd
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
