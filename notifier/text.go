package notifier

import (
	"fmt"
	"strings"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

// Privacy levels of a child: how much a notification may say.
const (
	PrivacyFull    = "full"    // subject and value
	PrivacySubject = "subject" // subject only
	PrivacyMinimal = "minimal" // only that there is something, and for whom
)

// wording says how an event is put into words.
type wording struct {
	Lang    string // "nl" (default) or "en"
	Privacy string
	Child   string // the child's first name
	Prefix  bool   // start with the child's name (several children)
	Loc     *time.Location
}

func (w wording) en() bool { return w.Lang == "en" }

func (w wording) pick(nl, en string) string {
	if w.en() {
		return en
	}
	return nl
}

// childSep follows the child's name in front of a title when an account has
// several children: "Anna · 8,3 voor Wiskunde A".
const childSep = " · "

// Words returns the title and body of ev's notification.
func (w wording) Words(ev Event) (title, body string) {
	title, body = w.words(ev)
	if w.Prefix && w.Child != "" && w.Privacy != PrivacyMinimal { // minimal texts name the child already
		title = w.Child + childSep + title
	}
	return title, strings.TrimSpace(body)
}

func (w wording) words(ev Event) (title, body string) {
	if w.Privacy == PrivacyMinimal {
		return w.minimal(ev), ""
	}
	full := w.Privacy != PrivacySubject
	switch {
	case ev.Grade != nil:
		g := ev.Grade
		subject := firstNonEmpty(g.Subject.Name, g.Subject.Code)
		// The fact first: a one-line title (GNOME) or a narrow bubble
		// (dunst) must not cut off the grade.
		switch {
		case ev.Change == ChangeCorrected && full:
			title = fmt.Sprintf(w.pick("%s voor %s (was %s)", "%s for %s (was %s)"), g.Value, subject, ev.OldValue)
		case ev.Change == ChangeCorrected:
			title = w.pick("Cijfer aangepast voor ", "Grade corrected for ") + subject
		case full:
			title = fmt.Sprintf(w.pick("%s voor %s", "%s for %s"), g.Value, subject)
		default:
			title = w.pick("Nieuw cijfer voor ", "New grade for ") + subject
		}
		if full {
			body = joinNonEmpty(" · ", g.Description, weight(w, g.Weight), average(w, ev))
		}
		return title, body
	case ev.Message != nil:
		m := ev.Message
		title = w.pick("Nieuw bericht van ", "New message from ") + firstNonEmpty(m.From, w.pick("onbekend", "unknown"))
		if full {
			body = m.Subject
		}
		return title, body
	case ev.Preview != nil:
		return w.previewWords(ev.Preview)
	case ev.Appointment != nil:
		return w.appointment(ev, full)
	}
	return w.minimal(ev), ""
}

func (w wording) appointment(ev Event, full bool) (title, body string) {
	a := ev.Appointment
	what := firstNonEmpty(a.Subject(), w.pick("les", "lesson"))
	when := w.lessonTime(a)
	switch ev.Change {
	case ChangeCancelled:
		title = fmt.Sprintf(w.pick("%s vervalt: %s", "%s cancelled: %s"), w.slot(a), what)
		body = when
	case ChangeRestored:
		title = fmt.Sprintf(w.pick("%s gaat toch door: %s", "%s back on: %s"), w.slot(a), what)
		body = joinNonEmpty(" · ", when, a.Room())
	case ChangeMoved:
		title = fmt.Sprintf(w.pick("%s verplaatst naar %s", "%s moved to %s"), what, w.clock(a.Start, true))
		body = fmt.Sprintf(w.pick("was %s", "was %s"), w.clock(ev.OldStart, true))
	case ChangeRoom:
		title = fmt.Sprintf(w.pick("%s in lokaal %s", "%s in room %s"), what, a.Room())
		body = fmt.Sprintf(w.pick("%s · was %s", "%s · was %s"), when, ev.OldRoom)
	case ChangeChanged:
		title = w.pick("Roosterwijziging: ", "Timetable change: ") + what
		body = joinNonEmpty(" · ", when, a.Room())
	case ChangeAdded:
		title = w.pick("Les toegevoegd: ", "Lesson added: ") + what
		body = joinNonEmpty(" · ", when, a.Room())
	case ChangeRemoved:
		title = w.pick("Les uit het rooster: ", "Lesson removed: ") + w.clock(a.Start, true)
		body = a.Room()
	case ChangeUpcoming:
		title = w.pick("Toets: ", "Test: ") + what
		body = joinNonEmpty(" · ", when, testKind(w, a.InfoType))
		if full {
			body = joinNonEmpty("\n", body, shorten(a.Homework(), 200))
		}
	case ChangeDue:
		title = w.pick("Huiswerk: ", "Homework: ") + what
		body = w.pick("voor ", "for ") + when
		if full {
			body = joinNonEmpty("\n", body, shorten(a.Homework(), 200))
		}
	}
	if !full && ev.Change != ChangeRemoved {
		body = when
	}
	return title, body
}

func (w wording) minimal(ev Event) string {
	name := firstNonEmpty(w.Child, w.pick("je", "you"))
	phrase := map[string][2]string{
		ChangeNew:       {"Nieuw cijfer voor %s", "New grade for %s"},
		ChangeCorrected: {"Cijfer aangepast voor %s", "Grade corrected for %s"},
		ChangeUpcoming:  {"Toets op komst voor %s", "Test coming up for %s"},
		ChangeDue:       {"Huiswerk voor %s", "Homework for %s"},
	}
	p, ok := phrase[ev.Change]
	switch {
	case ev.Kind == "messages":
		p = [2]string{"Nieuw bericht voor %s", "New message for %s"}
	case ev.Kind == state.KindPreview:
		p = [2]string{"Morgen in het kort voor %s", "Tomorrow at a glance for %s"}
	case ev.Kind == "schedule":
		p = [2]string{"Roosterwijziging voor %s", "Timetable change for %s"}
	case !ok:
		p = [2]string{"Nieuws in Magister voor %s", "News in Magister for %s"}
	}
	return fmt.Sprintf(w.pick(p[0], p[1]), name)
}

var (
	daysNL = [...]string{"zo", "ma", "di", "wo", "do", "vr", "za"}
	daysEN = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
)

// slot names a lesson the way a school day does: "di 3e uur", or "di 10:15"
// for one that does not start on a lesson hour.
func (w wording) slot(a *magister.Appointment) string {
	return w.weekday(a.Start) + " " + w.lessonHour(a)
}

// lessonHour is a lesson's hour ("3e uur") or, off the bell schedule, its
// time ("10:15").
func (w wording) lessonHour(a *magister.Appointment) string {
	if a.LessonFrom > 0 {
		return fmt.Sprintf(w.pick("%de uur", "period %d"), a.LessonFrom)
	}
	return a.Start.In(w.location()).Format("15:04")
}

func (w wording) location() *time.Location {
	if w.Loc != nil {
		return w.Loc
	}
	return time.Local
}

// lessonTime says when a lesson is: "di 1 dec 10:15, 3e uur".
func (w wording) lessonTime(a *magister.Appointment) string {
	s := w.clock(a.Start, true)
	if a.LessonFrom > 0 {
		s += fmt.Sprintf(w.pick(", %de uur", ", period %d"), a.LessonFrom)
	}
	return s
}

// weekday is the short name of t's day: "di", "Tue".
func (w wording) weekday(t time.Time) string {
	t = t.In(w.location())
	if w.en() {
		return daysEN[t.Weekday()]
	}
	return daysNL[t.Weekday()]
}

// date is t's day: "di 1 dec", "Tue 1 Dec".
func (w wording) date(t time.Time) string {
	t = t.In(w.location())
	if w.en() {
		return fmt.Sprintf("%s %d %s", w.weekday(t), t.Day(), t.Format("Jan"))
	}
	months := [...]string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}
	return fmt.Sprintf("%s %d %s", w.weekday(t), t.Day(), months[t.Month()-1])
}

// clock is t's time ("10:15"), after its date with withDay.
func (w wording) clock(t time.Time, withDay bool) string {
	if t.IsZero() {
		return "?"
	}
	hm := t.In(w.location()).Format("15:04")
	if !withDay {
		return hm
	}
	return w.date(t) + " " + hm
}

func testKind(w wording, info int) string {
	nl := map[int]string{2: "proefwerk", 3: "tentamen", 4: "schriftelijke overhoring", 5: "mondelinge overhoring"}
	en := map[int]string{2: "test", 3: "exam", 4: "written quiz", 5: "oral quiz"}
	return w.pick(nl[info], en[info])
}

func weight(w wording, x float64) string {
	if x <= 0 {
		return ""
	}
	return fmt.Sprintf(w.pick("weging %s", "weight %s"), strings.Replace(fmt.Sprintf("%g", x), ".", w.pick(",", "."), 1))
}

// average says what a grade did to its subject's average: "gemiddelde
// 6,8 → 7,1"; nothing when that is not known.
func average(w wording, ev Event) string {
	if ev.AvgBefore == nil || ev.AvgAfter == nil {
		return ""
	}
	return fmt.Sprintf(w.pick("gemiddelde %s → %s", "average %s → %s"), formatAverage(*ev.AvgBefore), formatAverage(*ev.AvgAfter))
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

func shorten(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
