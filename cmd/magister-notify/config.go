package main

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
)

// setting is one key of `magister-notify config`.
type setting struct {
	key  string
	help string
	get  func(s *state.State) string
	set  func(s *state.State, v string) error
}

// settings lists the fixed keys; per-child keys (privacy.NAME, child.NAME)
// are resolved by settingFor.
func settings() []setting {
	list := []setting{
		{"interval", "time between checks, at least 5m (e.g. 15m, 1h)",
			func(s *state.State) string { return fmtDuration(s.Settings.EffectiveInterval()) },
			func(s *state.State, v string) error {
				d, err := parseDuration(v)
				if err != nil {
					return err
				}
				if d < state.MinInterval {
					return fmt.Errorf("interval %s is too short: at least %s, to be polite to Magister", v, fmtDuration(state.MinInterval))
				}
				s.Settings.Interval = state.Duration(d)
				return nil
			}},
		{"quiet-hours", "when notifications wait for the morning: HH:MM-HH:MM, or off",
			func(s *state.State) string {
				q := s.Settings.QuietHours
				if q.Off {
					return "off"
				}
				return def(q.Start, state.DefaultQuietStart) + "-" + def(q.End, state.DefaultQuietEnd)
			},
			func(s *state.State, v string) error {
				if v == "off" {
					s.Settings.QuietHours = state.QuietHours{Off: true}
					return nil
				}
				start, end, ok := strings.Cut(v, "-")
				if !ok || !isClock(start) || !isClock(end) {
					return fmt.Errorf("quiet hours %q: use HH:MM-HH:MM, e.g. 22:00-07:00, or off", v)
				}
				s.Settings.QuietHours = state.QuietHours{Start: start, End: end}
				return nil
			}},
		{"language", "language of notifications: nl or en",
			func(s *state.State) string { return def(s.Settings.Language, state.DefaultLanguage) },
			func(s *state.State, v string) error {
				if v != "nl" && v != "en" {
					return fmt.Errorf("language %q: use nl or en", v)
				}
				s.Settings.Language = v
				return nil
			}},
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
		{"look-ahead", "how far ahead timetable changes are watched (e.g. 7d, 3d)",
			func(s *state.State) string {
				if s.Settings.LookAhead == 0 {
					return fmtDuration(state.DefaultLookAhead)
				}
				return fmtDuration(time.Duration(s.Settings.LookAhead))
			},
			func(s *state.State, v string) error {
				d, err := parseDuration(v)
				if err != nil || d < 24*time.Hour || d > 28*24*time.Hour {
					return fmt.Errorf("look-ahead %q: use 1d to 28d", v)
				}
				s.Settings.LookAhead = state.Duration(d)
				return nil
			}},
		{"test-reminder", "when a test is announced: HH:MM on the evening before",
			func(s *state.State) string { return def(s.Settings.TestReminder, state.DefaultTestReminder) },
			func(s *state.State, v string) error {
				if !isClock(v) {
					return fmt.Errorf("test reminder %q: use HH:MM, e.g. 18:00", v)
				}
				s.Settings.TestReminder = v
				return nil
			}},
		{"homework-reminder", "how long before the lesson homework is announced (e.g. 24h, 12h)",
			func(s *state.State) string {
				if s.Settings.HomeworkReminder == 0 {
					return fmtDuration(state.DefaultHomeworkReminder)
				}
				return fmtDuration(time.Duration(s.Settings.HomeworkReminder))
			},
			func(s *state.State, v string) error {
				d, err := parseDuration(v)
				if err != nil || d <= 0 || d > 7*24*time.Hour {
					return fmt.Errorf("homework reminder %q: use a duration up to 7d, e.g. 24h", v)
				}
				s.Settings.HomeworkReminder = state.Duration(d)
				return nil
			}},
	}
	for _, kind := range state.Kinds {
		list = append(list, setting{"notify." + kind, "notifications about " + kind + ": on or off",
			func(s *state.State) string { return onOff(s.Settings.KindEnabled(kind)) },
			func(s *state.State, v string) error {
				on, err := parseOnOff(v)
				if err != nil {
					return err
				}
				if s.Settings.Disabled == nil {
					s.Settings.Disabled = map[string]bool{}
				}
				if on {
					delete(s.Settings.Disabled, kind)
				} else {
					s.Settings.Disabled[kind] = true
				}
				return nil
			}})
	}
	return list
}

// childSettings are the keys of each child: privacy.NAME and child.NAME.
func childSettings(s *state.State) []setting {
	var list []setting
	for ai := range s.Accounts {
		for ci := range s.Accounts[ai].Children {
			name := strings.ToLower(s.Accounts[ai].Children[ci].FirstName)
			ai, ci := ai, ci
			child := func(s *state.State) *state.Child { return &s.Accounts[ai].Children[ci] }
			list = append(list,
				setting{"privacy." + name, "how much notifications about this child say: full, subject or minimal",
					func(s *state.State) string { return def(child(s).Privacy, "full") },
					func(s *state.State, v string) error {
						if !slices.Contains([]string{"full", "subject", "minimal"}, v) {
							return fmt.Errorf("privacy %q: use full, subject or minimal", v)
						}
						child(s).Privacy = v
						return nil
					}},
				setting{"child." + name, "notifications about this child: on or off",
					func(s *state.State) string { return onOff(!child(s).Muted) },
					func(s *state.State, v string) error {
						on, err := parseOnOff(v)
						child(s).Muted = !on
						return err
					}})
		}
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

func (a *app) configCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show or change settings",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "Show every setting",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openStore("config")
			if err != nil {
				return err
			}
			values := map[string]string{}
			var keys []string
			err = st.View(cmd.Context(), func(s state.State) error {
				for _, x := range append(settings(), childSettings(&s)...) {
					values[x.key] = x.get(&s)
					keys = append(keys, x.key)
				}
				return nil
			})
			if err != nil {
				return err
			}
			return a.emit(values, func(p *printer) {
				for _, k := range keys {
					p.Field(k, "%s", values[k])
				}
			})
		},
	}, &cobra.Command{
		Use:   "get KEY",
		Short: "Show one setting",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openStore("config")
			if err != nil {
				return err
			}
			var value string
			err = st.View(cmd.Context(), func(s state.State) error {
				x, ok := settingFor(&s, args[0])
				if !ok {
					return unknownKey(&s, args[0])
				}
				value = x.get(&s)
				return nil
			})
			if err != nil {
				return err
			}
			return a.emit(map[string]string{strings.ToLower(args[0]): value}, func(p *printer) { p.Line("%s", value) })
		},
	}, &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change one setting (see `config list` for the keys)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openStore("config")
			if err != nil {
				return err
			}
			var value string
			err = st.Update(cmd.Context(), func(s *state.State) error {
				x, ok := settingFor(s, args[0])
				if !ok {
					return unknownKey(s, args[0])
				}
				if err := x.set(s, strings.TrimSpace(args[1])); err != nil {
					return err
				}
				value = x.get(s)
				return nil
			})
			if err != nil {
				return err
			}
			return a.emit(map[string]string{strings.ToLower(args[0]): value}, func(p *printer) {
				p.Line("%s is now %s", strings.ToLower(args[0]), value)
			})
		},
	})
	return cmd
}

func unknownKey(s *state.State, key string) error {
	var keys []string
	for _, x := range append(settings(), childSettings(s)...) {
		keys = append(keys, x.key)
	}
	sort.Strings(keys)
	return fmt.Errorf("unknown setting %q; the settings are: %s", key, strings.Join(keys, ", "))
}

// parseDuration accepts Go durations plus whole days ("7d").
func parseDuration(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("%q is not a duration (e.g. 15m, 2h, 7d)", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (e.g. 15m, 2h, 7d)", v)
	}
	return d, nil
}

// fmtDuration prints 15m, 1h30m, 24h or 7d rather than 15m0s.
func fmtDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= 2*day && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	if d%time.Minute != 0 {
		return d.String()
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}

func isClock(v string) bool {
	_, err := time.Parse("15:04", v)
	return err == nil && len(v) == 5
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
	return false, fmt.Errorf("%q: use on or off", v)
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
