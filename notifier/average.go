package notifier

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

// GradeContexter is a Source that can read all of a child's grades of this
// school year, from which a subject's average is computed.
// *magister.Client implements it.
type GradeContexter interface {
	CurrentGrades(ctx context.Context, childID int, now time.Time) ([]magister.Grade, error)
}

// gradeContext reads the child's grades of this year when the latest
// grades hold something the snapshot of the state had not seen: only then
// is an average worth saying, so a steady-state check asks nothing more.
// An error leaves the average unsaid.
func gradeContext(ctx context.Context, src Source, ch state.Child, latest []magister.Grade, now time.Time) []magister.Grade {
	gc, ok := src.(GradeContexter)
	set := ch.Seen[state.KindGrades]
	if !ok || set == nil || !set.Baselined {
		return nil // a baseline announces nothing
	}
	news := false
	for _, g := range latest {
		if !knownGrade(set, g) {
			news = true
			break
		}
	}
	if !news {
		return nil
	}
	all, err := gc.CurrentGrades(ctx, ch.ID, now)
	if err != nil {
		return nil
	}
	return all
}

// addAverages tells each grade event what it does to its subject's average,
// "6,8 → 7,1", where the year's grades allow it: the grade must be among
// them with the same value and count for the average, and the subject must
// have an average before and after. Otherwise nothing is said.
func addAverages(events []Event, year []magister.Grade) {
	if len(year) == 0 {
		return
	}
	// What this check changes: new columns are left out of "before",
	// corrected ones count with their old value.
	changed := map[int]string{}
	for _, ev := range events {
		if ev.Grade == nil {
			continue
		}
		changed[ev.Grade.ColumnID] = ""
		if ev.Change == ChangeCorrected {
			changed[ev.Grade.ColumnID] = ev.OldValue
		}
	}
	for i := range events {
		ev := &events[i]
		g := ev.Grade
		if g == nil || !g.CountsInAverage() {
			continue
		}
		var before, after []magister.Grade
		present := false
		for _, y := range year {
			if !sameSubject(y.Subject, g.Subject) {
				continue
			}
			if y.ColumnID == g.ColumnID {
				present = y.Value == g.Value
			}
			after = append(after, y)
			old, isChanged := changed[y.ColumnID]
			switch {
			case !isChanged:
				before = append(before, y)
			case old != "":
				was := y
				was.Value = old
				if f, ok := magister.ParseGradeValue(old); ok {
					was.Numeric = &f
				} else {
					was.Numeric = nil
				}
				before = append(before, was)
			}
		}
		if !present {
			continue
		}
		b, okB := magister.Average(before)
		a, okA := magister.Average(after)
		if okB && okA {
			ev.AvgBefore, ev.AvgAfter = &b, &a
		}
	}
}

func sameSubject(a, b magister.Subject) bool {
	if a.Code != "" && b.Code != "" {
		return strings.EqualFold(a.Code, b.Code)
	}
	return a.ID != 0 && a.ID == b.ID
}

// formatAverage writes an average the way Magister writes grades, with a
// decimal comma and one decimal (6,8), in English too: it stands beside
// grades such as "8,3".
func formatAverage(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', 1, 64), ".", ",", 1)
}
