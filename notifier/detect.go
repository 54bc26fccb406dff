package notifier

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

// Changes within a kind. Together with the kind they choose the words of a
// notification and of a digest.
const (
	ChangeNew       = "new"       // grades, messages
	ChangeCorrected = "corrected" // grades
	ChangeCancelled = "cancelled" // schedule
	ChangeRestored  = "restored"  // schedule: a cancelled lesson takes place after all
	ChangeMoved     = "moved"     // schedule
	ChangeRoom      = "room"      // schedule
	ChangeChanged   = "changed"   // schedule: Magister says changed, nothing we compare moved
	ChangeAdded     = "added"     // schedule
	ChangeRemoved   = "removed"   // schedule
	ChangeUpcoming  = "upcoming"  // tests
	ChangeDue       = "due"       // homework
)

// Event is one detected change, before it is worded as a notification.
type Event struct {
	Kind   string
	Change string
	// Key identifies the item within its kind (kolomId, appointment id, message id).
	Key    string
	Urgent bool

	Grade    *magister.Grade
	OldValue string // corrected grades: the value before
	// AvgBefore and AvgAfter are the subject's average without and with
	// this grade, when they can be known (see addAverages).
	AvgBefore, AvgAfter *float64
	Appointment         *magister.Appointment
	OldStart            time.Time // moved lessons
	OldRoom             string    // room changes
	Message             *magister.Message
	Preview             *Preview // tomorrow at a glance
}

// Rules are the settings detection depends on.
type Rules struct {
	// Window is the schedule look-ahead: appointments from the start of
	// today to Window later are compared.
	Window time.Duration
	// TestReminder is the local time on the day before a test when it is
	// announced ("18:00").
	TestReminder string
	// HomeworkReminder is how long before the lesson homework is announced.
	HomeworkReminder time.Duration
	// PreviewTime is the local time of "tomorrow at a glance" ("19:00").
	PreviewTime string
	// Loc is the zone of "the evening before" and "today" (default time.Local).
	Loc *time.Location
}

func (r Rules) loc() *time.Location {
	if r.Loc != nil {
		return r.Loc
	}
	return time.Local
}

// RulesFrom reads the detection rules from the settings, with defaults.
func RulesFrom(s state.Settings) Rules {
	return Rules{
		Window:           s.EffectiveLookAhead(),
		TestReminder:     s.EffectiveTestReminder(),
		HomeworkReminder: s.EffectiveHomeworkReminder(),
		PreviewTime:      s.EffectivePreviewTime(),
	}
}

// ScheduleWindow is the span of appointments a check fetches at now.
func (r Rules) ScheduleWindow(now time.Time) (from, to time.Time) {
	y, m, d := now.In(r.loc()).Date()
	from = time.Date(y, m, d, 0, 0, 0, 0, r.loc())
	return from, from.Add(r.Window)
}

// seenSet returns the set of kind in seen, creating it.
func seenSet(seen map[string]*state.SeenSet, kind string) *state.SeenSet {
	set := seen[kind]
	if set == nil {
		set = &state.SeenSet{}
		seen[kind] = set
	}
	if set.Items == nil {
		set.Items = map[string]state.SeenItem{}
	}
	return set
}

// DetectGrades compares the grades a fetch at now returned with what was
// seen and marks them seen. The first call on an empty set is a silent
// baseline. Call it only with a successful fetch: it forgets the ids that no
// fetch returned for state.SeenRetention.
func DetectGrades(set *state.SeenSet, grades []magister.Grade, now time.Time) []Event {
	var events []Event
	baseline := !set.Baselined
	for i := range grades {
		g := &grades[i]
		key := strconv.Itoa(g.ColumnID)
		fp := g.Value
		old, seen := set.Items[key]
		set.Keep(key, fp, now)
		switch {
		case baseline:
		case !seen:
			events = append(events, Event{Kind: state.KindGrades, Change: ChangeNew, Key: key, Urgent: g.IsUnsatisfactory(), Grade: g})
		case old.Fingerprint != fp:
			events = append(events, Event{Kind: state.KindGrades, Change: ChangeCorrected, Key: key,
				Urgent: g.IsUnsatisfactory(), Grade: g, OldValue: old.Fingerprint})
		}
	}
	set.Forget(now)
	set.Baselined = true
	return events
}

// lessonMark is what is remembered of an appointment: when and where it is,
// and which changes have been announced. The announced flags are sticky, so
// when Magister later rewrites a status (cancelled 4 → 5, changed 3 → 1) the
// change is not announced again.
type lessonMark struct {
	start, end time.Time
	room       string
	cancelled  bool // cancellation announced (or seen at baseline)
	changed    bool // a change announced (or seen at baseline)
}

func (m lessonMark) String() string {
	flags := ""
	if m.cancelled {
		flags += "c"
	}
	if m.changed {
		flags += "m"
	}
	return strings.Join([]string{strconv.FormatInt(m.start.Unix(), 10), strconv.FormatInt(m.end.Unix(), 10), flags, m.room}, "|")
}

func parseLessonMark(s string) (lessonMark, bool) {
	parts := strings.SplitN(s, "|", 4)
	if len(parts) != 4 {
		return lessonMark{}, false
	}
	start, err1 := strconv.ParseInt(parts[0], 10, 64)
	end, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return lessonMark{}, false
	}
	room := parts[3]
	if strings.Trim(room, "- ") == "" {
		room = "" // "-" was stored as a room before it was known to mean none
	}
	return lessonMark{start: time.Unix(start, 0), end: time.Unix(end, 0), room: room,
		cancelled: strings.Contains(parts[2], "c"), changed: strings.Contains(parts[2], "m")}, true
}

// windowKey is where a schedule set remembers the end of the window it last
// covered: appointments that appear beyond it are new days coming into view,
// not lessons added.
const windowKey = "~window"

// DetectSchedule compares the appointments fetched for [from, to] with what
// was seen: cancelled, moved, room changed, changed, added and removed
// lessons. The first call is a silent baseline.
func DetectSchedule(set *state.SeenSet, appts []magister.Appointment, from, to time.Time) []Event {
	var events []Event
	baseline := !set.Baselined
	prevTo := time.Time{}
	if w, ok := set.Items[windowKey]; ok {
		if n, err := strconv.ParseInt(w.Fingerprint, 10, 64); err == nil {
			prevTo = time.Unix(n, 0)
		}
	}
	present := map[string]bool{}
	for i := range appts {
		a := &appts[i]
		if !watchedAppointment(a) {
			continue
		}
		key := strconv.Itoa(a.ID)
		present[key] = true
		now := lessonMark{start: a.Start, end: a.End, room: a.Room()}
		old, seen := set.Items[key]
		prev, ok := parseLessonMark(old.Fingerprint)
		switch {
		case baseline || !seen || !ok:
			// New to us: announce a cancellation, and an addition only inside
			// the window we already watched (the rest is a new day in view).
			now.cancelled, now.changed = a.IsCancelled(), a.IsChanged()
			if !baseline {
				if a.IsCancelled() {
					events = append(events, Event{Kind: state.KindSchedule, Change: ChangeCancelled, Key: key, Appointment: a})
				} else if !a.Start.After(prevTo) {
					events = append(events, Event{Kind: state.KindSchedule, Change: ChangeAdded, Key: key, Appointment: a})
				}
			}
		default:
			now.cancelled, now.changed = prev.cancelled, prev.changed
			switch {
			case a.IsCancelled() && !prev.cancelled:
				now.cancelled = true
				events = append(events, Event{Kind: state.KindSchedule, Change: ChangeCancelled, Key: key, Appointment: a})
			case a.IsCancelled():
				// Already announced; a cancelled lesson's other fields do not matter.
			case prev.cancelled:
				// The cancellation was announced and is taken back: the lesson
				// takes place after all, which matters as much.
				now.cancelled = false
				events = append(events, Event{Kind: state.KindSchedule, Change: ChangeRestored, Key: key, Appointment: a})
			case !a.Start.Equal(prev.start):
				now.changed = true
				events = append(events, Event{Kind: state.KindSchedule, Change: ChangeMoved, Key: key, Appointment: a, OldStart: prev.start})
			case now.room != prev.room && now.room != "" && prev.room != "":
				now.changed = true
				events = append(events, Event{Kind: state.KindSchedule, Change: ChangeRoom, Key: key, Appointment: a, OldRoom: prev.room})
			case a.IsChanged() && !prev.changed:
				now.changed = true
				events = append(events, Event{Kind: state.KindSchedule, Change: ChangeChanged, Key: key, Appointment: a})
			}
		}
		set.Items[key] = state.SeenItem{Fingerprint: now.String(), Expires: a.End.Add(24 * time.Hour).Unix()}
	}
	// Lessons that vanished from inside the window were removed; those that
	// went by are forgotten.
	var gone []string
	for key, it := range set.Items {
		if key == windowKey || present[key] {
			continue
		}
		m, ok := parseLessonMark(it.Fingerprint)
		if !ok || m.start.Before(from) {
			delete(set.Items, key)
			continue
		}
		if m.start.After(to) {
			continue // out of view now (the window shrank); keep it
		}
		gone = append(gone, key)
	}
	sort.Strings(gone)
	for _, key := range gone {
		m, _ := parseLessonMark(set.Items[key].Fingerprint)
		delete(set.Items, key)
		if baseline || m.cancelled {
			continue // a cancelled lesson that disappears was announced already
		}
		id, _ := strconv.Atoi(key)
		events = append(events, Event{Kind: state.KindSchedule, Change: ChangeRemoved, Key: key,
			Appointment: &magister.Appointment{ID: id, Start: m.start, End: m.end, Location: m.room}})
	}
	set.Items[windowKey] = state.SeenItem{Fingerprint: strconv.FormatInt(to.Unix(), 10), Expires: to.Add(30 * 24 * time.Hour).Unix()}
	set.Baselined = true
	return events
}

// watchedAppointment reports whether schedule changes of a are worth a
// notification: lessons and school activities, not the student's own items.
func watchedAppointment(a *magister.Appointment) bool {
	return a.Type != 1 && !a.AllDay
}

// DetectTests announces each test once, at the reminder time before it
// (default: 18:00 the evening before). At the baseline, reminders whose
// moment already passed are marked without a notification.
func DetectTests(set *state.SeenSet, appts []magister.Appointment, now time.Time, r Rules) []Event {
	return detectReminders(set, appts, now, state.KindTests, ChangeUpcoming,
		func(a *magister.Appointment) bool { return a.IsTest() && !a.IsCancelled() },
		func(a *magister.Appointment) time.Time { return eveningBefore(a.Start.In(r.loc()), r.TestReminder) })
}

// DetectHomework announces homework that is not done, HomeworkReminder before
// the lesson it is due (default 24 hours). Homework marked done first is
// never announced.
func DetectHomework(set *state.SeenSet, appts []magister.Appointment, now time.Time, r Rules) []Event {
	return detectReminders(set, appts, now, state.KindHomework, ChangeDue,
		func(a *magister.Appointment) bool { return a.HasHomework() && !a.IsTest() && !a.IsCancelled() },
		func(a *magister.Appointment) time.Time { return a.Start.Add(-r.HomeworkReminder) })
}

func detectReminders(set *state.SeenSet, appts []magister.Appointment, now time.Time, kind, change string,
	wanted func(*magister.Appointment) bool, remindAt func(*magister.Appointment) time.Time) []Event {
	var events []Event
	baseline := !set.Baselined
	for i := range appts {
		a := &appts[i]
		if !wanted(a) || !a.Start.After(now) || now.Before(remindAt(a)) {
			continue
		}
		// The key includes the start, so a test that moves is announced again.
		key := fmt.Sprintf("%d@%d", a.ID, a.Start.Unix())
		if _, seen := set.Items[key]; seen {
			continue
		}
		set.Items[key] = state.SeenItem{Expires: a.Start.Add(24 * time.Hour).Unix()}
		if !baseline {
			events = append(events, Event{Kind: kind, Change: change, Key: key, Appointment: a})
		}
	}
	set.Forget(now)
	set.Baselined = true
	return events
}

// eveningBefore is clock ("18:00") on the day before t, in t's zone.
func eveningBefore(t time.Time, clock string) time.Time {
	h, m, ok := state.ParseClock(clock)
	if !ok {
		h, m, _ = state.ParseClock(state.DefaultTestReminder)
	}
	y, mo, d := t.Date()
	return time.Date(y, mo, d-1, h, m, 0, 0, t.Location())
}

// DetectMessages announces the unread inbox messages a fetch at now returned
// that were not seen before, however old they are. Like DetectGrades it
// keeps what was returned and forgets only what no fetch returned for
// state.SeenRetention.
func DetectMessages(set *state.SeenSet, msgs []magister.Message, now time.Time) []Event {
	var events []Event
	baseline := !set.Baselined
	for i := range msgs {
		m := &msgs[i]
		key := strconv.Itoa(m.ID)
		_, seen := set.Items[key]
		set.Keep(key, "", now)
		if !seen && !baseline {
			events = append(events, Event{Kind: state.KindMessages, Change: ChangeNew, Key: key, Urgent: m.Priority, Message: m})
		}
	}
	set.Forget(now)
	set.Baselined = true
	return events
}
