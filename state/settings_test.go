package state

import (
	"errors"
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{15 * time.Minute: "15m", 20 * time.Minute: "20m", 90 * time.Minute: "1h30m",
		24 * time.Hour: "24h", 7 * 24 * time.Hour: "7d", time.Hour: "1h", 90 * time.Second: "1m30s"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"15m": 15 * time.Minute, "7d": 7 * 24 * time.Hour, "1h30m": 90 * time.Minute} {
		got, err := ParseDuration(in)
		if err != nil {
			t.Errorf("ParseDuration(%q): %v", in, err)
		}
		if got != want {
			t.Errorf("ParseDuration(%q) = %v, want %v", in, got, want)
		}
	}
	for _, in := range []string{"soon", "-1h", "-2d", "xd"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}

func TestUntilTomorrow(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	for in, want := range map[string]string{"2026-11-26 22:00": "2026-11-27 07:00", "2026-11-27 03:00": "2026-11-27 07:00",
		"2026-11-27 07:00": "2026-11-28 07:00"} {
		now, _ := time.ParseInLocation("2006-01-02 15:04", in, loc)
		if got := UntilTomorrow(now).Format("2006-01-02 15:04"); got != want {
			t.Errorf("UntilTomorrow(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestSettingBounds(t *testing.T) {
	var s Settings
	for _, c := range []struct {
		name string
		err  error
		ok   bool
	}{
		{"interval 5m", s.SetInterval(5 * time.Minute), true},
		{"interval 4m", s.SetInterval(4 * time.Minute), false},
		{"look-ahead 1d", s.SetLookAhead(24 * time.Hour), true},
		{"look-ahead 28d", s.SetLookAhead(28 * 24 * time.Hour), true},
		{"look-ahead 23h", s.SetLookAhead(23 * time.Hour), false},
		{"look-ahead 29d", s.SetLookAhead(29 * 24 * time.Hour), false},
		{"homework-reminder 7d", s.SetHomeworkReminder(7 * 24 * time.Hour), true},
		{"homework-reminder 0", s.SetHomeworkReminder(0), false},
		{"homework-reminder 8d", s.SetHomeworkReminder(8 * 24 * time.Hour), false},
		{"quiet-hours 21:30-06:45", s.SetQuietHours("21:30-06:45"), true},
		{"quiet-hours off", s.SetQuietHours("off"), true},
		{"quiet-hours late", s.SetQuietHours("late"), false},
		{"quiet-hours 7:00-08:00", s.SetQuietHours("7:00-08:00"), false},
		{"quiet-hours 25:00-08:00", s.SetQuietHours("25:00-08:00"), false},
		{"test-reminder 18:00", s.SetTestReminder("18:00"), true},
		{"test-reminder 6pm", s.SetTestReminder("6pm"), false},
		{"language en", s.SetLanguage("en"), true},
		{"language fr", s.SetLanguage("fr"), false},
		{"kind grades", s.SetKind(KindGrades, false), true},
		{"kind weather", s.SetKind("weather", false), false},
		{"pause 0", s.Pause(time.Now(), 0), false},
		{"pause 31d", s.Pause(time.Now(), 31*24*time.Hour), false},
		{"interval 25h", s.SetInterval(25 * time.Hour), false},
		{"quiet-hours 22:00-22:00", s.SetQuietHours("22:00-22:00"), false},
		{"preview-time 7pm", s.SetPreviewTime("7pm"), false},
	} {
		if got := c.err == nil; got != c.ok {
			t.Errorf("%s: err = %v, want ok=%v", c.name, c.err, c.ok)
		}
		// A refused value is said in both languages (an unknown kind is a
		// caller's mistake, not a value a user typed).
		var se *SettingError
		if c.err != nil && c.name != "kind weather" {
			if !errors.As(c.err, &se) {
				t.Errorf("%s: err = %T, want a *SettingError", c.name, c.err)
			} else if se.Dutch == "" || se.Dutch == se.English || se.In("en") != c.err.Error() {
				t.Errorf("%s: SettingError{%q, %q}: want a Dutch text of its own, and Error() the English", c.name, se.English, se.Dutch)
			}
		}
	}
}

func TestSetKindLeavesNoEmptyMap(t *testing.T) {
	var s Settings
	if err := s.SetKind(KindTests, false); err != nil {
		t.Fatal(err)
	}
	if s.KindEnabledFor(KindTests, true) {
		t.Error("tests still enabled after SetKind(tests, false)")
	}
	if err := s.SetKind(KindTests, true); err != nil {
		t.Fatal(err)
	}
	if s.Disabled != nil {
		t.Errorf("Disabled = %#v after switching everything back on, want nil", s.Disabled)
	}
}

func TestQuietHoursWindow(t *testing.T) {
	for _, c := range []struct {
		q          QuietHours
		start, end int
		off        bool
	}{
		{QuietHours{}, 22 * 60, 7 * 60, false},
		{QuietHours{Start: "21:30", End: "06:45"}, 21*60 + 30, 6*60 + 45, false},
		{QuietHours{Off: true}, 0, 0, true},
		{QuietHours{Start: "late"}, 22 * 60, 7 * 60, false},
	} {
		start, end, off := c.q.Window()
		if start != c.start || end != c.end || off != c.off {
			t.Errorf("%+v.Window() = %d, %d, %v; want %d, %d, %v", c.q, start, end, off, c.start, c.end, c.off)
		}
	}
}

func TestChildRules(t *testing.T) {
	s := State{Accounts: []Account{
		{Key: "a", Children: []Child{{ID: 1, FirstName: "Anna"}}},
		{Key: "b", Children: []Child{{ID: 1, FirstName: "Anna"}, {ID: 2, FirstName: "Daan"}}},
	}}
	refs := s.Children()
	if len(refs) != 3 {
		t.Fatalf("Children() = %v, want 3 refs", refs)
	}
	if err := s.MuteChild(ChildRef{Account: "b", ID: 1}, true); err != nil {
		t.Fatal(err)
	}
	if s.Accounts[0].Children[0].Muted {
		t.Error("muting b#1 muted a#1, a child of another account with the same id")
	}
	if !s.Accounts[1].Children[0].Muted {
		t.Error("b#1 not muted")
	}
	if err := s.SetPrivacy(ChildRef{Account: "b", ID: 2}, PrivacyMinimal); err != nil {
		t.Fatal(err)
	}
	if got := s.Accounts[1].Children[1].PrivacyLevel(); got != PrivacyMinimal {
		t.Errorf("privacy of b#2 = %q, want %q", got, PrivacyMinimal)
	}
	if err := s.SetPrivacy(ChildRef{Account: "b", ID: 2}, "secret"); err == nil {
		t.Error(`SetPrivacy("secret") accepted`)
	}
	if err := s.MuteChild(ChildRef{Account: "c", ID: 1}, true); !errors.Is(err, ErrNoChild) {
		t.Errorf("MuteChild of an unknown child = %v, want ErrNoChild", err)
	}
	if got := (ChildRef{Account: "b", ID: 2}).String(); got != "b#2" {
		t.Errorf("ChildRef.String() = %q, want b#2", got)
	}
}
