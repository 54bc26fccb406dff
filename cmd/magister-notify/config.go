package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
)

// setting is one key of `magister-notify config`. The rules of each value
// live in state; a setting only reads the text of the command line.
type setting struct {
	key  string
	help string
	get  func(s *state.State) string
	set  func(s *state.State, v string) error
}

// durationSetting reads a duration ("15m", "7d") and hands it to set.
func durationSetting(set func(*state.Settings, time.Duration) error) func(*state.State, string) error {
	return func(s *state.State, v string) error {
		d, err := state.ParseDuration(v)
		if err != nil {
			return err
		}
		return set(&s.Settings, d)
	}
}

// settings lists the fixed keys; per-child keys (privacy.NAME, child.NAME)
// are resolved by settingFor.
func settings() []setting {
	list := []setting{
		{"interval", "time between checks, 5m to 24h (e.g. 15m, 1h)",
			func(s *state.State) string { return state.FormatDuration(s.Settings.EffectiveInterval()) },
			durationSetting((*state.Settings).SetInterval)},
		{"quiet-hours", "when notifications wait for the morning: HH:MM-HH:MM, or off",
			func(s *state.State) string { return s.Settings.QuietHours.String() },
			func(s *state.State, v string) error { return s.Settings.SetQuietHours(v) }},
		{"language", "language of everything magister-notify says: nl, en, or auto (the locale's; Dutch when it names none)",
			func(s *state.State) string { return def(s.Settings.Language, state.LanguageAuto) },
			func(s *state.State, v string) error { return s.Settings.SetLanguage(v) }},
		{"sinks", "where notifications go, comma-separated: desktop, stdout, jsonl:PATH, exec:COMMAND",
			func(s *state.State) string {
				if len(s.Settings.Sinks) == 0 {
					return "desktop"
				}
				return strings.Join(s.Settings.Sinks, ",")
			},
			func(s *state.State, v string) error {
				sinks, err := notifier.ResolveSinks(splitList(v))
				if err != nil {
					return err
				}
				s.Settings.Sinks = sinks
				return nil
			}},
		{"look-ahead", "how far ahead timetable changes are watched, 1d to 28d (e.g. 7d, 3d)",
			func(s *state.State) string { return state.FormatDuration(s.Settings.EffectiveLookAhead()) },
			durationSetting((*state.Settings).SetLookAhead)},
		{"test-reminder", "when a test is announced: HH:MM on the evening before",
			func(s *state.State) string { return s.Settings.EffectiveTestReminder() },
			func(s *state.State, v string) error { return s.Settings.SetTestReminder(v) }},
		{"homework-reminder", "how long before the lesson homework is announced, up to 7d (e.g. 24h, 12h)",
			func(s *state.State) string { return state.FormatDuration(s.Settings.EffectiveHomeworkReminder()) },
			durationSetting((*state.Settings).SetHomeworkReminder)},
	}
	list = append(list, setting{"preview-time", "when tomorrow at a glance comes: HH:MM in the evening",
		func(s *state.State) string { return s.Settings.EffectivePreviewTime() },
		func(s *state.State, v string) error { return s.Settings.SetPreviewTime(v) }})
	for _, kind := range state.Kinds {
		help := "notifications about " + kind + ": on or off"
		if kind == state.KindPreview {
			help = "tomorrow at a glance in the evening: on or off (default: on for a parent's account, off for a student's)"
		}
		list = append(list, setting{"notify." + kind, help,
			func(s *state.State) string { return onOff(s.KindOn(kind)) },
			func(s *state.State, v string) error {
				on, err := parseOnOff(v)
				if err != nil {
					return err
				}
				return s.Settings.SetKind(kind, on)
			}})
	}
	return list
}

// childSettings are the keys of each child: privacy.NAME and child.NAME,
// where NAME is the child's first name in lower case. The keys name the
// child for people; the state knows it by its state.ChildRef.
func childSettings(s *state.State) []setting {
	var list []setting
	for _, ref := range s.Children() {
		c, _ := s.Child(ref)
		name := strings.ToLower(c.FirstName)
		child := func(s *state.State) state.Child {
			c, err := s.Child(ref)
			if err != nil {
				return state.Child{}
			}
			return *c
		}
		list = append(list,
			setting{"privacy." + name, "how much notifications about this child say: full, subject or minimal",
				func(s *state.State) string { return child(s).PrivacyLevel() },
				func(s *state.State, v string) error { return s.SetPrivacy(ref, v) }},
			setting{"child." + name, "notifications about this child: on or off",
				func(s *state.State) string { return onOff(!child(s).Muted) },
				func(s *state.State, v string) error {
					on, err := parseOnOff(v)
					if err != nil {
						return err
					}
					return s.MuteChild(ref, !on)
				}})
	}
	return list
}

func settingFor(s *state.State, key string) (setting, bool) {
	key = strings.ToLower(key)
	for _, st := range append(settings(), childSettings(s)...) {
		if st.key == key {
			return st, true
		}
	}
	return setting{}, false
}

// configOptions are the arguments of `config get` and `config set`.
type configOptions struct {
	key   string
	value string // set only
}

func (a *app) configCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show or change settings",
	}
	cmd.AddCommand(&cobra.Command{
		Use:         "list",
		Annotations: map[string]string{readOnly: "yes"},
		Short:       "Show every setting",
		Args:        cobra.NoArgs,
		RunE:        func(cmd *cobra.Command, _ []string) error { return a.runConfigList(cmd.Context()) },
	}, &cobra.Command{
		Use:         "get [KEY]",
		Annotations: map[string]string{readOnly: "yes"},
		Short:       "Show one setting (without a key: every setting)",
		Args:        cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return a.runConfigList(cmd.Context())
			}
			return a.runConfigGet(cmd.Context(), configOptions{key: args[0]})
		},
	})
	set := &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change one setting",
		Long:  "Change one setting. The keys:\n\n" + keyHelp() + "\nprivacy.NAME and child.NAME exist for each watched child.",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runConfigSet(cmd.Context(), configOptions{key: args[0], value: args[1]})
		},
	}
	// A value may start with a minus ("-5m") without being taken for a flag:
	// it gets the setting's own error.
	set.Flags().SetInterspersed(false)
	cmd.AddCommand(set)
	return cmd
}

// keyHelp lists the fixed keys with what they take, for `config set --help`.
func keyHelp() string {
	var b strings.Builder
	for _, x := range settings() {
		fmt.Fprintf(&b, "  %-20s %s\n", x.key, x.help)
	}
	return b.String()
}

// shown is a setting's value as `config` shows it: "auto" says what the
// locale chose, "auto (nl)".
func (a *app) shown(x setting, s *state.State) string {
	v := x.get(s)
	if x.key == "language" && v == state.LanguageAuto {
		v += " (" + state.ResolveLanguage("", a.env()) + ")"
	}
	return v
}

func (a *app) runConfigList(ctx context.Context) error {
	_, s, err := a.loadState(ctx, "config")
	if err != nil {
		return err
	}
	values := map[string]string{}
	var keys []string
	for _, x := range append(settings(), childSettings(&s)...) {
		values[x.key] = a.shown(x, &s)
		keys = append(keys, x.key)
	}
	return a.emit(values, func(p *printer) {
		for _, k := range keys {
			p.Field(k, "%s", values[k])
		}
	})
}

func (a *app) runConfigGet(ctx context.Context, o configOptions) error {
	_, s, err := a.loadState(ctx, "config")
	if err != nil {
		return err
	}
	x, ok := settingFor(&s, o.key)
	if !ok {
		return a.unknownKey(&s, o.key)
	}
	value := a.shown(x, &s)
	return a.emit(map[string]string{strings.ToLower(o.key): value}, func(p *printer) { p.Line("%s", value) })
}

func (a *app) runConfigSet(ctx context.Context, o configOptions) error {
	st, err := a.openStore("config")
	if err != nil {
		return err
	}
	var value string
	err = st.Update(ctx, func(s *state.State) error {
		a.useSettings(s.Settings)
		x, ok := settingFor(s, o.key)
		if !ok {
			return a.unknownKey(s, o.key)
		}
		if err := x.set(s, strings.TrimSpace(o.value)); err != nil {
			return a.refused(x.key, o.value, err)
		}
		a.useSettings(s.Settings) // the confirmation speaks a new language
		value = a.shown(x, s)
		return nil
	})
	if err != nil {
		return err
	}
	return a.emit(map[string]string{strings.ToLower(o.key): value}, func(p *printer) {
		p.Line(p.say("%s is now %s", "%s is nu %s"), strings.ToLower(o.key), value)
	})
}

func (a *app) unknownKey(s *state.State, key string) error {
	var keys []string
	for _, x := range append(settings(), childSettings(s)...) {
		keys = append(keys, x.key)
	}
	sort.Strings(keys)
	return fmt.Errorf(a.say("unknown setting %q; the settings are: %s", "onbekende instelling %q; de instellingen zijn: %s"),
		key, strings.Join(keys, ", "))
}

// refused is the error of a value the setting key does not take, in the
// CLI's language: state words its rules in both (state.SettingError); a
// reason only in English (a sink's, from notifier) is given in parentheses
// after a Dutch sentence.
func (a *app) refused(key, v string, err error) error {
	var se *state.SettingError
	switch {
	case errors.As(err, &se):
		return &inWords{words: se.In(a.lang()), err: err}
	case a.lang() == "en":
		return err
	}
	return fmt.Errorf("ongeldige waarde %q voor %s (%w)", v, key, err)
}

func def(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func parseOnOff(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return false, &state.SettingError{English: fmt.Sprintf("%q: use on or off", v), Dutch: fmt.Sprintf("%q: gebruik on of off", v)}
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
