package notifier

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/testenv"
	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

var ams = testenv.Amsterdam()

// checkTime is when the detection tests fetch, unless they say otherwise.
var checkTime = time.Date(2026, 11, 30, 12, 0, 0, 0, ams)

func newSet() *state.SeenSet { return seenSet(map[string]*state.SeenSet{}, "x") }

func grade(col int, value string) magister.Grade {
	return magister.Grade{ColumnID: col, Value: value, Subject: magister.Subject{Code: "wi", Name: "Wiskunde"},
		Weight: 2, Description: "Proefwerk H4", EnteredAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
}

// changes summarises events as "change:key" in order.
func changes(evs []Event) string {
	var s []string
	for _, e := range evs {
		c := e.Change + ":" + e.Key
		if e.Urgent {
			c += "!"
		}
		s = append(s, c)
	}
	return strings.Join(s, " ")
}

func TestDetectGrades(t *testing.T) {
	set := newSet()
	steps := []struct {
		grades []magister.Grade
		want   string
	}{
		{[]magister.Grade{grade(1, "7,5"), grade(2, "6,0")}, ""}, // baseline: silent
		{[]magister.Grade{grade(1, "7,5"), grade(2, "6,0")}, ""}, // nothing new
		{[]magister.Grade{grade(3, "8,1"), grade(1, "7,5"), grade(2, "6,0")}, "new:3"},
		{[]magister.Grade{grade(4, "4,9"), grade(5, "U"), grade(6, "V")}, "new:4! new:5! new:6"},
		{[]magister.Grade{grade(3, "5,1")}, "corrected:3!"},                 // corrected into a fail
		{[]magister.Grade{grade(3, "5,1")}, ""},                             // announced once
		{[]magister.Grade{grade(3, "6,1"), grade(2, "6,0")}, "corrected:3"}, // corrected again
	}
	for i, st := range steps {
		if got := changes(DetectGrades(set, st.grades, checkTime)); got != st.want {
			t.Errorf("step %d: events %q, want %q", i, got, st.want)
		}
	}
	if exp := set.Items["3"].Expires; exp < checkTime.Add(state.SeenRetention).Unix() {
		t.Errorf("grade 3 expires at %d, before the retention after the fetch that returned it", exp)
	}
}

func TestDetectGradesCorrectionCarriesOldValue(t *testing.T) {
	set := newSet()
	DetectGrades(set, []magister.Grade{grade(1, "5,5")}, checkTime)
	ev := DetectGrades(set, []magister.Grade{grade(1, "6,5")}, checkTime)
	if len(ev) != 1 || ev[0].OldValue != "5,5" || ev[0].Grade.Value != "6,5" {
		t.Fatalf("events %+v", ev)
	}
}

// lesson is a lesson on day d (0 = Monday 30 Nov 2026) at hour h, local time.
func lesson(id, d, h int, room string, status int) magister.Appointment {
	start := time.Date(2026, 11, 30+d, h, 0, 0, 0, ams).UTC()
	return magister.Appointment{ID: id, Start: start, End: start.Add(50 * time.Minute), Location: room,
		Status: status, Type: magister.TypeLesson, Subjects: []string{"Wiskunde"}, LessonFrom: h - 7}
}

func TestDetectSchedule(t *testing.T) {
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, ams)
	from, to := monday, monday.Add(7*24*time.Hour)
	base := []magister.Appointment{lesson(1, 0, 9, "B1", 1), lesson(2, 1, 10, "B2", 1), lesson(3, 2, 11, "B3", 1), lesson(9, 3, 9, "B9", 5)}
	set := newSet()
	with := func(edit func(a []magister.Appointment) []magister.Appointment) []magister.Appointment {
		cp := append([]magister.Appointment(nil), base...)
		return edit(cp)
	}
	steps := []struct {
		name  string
		appts []magister.Appointment
		want  string
	}{
		{"baseline, one already cancelled", base, ""},
		{"unchanged", base, ""},
		{"cancelled", with(func(a []magister.Appointment) []magister.Appointment { a[0].Status = 4; return a }), "cancelled:1"},
		{"status rewritten 4→5", with(func(a []magister.Appointment) []magister.Appointment { a[0].Status = 5; return a }), ""},
		{"flips back and cancelled again", with(func(a []magister.Appointment) []magister.Appointment { a[0].Status = 4; return a }), ""},
		{"moved", with(func(a []magister.Appointment) []magister.Appointment {
			a[0].Status = 4
			a[1].Start, a[1].Status = a[1].Start.Add(2*time.Hour), 9
			return a
		}), "moved:2"},
		{"status of moved lesson rewritten to 1", with(func(a []magister.Appointment) []magister.Appointment {
			a[0].Status = 4
			a[1].Start = a[1].Start.Add(2 * time.Hour)
			return a
		}), ""},
		{"room change", with(func(a []magister.Appointment) []magister.Appointment {
			a[0].Status = 4
			a[1].Start = a[1].Start.Add(2 * time.Hour)
			a[2].Location, a[2].Status = "C7", 3
			return a
		}), "room:3"},
		{"changed without a visible difference, and a lesson added", with(func(a []magister.Appointment) []magister.Appointment {
			a[0].Status = 4
			a[1].Start = a[1].Start.Add(2 * time.Hour)
			a[2].Location = "C7"
			a[3].Status = 5
			return append(a, lesson(10, 4, 12, "A1", 1), func() magister.Appointment { l := lesson(11, 3, 13, "A2", 3); return l }())
		}), "added:10 added:11"},
		{"lesson 11 changed status 3 later: announced as added already, no change event", nil, ""},
		{"removed", with(func(a []magister.Appointment) []magister.Appointment {
			a[0].Status = 4
			a[1].Start = a[1].Start.Add(2 * time.Hour)
			a[2].Location = "C7"
			return append(a, lesson(10, 4, 12, "A1", 1))
		}), "removed:11"},
	}
	for i, st := range steps {
		appts := st.appts
		if appts == nil {
			appts = steps[i-1].appts
		}
		if got := changes(DetectSchedule(set, appts, from, to)); got != st.want {
			t.Errorf("%s: events %q, want %q", st.name, got, st.want)
		}
	}
}

func TestScheduleWindowMovesWithoutAddingNewDays(t *testing.T) {
	set := newSet()
	day := func(d int) (time.Time, time.Time) {
		from := time.Date(2026, 11, 30+d, 0, 0, 0, 0, ams)
		return from, from.Add(7 * 24 * time.Hour)
	}
	from, to := day(0)
	DetectSchedule(set, []magister.Appointment{lesson(1, 0, 9, "B1", 1), lesson(2, 6, 9, "B1", 1)}, from, to)
	// A day later the window shows day 7 (new lessons) and day 0 dropped out.
	from, to = day(1)
	ev := DetectSchedule(set, []magister.Appointment{lesson(2, 6, 9, "B1", 1), lesson(3, 7, 9, "B1", 1), lesson(4, 7, 10, "B1", 4)}, from, to)
	if got := changes(ev); got != "cancelled:4" {
		t.Fatalf("events %q: a new day in view must not count as added (only its cancellations)", got)
	}
	if _, ok := set.Items["1"]; ok {
		t.Fatal("a lesson that went by was not forgotten")
	}
}

func TestDetectTestsAndHomework(t *testing.T) {
	r := Rules{TestReminder: "18:00", HomeworkReminder: 24 * time.Hour, Loc: ams}
	test := lesson(20, 2, 9, "B1", 1) // Wednesday 09:00
	test.InfoType, test.Content = 2, "<p>H4 en H5</p>"
	hw := lesson(21, 2, 11, "B1", 1) // Wednesday 11:00
	hw.InfoType, hw.Content = 1, "<p>Maak 4.1 t/m 4.15</p>"
	done := lesson(22, 2, 12, "B1", 1)
	done.InfoType, done.Content, done.Done = 1, "<p>klaar</p>", true
	appts := []magister.Appointment{test, hw, done}
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, 30+day, h, m, 0, 0, ams) }

	tests, homework := newSet(), newSet()
	// Baseline on Monday: nothing due yet, nothing said.
	if ev := append(DetectTests(tests, appts, at(0, 8, 0), r), DetectHomework(homework, appts, at(0, 8, 0), r)...); len(ev) != 0 {
		t.Fatalf("baseline: %q", changes(ev))
	}
	steps := []struct {
		now  time.Time
		want string
	}{
		{at(1, 10, 0), ""},
		{at(1, 11, 0), "due:21@" + fmt.Sprint(hw.Start.Unix())},
		{at(1, 17, 59), ""},
		{at(1, 18, 0), "upcoming:20@" + fmt.Sprint(test.Start.Unix())},
		{at(1, 21, 0), ""},
		{at(2, 10, 0), ""},
	}
	for _, st := range steps {
		got := changes(append(DetectTests(tests, appts, st.now, r), DetectHomework(homework, appts, st.now, r)...))
		if got != st.want {
			t.Errorf("at %s: %q, want %q", st.now.Format("Mon 15:04"), got, st.want)
		}
	}
}

func TestRemindersBaselineSkipsPassedMoments(t *testing.T) {
	r := Rules{TestReminder: "18:00", HomeworkReminder: 24 * time.Hour, Loc: ams}
	test := lesson(20, 2, 9, "B1", 1)
	test.InfoType = 4
	set := newSet()
	// First run ever on Tuesday evening: silent baseline, and never later.
	now := time.Date(2026, 12, 1, 19, 0, 0, 0, ams)
	if ev := DetectTests(set, []magister.Appointment{test}, now, r); len(ev) != 0 {
		t.Fatalf("baseline announced %q", changes(ev))
	}
	if ev := DetectTests(set, []magister.Appointment{test}, now.Add(time.Hour), r); len(ev) != 0 {
		t.Fatalf("announced after baseline: %q", changes(ev))
	}
}

func TestDetectMessages(t *testing.T) {
	set := newSet()
	m := func(id int) magister.Message {
		return magister.Message{ID: id, From: "Mentor", Subject: "Ouderavond", SentAt: time.Now()}
	}
	if ev := DetectMessages(set, []magister.Message{m(1)}, checkTime); len(ev) != 0 {
		t.Fatal("baseline not silent")
	}
	if got := changes(DetectMessages(set, []magister.Message{m(2), m(1)}, checkTime)); got != "new:2" {
		t.Fatalf("events %q", got)
	}
	if got := changes(DetectMessages(set, []magister.Message{m(2)}, checkTime)); got != "" {
		t.Fatalf("repeated %q", got)
	}
}

// TestInfoTypes: only InfoType 1 is homework; 2–5 are tests (and not also
// homework); 0, 6 (information) and 7 (note) are neither, whatever their
// content says.
func TestInfoTypes(t *testing.T) {
	r := Rules{TestReminder: "18:00", HomeworkReminder: 24 * time.Hour, Loc: ams}
	for info, want := range map[int]string{0: "", 1: "due", 2: "upcoming", 3: "upcoming", 4: "upcoming", 5: "upcoming", 6: "", 7: ""} {
		a := lesson(30, 2, 9, "B1", 1) // Wednesday 09:00
		a.InfoType, a.Content = info, "<p>Neem je atlas mee</p>"
		tests, homework := newSet(), newSet()
		DetectTests(tests, nil, checkTime, r) // baselines
		DetectHomework(homework, nil, checkTime, r)
		tuesdayEvening := time.Date(2026, 12, 1, 20, 0, 0, 0, ams)
		ev := append(DetectTests(tests, []magister.Appointment{a}, tuesdayEvening, r),
			DetectHomework(homework, []magister.Appointment{a}, tuesdayEvening, r)...)
		var got []string
		for _, e := range ev {
			got = append(got, e.Change)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("InfoType %d: announced %q, want %q", info, got, want)
		}
	}
}

// TestNoRoomIsNoRoom: Magister's "-" is no room: it is not shown, and a
// change from or to it is not a room change.
func TestNoRoomIsNoRoom(t *testing.T) {
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, ams)
	from, to := monday, monday.Add(7*24*time.Hour)
	set := newSet()
	steps := []struct{ room, want string }{
		{"-", ""}, // baseline
		{"B12", ""},
		{"-", ""},
		{"", ""},
		{"B12", ""},
		{"C3", "room:1"},
	}
	for i, st := range steps {
		a := lesson(1, 1, 9, st.room, 1)
		if got := changes(DetectSchedule(set, []magister.Appointment{a}, from, to)); got != st.want {
			t.Errorf("step %d (room %q): %q, want %q", i, st.room, got, st.want)
		}
	}
	if got := lesson(1, 1, 9, "-", 1).Room(); got != "" {
		t.Errorf(`Room() of "-" = %q, want ""`, got)
	}
}

// TestCancelledThenRestored: a cancellation that is taken back is news too,
// said once.
func TestCancelledThenRestored(t *testing.T) {
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, ams)
	from, to := monday, monday.Add(7*24*time.Hour)
	set := newSet()
	for i, st := range []struct {
		status int
		want   string
	}{{1, ""}, {4, "cancelled:1"}, {5, ""}, {1, "restored:1"}, {1, ""}, {4, "cancelled:1"}} {
		if got := changes(DetectSchedule(set, []magister.Appointment{lesson(1, 1, 9, "B1", st.status)}, from, to)); got != st.want {
			t.Errorf("step %d (status %d): %q, want %q", i, st.status, got, st.want)
		}
	}
}
