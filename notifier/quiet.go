package notifier

import (
	"time"

	"github.com/magister-notify/magister-notify/state"
)

// quietHours is the daily window in which notifications wait. Times are
// minutes after local midnight; a window with start > end spans midnight.
// The start is inside the window, the end is not.
type quietHours struct {
	start, end int
	off        bool
}

// quietHoursOf is the quiet hours of s. The syntax and the defaults are the
// state's (state.QuietHours.Window); a window that starts where it ends is
// empty.
func quietHoursOf(s state.Settings) quietHours {
	start, end, off := s.QuietHours.Window()
	return quietHours{start: start, end: end, off: off || start == end}
}

// localMinute is the moment minute minutes after the midnight that starts
// day d of t's month (time.Date normalises both, also across DST changes).
func localMinute(t time.Time, d, minute int) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m, d, 0, minute, 0, 0, t.Location())
}

// window returns the quiet window containing t, if any.
func (q quietHours) window(t time.Time) (start, end time.Time, ok bool) {
	if q.off {
		return time.Time{}, time.Time{}, false
	}
	day := t.Day()
	span := 0
	if q.start > q.end {
		span = 1
	}
	// A window containing t starts on t's day or, spanning midnight, the day before.
	for _, d := range []int{day - 1, day} {
		s, e := localMinute(t, d, q.start), localMinute(t, d+span, q.end)
		if !t.Before(s) && t.Before(e) {
			return s, e, true
		}
	}
	return time.Time{}, time.Time{}, false
}

// Contains reports whether t is within the quiet hours (in t's location).
func (q quietHours) Contains(t time.Time) bool {
	_, _, ok := q.window(t)
	return ok
}

// nextStart is the first start of a quiet window after t.
func (q quietHours) nextStart(t time.Time) (time.Time, bool) {
	if q.off {
		return time.Time{}, false
	}
	for d := t.Day(); d <= t.Day()+1; d++ {
		if s := localMinute(t, d, q.start); s.After(t) {
			return s, true
		}
	}
	return time.Time{}, false // not reached: one of two days has a later start
}

// HoldUntil reports until when notifications are held at now by quiet hours
// (in now's location) and the pause, or the zero time when they are not.
// Urgent notifications are not exempt: a bad grade at 23:00 waits for the
// morning like everything else, a polite default, and is listed first in
// the digest that follows.
func HoldUntil(s state.Settings, now time.Time) time.Time {
	q := quietHoursOf(s)
	until := now
	// A pause can end inside quiet hours and quiet hours inside a pause.
	for range 4 {
		moved := false
		if until.Before(s.PauseUntil) {
			until, moved = s.PauseUntil.In(now.Location()), true
		}
		if _, end, ok := q.window(until); ok {
			until, moved = end, true
		}
		if !moved {
			break
		}
	}
	if until.Equal(now) {
		return time.Time{}
	}
	return until
}

// heldSince reports whether an entry that became ready at ready and is
// released at now (outside any hold) was held on its way, and since when:
// the start of the quiet hours it became ready in, else the moment it became
// ready (it waited for quiet hours that began later, or for a pause, whose
// start is not recorded).
func heldSince(s state.Settings, ready, now time.Time) (time.Time, bool) {
	q := quietHoursOf(s)
	if start, _, ok := q.window(ready); ok {
		return start, true
	}
	if ns, ok := q.nextStart(ready); ok && ns.Before(now) {
		return ready, true
	}
	if s.PauseUntil.After(ready) {
		return ready, true
	}
	return time.Time{}, false
}
