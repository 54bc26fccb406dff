package notifier

import (
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/testenv"
	"github.com/magister-notify/magister-notify/state"
)

// quietLoc has daylight saving time, so that the windows around a change
// are exercised too.
var quietLoc = testenv.Amsterdam()

// lt is a local time in quietLoc: lt(1, 22, 0) is 1 December 2025 22:00.
func lt(day, hour, minute int) time.Time {
	return time.Date(2025, time.December, day, hour, minute, 0, 0, quietLoc)
}

func TestQuietHoursContains(t *testing.T) {
	def := state.QuietHours{}
	day := state.QuietHours{Start: "12:30", End: "13:30"}
	tests := []struct {
		name string
		q    state.QuietHours
		at   time.Time
		want bool
	}{
		{"default evening", def, lt(1, 23, 0), true},
		{"default start is inside", def, lt(1, 22, 0), true},
		{"default just before start", def, lt(1, 21, 59), false},
		{"default after midnight", def, lt(2, 3, 0), true},
		{"default midnight", def, lt(2, 0, 0), true},
		{"default just before end", def, lt(2, 6, 59), true},
		{"default end is outside", def, lt(2, 7, 0), false},
		{"default afternoon", def, lt(2, 15, 0), false},
		{"off", state.QuietHours{Off: true}, lt(1, 23, 0), false},
		{"same-day window inside", day, lt(1, 13, 0), true},
		{"same-day window before", day, lt(1, 12, 29), false},
		{"same-day window end", day, lt(1, 13, 30), false},
		{"same-day window at night", day, lt(1, 23, 0), false},
		{"only start given keeps default end", state.QuietHours{Start: "21:00"}, lt(1, 21, 30), true},
		{"only end given keeps default start", state.QuietHours{End: "08:00"}, lt(2, 7, 30), true},
		{"empty window", state.QuietHours{Start: "07:00", End: "07:00"}, lt(1, 7, 0), false},
		{"one-digit hour", state.QuietHours{Start: "9:00", End: "10:00"}, lt(1, 9, 30), true},
		{"spring forward night", def, time.Date(2025, time.March, 30, 3, 30, 0, 0, quietLoc), true},
		{"spring forward morning", def, time.Date(2025, time.March, 30, 7, 0, 0, 0, quietLoc), false},
		{"fall back night", def, time.Date(2025, time.October, 26, 2, 30, 0, 0, quietLoc), true},
		{"month boundary", def, time.Date(2025, time.December, 1, 1, 0, 0, 0, quietLoc), true},
		{"year boundary", def, time.Date(2026, time.January, 1, 6, 0, 0, 0, quietLoc), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := quietHoursOf(state.Settings{QuietHours: tt.q})
			if got := q.Contains(tt.at); got != tt.want {
				t.Errorf("Contains(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestQuietHoursWindow(t *testing.T) {
	q := quietHoursOf(state.Settings{})
	start, end, ok := q.window(lt(2, 3, 0))
	if !ok || !start.Equal(lt(1, 22, 0)) || !end.Equal(lt(2, 7, 0)) {
		t.Errorf("window at 03:00 = %v – %v, %v", start, end, ok)
	}
	start, end, ok = q.window(lt(1, 23, 0))
	if !ok || !start.Equal(lt(1, 22, 0)) || !end.Equal(lt(2, 7, 0)) {
		t.Errorf("window at 23:00 = %v – %v, %v", start, end, ok)
	}
	if ns, ok := q.nextStart(lt(1, 8, 0)); !ok || !ns.Equal(lt(1, 22, 0)) {
		t.Errorf("nextStart(08:00) = %v", ns)
	}
	if ns, ok := q.nextStart(lt(1, 22, 0)); !ok || !ns.Equal(lt(2, 22, 0)) {
		t.Errorf("nextStart(22:00) = %v, want the next day's", ns)
	}
}

func TestBadQuietHoursHold(t *testing.T) {
	// A setting that slipped through still holds at night: the defaults apply.
	if HoldUntil(state.Settings{QuietHours: state.QuietHours{Start: "bad"}}, lt(1, 23, 0)).IsZero() {
		t.Error("an invalid setting switched quiet hours off")
	}
}

func TestHoldUntil(t *testing.T) {
	tests := []struct {
		name string
		s    state.Settings
		now  time.Time
		want time.Time // zero: not held
	}{
		{"day", state.Settings{}, lt(1, 15, 0), time.Time{}},
		{"night", state.Settings{}, lt(1, 23, 0), lt(2, 7, 0)},
		{"quiet off", state.Settings{QuietHours: state.QuietHours{Off: true}}, lt(1, 23, 0), time.Time{}},
		{"pause", state.Settings{PauseUntil: lt(1, 17, 0)}, lt(1, 15, 0), lt(1, 17, 0)},
		{"pause over", state.Settings{PauseUntil: lt(1, 15, 0)}, lt(1, 15, 0), time.Time{}},
		{"pause ends in quiet hours", state.Settings{PauseUntil: lt(1, 23, 0)}, lt(1, 15, 0), lt(2, 7, 0)},
		{"pause outlasts quiet hours", state.Settings{PauseUntil: lt(2, 9, 0)}, lt(1, 23, 0), lt(2, 9, 0)},
		{"pause in UTC", state.Settings{PauseUntil: lt(1, 17, 0).UTC()}, lt(1, 15, 0), lt(1, 17, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HoldUntil(tt.s, tt.now)
			if !got.Equal(tt.want) {
				t.Errorf("HoldUntil = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHeldSince(t *testing.T) {
	tests := []struct {
		name       string
		s          state.Settings
		ready, now time.Time
		want       time.Time // zero: not held
	}{
		{"shown at once", state.Settings{}, lt(1, 15, 0), lt(1, 15, 1), time.Time{}},
		{"made in quiet hours", state.Settings{}, lt(1, 23, 15), lt(2, 7, 0), lt(1, 22, 0)},
		{"made after midnight", state.Settings{}, lt(2, 3, 0), lt(2, 7, 5), lt(1, 22, 0)},
		{"waited into quiet hours", state.Settings{}, lt(1, 21, 0), lt(2, 7, 0), lt(1, 21, 0)},
		{"retried before quiet hours", state.Settings{}, lt(1, 21, 0), lt(1, 21, 30), time.Time{}},
		{"quiet off", state.Settings{QuietHours: state.QuietHours{Off: true}}, lt(1, 23, 0), lt(2, 7, 0), time.Time{}},
		{"paused", state.Settings{PauseUntil: lt(1, 17, 0)}, lt(1, 14, 5), lt(1, 17, 0), lt(1, 14, 5)},
		{"made after the pause", state.Settings{PauseUntil: lt(1, 17, 0)}, lt(1, 17, 30), lt(1, 17, 31), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := heldSince(tt.s, tt.ready, tt.now)
			if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
				t.Errorf("heldSince = %v, %v; want %v", got, ok, tt.want)
			}
		})
	}
}
