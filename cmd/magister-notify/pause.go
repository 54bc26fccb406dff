package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/state"
)

type pauseInfo struct {
	Paused bool       `json:"paused"`
	Until  *time.Time `json:"until,omitempty"`
}

// pauseOptions are the argument of `pause`.
type pauseOptions struct {
	args []string // DURATION or until-tomorrow, if given
}

func (a *app) pauseCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "pause [DURATION|until-tomorrow]",
		Short: "Hold notifications for a while (default 1h); they arrive as one digest afterwards",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runPause(cmd.Context(), pauseOptions{args: args})
		},
	}
}

func (a *app) resumeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "resume",
		Short: "End a pause; held notifications arrive as one digest",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return a.runResume(cmd.Context()) },
	}
}

// runResume ends a pause; what it held arrives as one digest.
func (a *app) runResume(ctx context.Context) error {
	st, err := a.openStore("resume")
	if err != nil {
		return err
	}
	var was bool
	err = st.Update(ctx, func(s *state.State) error {
		a.useSettings(s.Settings)
		was = s.Settings.Resume(a.now())
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
			p.Line(p.say("Notifications resumed; what arrived during the pause comes as one digest.",
				"Meldingen hervat; wat tijdens de pauze binnenkwam, komt als één overzicht."))
		} else {
			p.Line(p.say("Nothing was paused.", "Er was niets gepauzeerd."))
		}
	})
}

// pauseChange reads the argument of `pause`: a duration (default 1h) or
// until-tomorrow.
func (a *app) pauseChange(args []string, now time.Time) (func(*state.Settings) error, error) {
	d := state.DefaultPause
	if len(args) == 1 {
		if args[0] == "until-tomorrow" {
			return func(s *state.Settings) error { s.PauseUntilTomorrow(now); return nil }, nil
		}
		var err error
		d, err = state.ParseDuration(args[0])
		if err != nil || d <= 0 {
			return nil, fmt.Errorf(a.say("pause %q: give a duration such as 30m, 2h or 1d, or until-tomorrow",
				"pauze %q: geef een duur zoals 30m, 2h of 1d, of until-tomorrow"), args[0])
		}
	}
	return func(s *state.Settings) error { return s.Pause(now, d) }, nil
}

// runPause holds notifications for the duration o.args gives.
func (a *app) runPause(ctx context.Context, o pauseOptions) error {
	change, err := a.pauseChange(o.args, a.now())
	if err != nil {
		return err
	}
	st, err := a.openStore("pause")
	if err != nil {
		return err
	}
	var until time.Time
	err = st.Update(ctx, func(s *state.State) error {
		a.useSettings(s.Settings)
		if err := change(&s.Settings); err != nil {
			return a.refused("pause", strings.Join(o.args, " "), err)
		}
		until = s.Settings.PauseUntil
		return nil
	})
	if err != nil {
		return err
	}
	info := pauseInfo{Paused: !until.IsZero(), Until: timePtr(until)}
	return a.emit(info, func(p *printer) {
		p.Line(p.say("Notifications paused until %s. `magister-notify resume` ends the pause.",
			"Meldingen gepauzeerd tot %s. `magister-notify resume` beëindigt de pauze."), when(until))
	})
}
