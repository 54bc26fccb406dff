package notifier

import (
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

// TestPreviewAcrossAWeek (issue 15): "tomorrow at a glance" comes once, at
// the preview time the evening before a school day with news; not before a
// weekend or a day without news, and not for a holiday.
func TestPreviewAcrossAWeek(t *testing.T) {
	r := RulesFrom(state.Settings{})
	r.Loc = ams
	// Monday 30 Nov: the 1st hour is cancelled, a test in the 3rd, homework
	// in the 4th. Tuesday: ordinary. Wednesday: the 5th hour cancelled.
	// Thursday, Friday: ordinary. The week after: a holiday, no lessons.
	var appts []magister.Appointment
	for d := range 5 {
		for h := 8; h < 14; h++ {
			appts = append(appts, lesson(d*100+h, d, h, "B1", 1))
		}
	}
	appts[0].Status = magister.StatusCancelledManually
	appts[2].InfoType, appts[2].Content = magister.InfoTest, "<p>H4</p>"
	appts[3].InfoType, appts[3].Content = magister.InfoHomework, "<p>Maak 4.1</p>"
	appts[2*6+4].Status = magister.StatusCancelledAutomatic // Wednesday 12:00
	day := func(d, h, m int) time.Time { return time.Date(2026, 11, 30+d, h, m, 0, 0, ams) }
	set := newSet()
	steps := []struct {
		name string
		now  time.Time
		want string
	}{
		{"Sunday afternoon: the first check, a silent start", day(-1, 15, 0), ""},
		{"Sunday 18:59", day(-1, 18, 59), ""},
		{"Sunday 19:00: Monday", day(-1, 19, 0), "Morgen, ma 30 nov: begint 09:00"},
		{"Sunday 21:00: said already", day(-1, 21, 0), ""},
		{"Monday 19:00: an ordinary Tuesday", day(0, 19, 0), ""},
		{"Tuesday 19:30: Wednesday's cancelled lesson", day(1, 19, 30), "Morgen, wo 2 dec"},
		{"Thursday 19:00: an ordinary Friday", day(3, 19, 0), ""},
		{"Friday 19:00: no lessons on Saturday", day(4, 19, 0), ""},
		{"Sunday 19:00: the holiday week", day(6, 19, 0), ""},
	}
	var bodies []string
	for _, st := range steps {
		evs := DetectPreview(set, appts, st.now, r)
		got := ""
		if len(evs) > 1 {
			t.Fatalf("%s: %d previews", st.name, len(evs))
		}
		if len(evs) == 1 {
			var body string
			got, body = wording{Lang: "nl", Privacy: PrivacyFull, Loc: ams}.Words(evs[0])
			bodies = append(bodies, body)
		}
		if got != st.want {
			t.Errorf("%s: %q, want %q", st.name, got, st.want)
		}
	}
	if len(bodies) == 2 {
		for _, want := range []string{"Vervalt: 1e uur Wiskunde", "Toets: Wiskunde (proefwerk)", "Huiswerk: Wiskunde"} {
			if !strings.Contains(bodies[0], want) {
				t.Errorf("Monday's preview %q lacks %q", bodies[0], want)
			}
		}
		if !strings.Contains(bodies[1], "Vervalt: 5e uur Wiskunde") {
			t.Errorf("Wednesday's preview %q lacks the cancelled 5th hour", bodies[1])
		}
	}
}

func TestPreviewDefaultsByAccount(t *testing.T) {
	var s state.Settings
	if !s.KindEnabledFor(state.KindPreview, true) || s.KindEnabledFor(state.KindPreview, false) {
		t.Error("the preview is not on for parents and off for students by default")
	}
	if err := s.SetKind(state.KindPreview, true); err != nil {
		t.Fatal(err)
	}
	if !s.KindEnabledFor(state.KindPreview, false) {
		t.Error("switched on, the preview is still off for a student")
	}
	s.SetKind(state.KindPreview, false)
	if s.KindEnabledFor(state.KindPreview, true) {
		t.Error("switched off, the preview is still on for a parent")
	}
}
