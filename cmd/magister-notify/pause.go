package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/state"
)

// untilTomorrow is 07:00 on the next morning (today's, when it is still
// night).
func untilTomorrow(now time.Time) time.Time {
	y, m, d := now.Date()
	t := time.Date(y, m, d, 7, 0, 0, 0, now.Location())
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

type pauseInfo struct {
	Paused bool       `json:"paused"`
	Until  *time.Time `json:"until,omitempty"`
}

func (a *app) pauseCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "pause [DURATION|until-tomorrow]",
		Short: "Hold notifications for a while (default 1h); they arrive as one digest afterwards",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now()
			until := now.Add(time.Hour)
			if len(args) == 1 {
				if args[0] == "until-tomorrow" {
					until = untilTomorrow(now)
				} else {
					d, err := parseDuration(args[0])
					if err != nil || d <= 0 {
						return fmt.Errorf("pause %q: give a duration such as 30m, 2h or 1d, or until-tomorrow", args[0])
					}
					until = now.Add(d)
				}
			}
			return a.setPause(cmd, until)
		},
	}
}

func (a *app) resumeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "resume",
		Short: "End a pause; held notifications arrive as one digest",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return a.resume(cmd) },
	}
}

// resume ends a pause; what it held arrives as one digest.
func (a *app) resume(cmd *cobra.Command) error {
	st, err := a.openStore("resume")
	if err != nil {
		return err
	}
	var was bool
	err = st.Update(cmd.Context(), func(s *state.State) error {
		was = s.Settings.Resume(time.Now())
		return nil
	})
	if err != nil {
		return err
	}
	info := struct {
		Paused  bool `json:"paused"`
		Resumed bool `json:"resumed"`
	}{false, was}
	return a.emit(info, func(p *printer) {
		if was {
			p.Line("Notifications resumed; what arrived during the pause comes as one digest.")
		} else {
			p.Line("Nothing was paused.")
		}
	})
}

func (a *app) setPause(cmd *cobra.Command, until time.Time) error {
	st, err := a.openStore("pause")
	if err != nil {
		return err
	}
	err = st.Update(cmd.Context(), func(s *state.State) error {
		s.Settings.PauseUntil = until
		return nil
	})
	if err != nil {
		return err
	}
	info := pauseInfo{Paused: !until.IsZero(), Until: timePtr(until)}
	return a.emit(info, func(p *printer) {
		p.Line("Notifications paused until %s. `magister-notify resume` ends the pause.", when(until))
	})
}
