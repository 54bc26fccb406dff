package notifier

import (
	"slices"
	"strings"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

// ChangePreview is the change of a KindPreview event.
const ChangePreview = "tomorrow"

// Preview is what the next school day holds that a parent would want to
// know the evening before.
type Preview struct {
	Day     time.Time // local midnight of the day
	Lessons int       // how many lessons the day has
	// LaterStart is the start of the first lesson that takes place, when
	// the lessons before it are cancelled (the day starts later).
	LaterStart time.Time
	Cancelled  []magister.Appointment
	Moved      []magister.Appointment
	Tests      []magister.Appointment
	Homework   []magister.Appointment
}

func (p Preview) empty() bool {
	return p.LaterStart.IsZero() && len(p.Cancelled)+len(p.Moved)+len(p.Tests)+len(p.Homework) == 0
}

// DetectPreview announces the next day once, at the preview time the
// evening before, when it has lessons and something worth knowing: a later
// start, cancelled or moved lessons, tests, homework not marked done. A day
// without lessons (weekend, holiday) or without news says nothing. The
// first call is a silent baseline.
func DetectPreview(set *state.SeenSet, appts []magister.Appointment, now time.Time, r Rules) []Event {
	loc := r.loc()
	local := now.In(loc)
	y, m, d := local.Date()
	h, mi, ok := state.ParseClock(r.PreviewTime)
	if !ok {
		h, mi, _ = state.ParseClock(state.DefaultPreviewTime)
	}
	baseline := !set.Baselined
	set.Baselined = true
	if local.Before(time.Date(y, m, d, h, mi, 0, 0, loc)) {
		return nil
	}
	day := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	next := time.Date(y, m, d+2, 0, 0, 0, 0, loc)
	key := day.Format(time.DateOnly)
	if _, seen := set.Items[key]; seen {
		return nil
	}
	set.Items[key] = state.SeenItem{Expires: next.Add(24 * time.Hour).Unix()}
	set.Forget(now)
	var lessons []magister.Appointment
	for _, a := range appts {
		if watchedAppointment(&a) && !a.Start.Before(day) && a.Start.Before(next) {
			lessons = append(lessons, a)
		}
	}
	if baseline || len(lessons) == 0 {
		return nil
	}
	slices.SortStableFunc(lessons, func(a, b magister.Appointment) int { return a.Start.Compare(b.Start) })
	p := Preview{Day: day, Lessons: len(lessons)}
	for i, a := range lessons {
		switch {
		case a.IsCancelled():
			p.Cancelled = append(p.Cancelled, a)
			continue
		case p.LaterStart.IsZero() && i > 0 && len(p.Cancelled) == i:
			p.LaterStart = a.Start // every lesson before it is cancelled
		}
		if a.Status == magister.StatusMoved || a.Status == magister.StatusChangedAndMoved {
			p.Moved = append(p.Moved, a)
		}
		if a.IsTest() {
			p.Tests = append(p.Tests, a)
		}
		if a.HasHomework() {
			p.Homework = append(p.Homework, a)
		}
	}
	if p.empty() {
		return nil
	}
	return []Event{{Kind: state.KindPreview, Change: ChangePreview, Key: key, Preview: &p}}
}

// previewWords are the title and body of a preview: the day first, then a
// line for each kind of news.
func (w wording) previewWords(p *Preview) (title, body string) {
	title = w.pick("Morgen, ", "Tomorrow, ") + w.date(p.Day)
	if !p.LaterStart.IsZero() {
		title += w.pick(": begint ", ": starts ") + w.clock(p.LaterStart, false)
	} else if len(p.Cancelled) > 0 && len(p.Cancelled) == p.Lessons {
		title += w.pick(": geen lessen", ": no lessons")
	}
	var lines []string
	list := func(label string, as []magister.Appointment, name func(magister.Appointment) string) {
		if len(as) == 0 {
			return
		}
		var parts []string
		for _, a := range as {
			parts = append(parts, name(a))
		}
		lines = append(lines, label+strings.Join(parts, ", "))
	}
	subject := func(a magister.Appointment) string { return firstNonEmpty(a.Subject(), w.pick("les", "lesson")) }
	list(w.pick("Vervalt: ", "Cancelled: "), p.Cancelled, func(a magister.Appointment) string { return w.lessonHour(&a) + " " + subject(a) })
	list(w.pick("Verplaatst: ", "Moved: "), p.Moved, func(a magister.Appointment) string {
		return subject(a) + w.pick(" om ", " at ") + w.clock(a.Start, false)
	})
	list(w.pick("Toets: ", "Test: "), p.Tests, func(a magister.Appointment) string {
		return subject(a) + " (" + testKind(w, a.InfoType) + ")"
	})
	list(w.pick("Huiswerk: ", "Homework: "), p.Homework, subject)
	return title, strings.Join(lines, "\n")
}
