package notifier

import (
	"context"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

func TestEventURL(t *testing.T) {
	student := state.Account{School: "demo", PersonID: 1}
	parent := state.Account{School: "demo", PersonID: 100, IsParent: true}
	own := state.Account{School: "demo", BaseURL: "http://127.0.0.1:8080/", PersonID: 1}
	lesson := &magister.Appointment{ID: 4242}
	for _, tc := range []struct {
		name string
		acct state.Account
		ev   Event
		want string
	}{
		{"grade", student, Event{Kind: state.KindGrades, Change: ChangeNew, Grade: &magister.Grade{}},
			"https://demo.magister.net/magister/#/cijfers"},
		{"cancelled lesson opens the lesson", student, Event{Kind: state.KindSchedule, Change: ChangeCancelled, Appointment: lesson},
			"https://demo.magister.net/magister/#/agenda/huiswerk/4242"},
		{"test opens the lesson", student, Event{Kind: state.KindTests, Change: ChangeUpcoming, Appointment: lesson},
			"https://demo.magister.net/magister/#/agenda/huiswerk/4242"},
		{"homework opens the lesson", own, Event{Kind: state.KindHomework, Change: ChangeDue, Appointment: lesson},
			"http://127.0.0.1:8080/magister/#/agenda/huiswerk/4242"},
		{"a removed lesson has no page", student, Event{Kind: state.KindSchedule, Change: ChangeRemoved, Appointment: lesson},
			"https://demo.magister.net/magister/#/agenda"},
		{"a parent chooses the child in the agenda", parent, Event{Kind: state.KindSchedule, Change: ChangeMoved, Appointment: lesson},
			"https://demo.magister.net/magister/#/agenda"},
		{"no id", student, Event{Kind: state.KindSchedule, Change: ChangeAdded, Appointment: &magister.Appointment{}},
			"https://demo.magister.net/magister/#/agenda"},
		{"message", parent, Event{Kind: state.KindMessages, Change: ChangeNew, Message: &magister.Message{ID: 8}},
			"https://demo.magister.net/magister/#/berichten"},
		{"preview", parent, Event{Kind: state.KindPreview, Preview: &Preview{}},
			"https://demo.magister.net/magister/#/agenda"},
	} {
		if got := EventURL(tc.acct, tc.ev); got != tc.want {
			t.Errorf("%s: EventURL = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A cancelled lesson's notification, queued by a real check, opens that
// lesson's page.
func TestCheckQueuesTheLessonsPage(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, ams)
	lesson := magister.Appointment{ID: 4242, Start: now.Add(3 * time.Hour), End: now.Add(4 * time.Hour),
		LessonFrom: 4, LessonTo: 4, Description: "wi - JAN - 3h", Subjects: []string{"wiskunde"}, Type: 13}
	src := &memSource{appts: map[int][]magister.Appointment{1: {lesson}}}
	c := newChecker(t, src, now, func(s *state.State) {
		s.Accounts = []state.Account{{Key: "demo/1", School: "demo", PersonID: 1,
			Children: []state.Child{{ID: 1, FirstName: "Anna"}}}}
	})
	ctx := context.Background()
	if rep, err := c.Check(ctx); err != nil || rep.Queued != 0 {
		t.Fatalf("baseline check: %+v, %v", rep, err)
	}
	lesson.Status = magister.StatusCancelledManually
	src.appts[1] = []magister.Appointment{lesson}
	if rep, err := c.Check(ctx); err != nil || rep.Queued != 1 {
		t.Fatalf("second check: %+v, %v", rep, err)
	}
	got := outbox(t, c.Store)
	if len(got) != 1 {
		t.Fatalf("outbox holds %d entries, want 1: %+v", len(got), got)
	}
	if want := "https://demo.magister.net/magister/#/agenda/huiswerk/4242"; got[0].URL != want {
		t.Errorf("cancelled lesson URL = %q, want %q", got[0].URL, want)
	}
}
