package notifier

import (
	"testing"

	"github.com/magister-notify/magister-notify/magister"
)

func yearGrade(col int, subject, value string, weight float64) magister.Grade {
	g := magister.Grade{ColumnID: col, Subject: magister.Subject{Code: subject}, Value: value, Weight: weight,
		Counts: weight > 0, Type: "cijfer"}
	if f, ok := magister.ParseGradeValue(value); ok {
		g.Numeric = &f
	}
	return g
}

func TestAddAverages(t *testing.T) {
	year := []magister.Grade{
		yearGrade(1, "wisA", "6,0", 1),
		yearGrade(2, "wisA", "8,0", 3),
		yearGrade(3, "wisA", "V", 1),   // a text grade does not count
		yearGrade(4, "wisA", "9,0", 0), // weight 0: does not count
		yearGrade(5, "netl", "5,0", 2), // another subject
		yearGrade(6, "wisA", "7,0", 2),
	}
	avg := func(evs []Event, i int) string {
		if evs[i].AvgBefore == nil || evs[i].AvgAfter == nil {
			return "none"
		}
		return formatAverage(*evs[i].AvgBefore) + " → " + formatAverage(*evs[i].AvgAfter)
	}
	newGrade := func(g magister.Grade) Event { return Event{Kind: "grades", Change: ChangeNew, Grade: &g} }
	for _, tc := range []struct {
		name   string
		events []Event
		want   []string
	}{
		// Before: (6·1 + 8·3)/4 = 7,5; after with 7,0·2: 44/6 = 7,3.
		{"a new grade", []Event{newGrade(yearGrade(6, "wisA", "7,0", 2))}, []string{"7,5 → 7,3"}},
		{"a text grade says nothing", []Event{newGrade(yearGrade(3, "wisA", "V", 1))}, []string{"none"}},
		{"weight 0 says nothing", []Event{newGrade(yearGrade(4, "wisA", "9,0", 0))}, []string{"none"}},
		{"not among the year's grades", []Event{newGrade(yearGrade(99, "wisA", "7,0", 2))}, []string{"none"}},
		{"the year holds another value", []Event{newGrade(yearGrade(6, "wisA", "6,5", 2))}, []string{"none"}},
		{"the first grade of a subject has no before", []Event{newGrade(yearGrade(5, "netl", "5,0", 2))}, []string{"none"}},
		// Corrected 6,0 → 8,0 was 1 → before uses the old value: (8·1+8·3+7·2)/6 → after... see values.
		{"a correction counts its old value before", []Event{{Kind: "grades", Change: ChangeCorrected, OldValue: "4,0",
			Grade: func() *magister.Grade { g := yearGrade(1, "wisA", "6,0", 1); return &g }()}},
			[]string{"7,0 → 7,3"}}, // before (4+24+14)/6 = 7,0; after (6+24+14)/6 = 7,3
		{"two new grades of one subject: both from before either", []Event{
			newGrade(yearGrade(2, "wisA", "8,0", 3)), newGrade(yearGrade(6, "wisA", "7,0", 2))},
			[]string{"6,0 → 7,3", "6,0 → 7,3"}},
	} {
		addAverages(tc.events, year)
		for i, want := range tc.want {
			if got := avg(tc.events, i); got != want {
				t.Errorf("%s: event %d: average %s, want %s", tc.name, i, got, want)
			}
		}
	}
}

func TestAverageInWords(t *testing.T) {
	b, a := 6.84, 7.1
	g := yearGrade(1, "wisA", "8,3", 2)
	ev := Event{Kind: "grades", Change: ChangeNew, Grade: &g, AvgBefore: &b, AvgAfter: &a}
	_, body := wording{Lang: "nl", Privacy: PrivacyFull}.Words(ev)
	if want := "weging 2 · gemiddelde 6,8 → 7,1"; body != want {
		t.Errorf("body %q, want %q", body, want)
	}
	_, body = wording{Lang: "nl", Privacy: PrivacySubject}.Words(ev)
	if body != "" {
		t.Errorf("privacy subject shows %q", body)
	}
}
