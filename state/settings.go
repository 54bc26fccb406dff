package state

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The rules for changing a setting live here, next to the data, so that
// `config set`, `pause` and the tray's menu cannot drift apart: each change
// is one method, and each method refuses a value the app cannot use.

// Privacy levels of a child: how much a notification about the child says.
const (
	PrivacyFull    = "full"    // subject, grade and description
	PrivacySubject = "subject" // the subject only
	PrivacyMinimal = "minimal" // only that there is something, and for whom
)

// PrivacyLevels lists the privacy levels, the default first.
var PrivacyLevels = []string{PrivacyFull, PrivacySubject, PrivacyMinimal}

// Bounds of the duration settings.
const (
	MaxInterval         = 24 * time.Hour
	MaxPause            = 30 * 24 * time.Hour
	MinLookAhead        = 24 * time.Hour
	MaxLookAhead        = 28 * 24 * time.Hour
	MaxHomeworkReminder = 7 * 24 * time.Hour
	DefaultPause        = time.Hour
	morningHour         = 7 // a pause "until tomorrow" ends at 07:00
	clockLayout         = "15:04"
)

// SettingError is a value a setting does not take. The rules live here, and
// so do their words, in each of Languages: Error is the English, In gives
// the reason in the language the user reads.
type SettingError struct {
	English, Dutch string
}

func (e *SettingError) Error() string { return e.English }

// In is the reason in lang ("nl" or "en"; see ResolveLanguage).
func (e *SettingError) In(lang string) string {
	if lang == "en" {
		return e.English
	}
	return e.Dutch
}

// refuse is a SettingError, the same arguments formatted into both texts.
func refuse(en, nl string, args ...any) error {
	return &SettingError{English: fmt.Sprintf(en, args...), Dutch: fmt.Sprintf(nl, args...)}
}

// ErrNoChild is returned when a child is not (or no longer) in the state.
var ErrNoChild = errors.New("state: no such child")

// SetInterval sets the time between checks; it must be at least MinInterval.
func (s *Settings) SetInterval(d time.Duration) error {
	if d < MinInterval {
		return refuse("interval %s is too short: at least %s, to be polite to Magister",
			"interval %s is te kort: minstens %s, uit beleefdheid tegenover Magister", FormatDuration(d), FormatDuration(MinInterval))
	}
	if d > MaxInterval {
		return refuse("interval %s is too long: at most %s, or nothing would be news any more",
			"interval %s is te lang: hoogstens %s, anders is niets meer nieuws", FormatDuration(d), FormatDuration(MaxInterval))
	}
	s.Interval = Duration(d)
	return nil
}

// SetQuietHours sets the quiet hours from "HH:MM-HH:MM" or "off".
func (s *Settings) SetQuietHours(v string) error {
	q, err := ParseQuietHours(v)
	if err != nil {
		return err
	}
	s.QuietHours = q
	return nil
}

// ParseQuietHours reads "HH:MM-HH:MM" or "off".
func ParseQuietHours(v string) (QuietHours, error) {
	if v == "off" {
		return QuietHours{Off: true}, nil
	}
	start, end, ok := strings.Cut(v, "-")
	if !ok || !IsClock(start) || !IsClock(end) {
		return QuietHours{}, refuse("quiet hours %q: use HH:MM-HH:MM, e.g. 22:00-07:00, or off",
			"stille uren %q: gebruik UU:MM-UU:MM, bijvoorbeeld 22:00-07:00, of off", v)
	}
	if start == end {
		return QuietHours{}, refuse("quiet hours %q start and end at the same time: give two different times, or off",
			"stille uren %q beginnen en eindigen op hetzelfde moment: geef twee verschillende tijden, of off", v)
	}
	return QuietHours{Start: start, End: end}, nil
}

// String is the quiet hours as `config` shows and ParseQuietHours reads them.
func (q QuietHours) String() string {
	if q.Off {
		return "off"
	}
	return orDefault(q.Start, DefaultQuietStart) + "-" + orDefault(q.End, DefaultQuietEnd)
}

// Window is the quiet hours in minutes after local midnight, with the
// defaults for an empty start or end; off reports that they are switched off.
// A value that does not parse (an old or hand-edited file) gives the
// defaults, which hold notifications rather than wake anyone.
func (q QuietHours) Window() (start, end int, off bool) {
	if q.Off {
		return 0, 0, true
	}
	sh, sm, ok1 := ParseClock(orDefault(q.Start, DefaultQuietStart))
	eh, em, ok2 := ParseClock(orDefault(q.End, DefaultQuietEnd))
	if !ok1 || !ok2 {
		return QuietHours{}.Window()
	}
	return sh*60 + sm, eh*60 + em, false
}

// ParseClock reads a local time of day such as "07:00".
func ParseClock(v string) (h, m int, ok bool) {
	t, err := time.Parse(clockLayout, strings.TrimSpace(v))
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// IsClock reports whether v is a time of day written as HH:MM.
func IsClock(v string) bool {
	_, _, ok := ParseClock(v)
	return ok && len(v) == len(clockLayout)
}

// SetLookAhead sets how far ahead timetable changes are watched.
func (s *Settings) SetLookAhead(d time.Duration) error {
	if d < MinLookAhead || d > MaxLookAhead {
		return refuse("look-ahead %s: use %s to %s", "vooruitkijken %s: gebruik %s tot %s",
			FormatDuration(d), FormatDuration(MinLookAhead), FormatDuration(MaxLookAhead))
	}
	s.LookAhead = Duration(d)
	return nil
}

// EffectiveLookAhead is the look-ahead with the default applied.
func (s Settings) EffectiveLookAhead() time.Duration { return s.LookAhead.or(DefaultLookAhead) }

// SetTestReminder sets when a test is announced: HH:MM on the day before.
func (s *Settings) SetTestReminder(v string) error {
	if !IsClock(v) {
		return refuse("test reminder %q: use HH:MM, e.g. 18:00", "toetsherinnering %q: gebruik UU:MM, bijvoorbeeld 18:00", v)
	}
	s.TestReminder = v
	return nil
}

// SetHomeworkReminder sets how long before the lesson homework is announced.
func (s *Settings) SetHomeworkReminder(d time.Duration) error {
	if d <= 0 || d > MaxHomeworkReminder {
		return refuse("homework reminder %s: use a duration up to %s, e.g. 24h",
			"huiswerkherinnering %s: gebruik een duur tot %s, bijvoorbeeld 24h", FormatDuration(d), FormatDuration(MaxHomeworkReminder))
	}
	s.HomeworkReminder = Duration(d)
	return nil
}

// EffectiveHomeworkReminder is the homework reminder with the default applied.
func (s Settings) EffectiveHomeworkReminder() time.Duration {
	return s.HomeworkReminder.or(DefaultHomeworkReminder)
}

// or is d, or def when d is unset (or, in a hand-edited file, negative).
func (d Duration) or(def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return time.Duration(d)
}

// SetKind switches notifications of kind (one of Kinds) on or off.
func (s *Settings) SetKind(kind string, on bool) error {
	if !slices.Contains(Kinds, kind) {
		return fmt.Errorf("state: unknown kind %q", kind)
	}
	if on && kind == KindPreview {
		// On explicitly: its default depends on the account.
		if s.Disabled == nil {
			s.Disabled = map[string]bool{}
		}
		s.Disabled[kind] = false
		return nil
	}
	if on {
		delete(s.Disabled, kind)
		if len(s.Disabled) == 0 {
			s.Disabled = nil
		}
		return nil
	}
	if s.Disabled == nil {
		s.Disabled = map[string]bool{}
	}
	s.Disabled[kind] = true
	return nil
}

// Pause holds notifications for d from now.
func (s *Settings) Pause(now time.Time, d time.Duration) error {
	if d <= 0 {
		return refuse("pause %s: give a positive duration", "pauze %s: geef een positieve duur", FormatDuration(d))
	}
	if d > MaxPause {
		return refuse("pause %s: at most %s; to stop for longer, switch kinds off (config set notify.KIND off)",
			"pauze %s: hoogstens %s; zet soorten meldingen uit om langer te stoppen (config set notify.SOORT off)",
			FormatDuration(d), FormatDuration(MaxPause))
	}
	s.PauseUntil = now.Add(d)
	return nil
}

// PauseUntilTomorrow holds notifications until UntilTomorrow(now).
func (s *Settings) PauseUntilTomorrow(now time.Time) {
	s.PauseUntil = UntilTomorrow(now)
}

// Resume ends a pause at now and reports whether there was one. The pause
// ends as if it had run out at now (PauseUntil = now, not zero), so what it
// held still counts as held and arrives as one digest.
func (s *Settings) Resume(now time.Time) bool {
	if !s.Paused(now) {
		return false
	}
	s.PauseUntil = now
	return true
}

// UntilTomorrow is 07:00 on the next morning in now's location (this
// morning's, while it is still night).
func UntilTomorrow(now time.Time) time.Time {
	y, m, d := now.Date()
	t := time.Date(y, m, d, morningHour, 0, 0, 0, now.Location())
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// ChildRef names one child wherever a child is chosen (the menu, `config`,
// the outbox): the key of the account it is read through and its Magister
// person id. A first name is not enough: two accounts can share a child, and
// two children a name.
type ChildRef struct {
	Account string
	ID      int
}

// String is "account#id".
func (r ChildRef) String() string { return r.Account + "#" + strconv.Itoa(r.ID) }

// Children lists every child of every account, in the order of the state.
func (s *State) Children() []ChildRef {
	var refs []ChildRef
	for _, a := range s.Accounts {
		for _, c := range a.Children {
			refs = append(refs, ChildRef{Account: a.Key, ID: c.ID})
		}
	}
	return refs
}

// Child finds the child ref names.
func (s *State) Child(ref ChildRef) (*Child, error) {
	for ai := range s.Accounts {
		if s.Accounts[ai].Key != ref.Account {
			continue
		}
		for ci := range s.Accounts[ai].Children {
			if s.Accounts[ai].Children[ci].ID == ref.ID {
				return &s.Accounts[ai].Children[ci], nil
			}
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrNoChild, ref)
}

// MuteChild switches notifications about a child off (muted) or on.
func (s *State) MuteChild(ref ChildRef, muted bool) error {
	c, err := s.Child(ref)
	if err != nil {
		return err
	}
	c.Muted = muted
	return nil
}

// SetPrivacy sets how much notifications about a child say: one of
// PrivacyLevels.
func (s *State) SetPrivacy(ref ChildRef, level string) error {
	if !slices.Contains(PrivacyLevels, level) {
		return refuse("privacy %q: use %s, %s or %s", "privacy %q: gebruik %s, %s of %s", level, PrivacyFull, PrivacySubject, PrivacyMinimal)
	}
	c, err := s.Child(ref)
	if err != nil {
		return err
	}
	c.Privacy = level
	return nil
}

// SetPreviewTime sets when "tomorrow at a glance" comes: HH:MM.
func (s *Settings) SetPreviewTime(v string) error {
	if !IsClock(v) {
		return refuse("preview time %q: use HH:MM, e.g. 19:00", "tijd van het overzicht %q: gebruik UU:MM, bijvoorbeeld 19:00", v)
	}
	s.PreviewTime = v
	return nil
}

// EffectivePreviewTime is the preview time with the default applied.
func (s Settings) EffectivePreviewTime() string {
	if _, _, ok := ParseClock(s.PreviewTime); !ok {
		return DefaultPreviewTime
	}
	return s.PreviewTime
}

// EffectiveTestReminder is the test reminder with the default applied.
func (s Settings) EffectiveTestReminder() string {
	if _, _, ok := ParseClock(s.TestReminder); !ok {
		return DefaultTestReminder
	}
	return s.TestReminder
}

// PrivacyLevel is the child's privacy level with the default applied.
func (c Child) PrivacyLevel() string { return orDefault(c.Privacy, PrivacyFull) }

// ParseDuration reads a Go duration or a whole number of days ("7d"), the
// way durations are written in `config` and `pause`.
func ParseDuration(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, refuse("%q is not a duration (e.g. 15m, 2h, 7d)", "%q is geen duur (bijvoorbeeld 15m, 2h, 7d)", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, refuse("%q is not a duration (e.g. 15m, 2h, 7d)", "%q is geen duur (bijvoorbeeld 15m, 2h, 7d)", v)
	}
	return d, nil
}

// FormatDuration writes 15m, 1h30m, 24h or 7d rather than 15m0s.
func FormatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= 2*day && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	if d%time.Minute != 0 || d < 0 {
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

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
