package magistertest

import (
	"strings"
	"time"
	_ "time/tzdata" // Europe/Amsterdam must load on machines without zoneinfo.
)

// apiTimeLayout is how Magister writes date-times: UTC with seven fractional digits.
const apiTimeLayout = "2006-01-02T15:04:05.0000000Z"

// dateLayout is the layout of dates in query strings and enrollment bounds.
const dateLayout = "2006-01-02"

// amsterdam returns the school's time zone. With time/tzdata linked in the
// load cannot fail, but a fixed +01:00 keeps the fake usable if it ever does.
func amsterdam() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

func apiTime(t time.Time) string { return t.UTC().Format(apiTimeLayout) }

func apiDate(t time.Time) string { return t.Format(dateLayout) }

// parseQueryDate accepts a date (YYYY-MM-DD) or a timestamp that starts with
// one, as Gemairo sends full ISO timestamps and the API accepts them.
func parseQueryDate(v string, loc *time.Location) (time.Time, bool) {
	if len(v) < len(dateLayout) {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation(dateLayout, v[:len(dateLayout)], loc)
	if err != nil {
		return time.Time{}, false
	}
	if rest := v[len(dateLayout):]; rest != "" && !strings.HasPrefix(rest, "T") {
		return time.Time{}, false
	}
	return d, true
}

// lessonSlot is one lesson hour of the fictitious school's bell schedule, in
// local time.
type lessonSlot struct {
	hour                       int
	startH, startM, endH, endM int
}

var bellSchedule = [...]lessonSlot{
	{1, 8, 30, 9, 20},
	{2, 9, 20, 10, 10},
	{3, 10, 10, 11, 0},
	{4, 11, 20, 12, 10},
	{5, 12, 10, 13, 0},
	{6, 13, 30, 14, 20},
	{7, 14, 20, 15, 10},
	{8, 15, 10, 16, 0},
}

// slotTimes gives the UTC start and end of lesson hour n (1-based) on the
// local calendar day of day.
func slotTimes(day time.Time, n int, loc *time.Location) (time.Time, time.Time) {
	sl := bellSchedule[n-1]
	y, m, d := day.In(loc).Date()
	start := time.Date(y, m, d, sl.startH, sl.startM, 0, 0, loc)
	end := time.Date(y, m, d, sl.endH, sl.endM, 0, 0, loc)
	return start.UTC(), end.UTC()
}

// hourAt returns the lesson hour that starts exactly at t, or 0.
func hourAt(t time.Time, loc *time.Location) int {
	lt := t.In(loc)
	for _, sl := range bellSchedule {
		if lt.Hour() == sl.startH && lt.Minute() == sl.startM && lt.Second() == 0 {
			return sl.hour
		}
	}
	return 0
}

// localMidnight returns 00:00 local time on t's local calendar day.
func localMidnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// mondayOf returns local midnight of the Monday of t's ISO week.
func mondayOf(t time.Time, loc *time.Location) time.Time {
	day := localMidnight(t, loc)
	back := (int(day.Weekday()) + 6) % 7 // Monday → 0, Sunday → 6
	return day.AddDate(0, 0, -back)
}

// schoolYearStart returns August 1 (local) of the school year that contains t.
func schoolYearStart(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	y := lt.Year()
	if lt.Month() < time.August {
		y--
	}
	return time.Date(y, time.August, 1, 0, 0, 0, 0, loc)
}
