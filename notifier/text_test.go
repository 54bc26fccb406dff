package notifier

import (
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister"
)

func TestWords(t *testing.T) {
	g := grade(1, "7,5")
	l := lesson(5, 1, 10, "B102", 4) // Tuesday 1 Dec 10:00, 3rd period
	moved := lesson(6, 2, 11, "B102", 9)
	room := lesson(7, 1, 9, "C201", 3)
	test := lesson(8, 2, 9, "A1", 1)
	test.InfoType, test.Content = 2, "<p>Hoofdstuk 4 &amp; 5</p>"
	hw := lesson(9, 2, 11, "A1", 1)
	hw.InfoType, hw.Content = 1, "<ul><li>Maak 4.1</li></ul>"
	msg := &magister.Message{ID: 1, From: "Dhr. Jansen", Subject: "Excursie"}
	nl := wording{Lang: "nl", Privacy: PrivacyFull, Child: "Anna", Loc: ams}
	en := wording{Lang: "en", Privacy: PrivacyFull, Child: "Anna", Loc: ams}
	two := wording{Lang: "nl", Privacy: PrivacyFull, Child: "Anna", Prefix: true, Loc: ams}
	subj := wording{Lang: "nl", Privacy: PrivacySubject, Child: "Anna", Loc: ams}
	min := wording{Lang: "nl", Privacy: PrivacyMinimal, Child: "Anna", Prefix: true, Loc: ams}
	cases := []struct {
		name        string
		w           wording
		ev          Event
		title, body string
	}{
		{"grade nl", nl, Event{Kind: "grades", Change: ChangeNew, Grade: &g}, "7,5 voor Wiskunde", "Proefwerk H4 · weging 2"},
		{"grade en", en, Event{Kind: "grades", Change: ChangeNew, Grade: &g}, "7,5 for Wiskunde", "Proefwerk H4 · weight 2"},
		{"grade two children", two, Event{Kind: "grades", Change: ChangeNew, Grade: &g}, "Anna · 7,5 voor Wiskunde", "Proefwerk H4 · weging 2"},
		{"grade subject only", subj, Event{Kind: "grades", Change: ChangeNew, Grade: &g}, "Nieuw cijfer voor Wiskunde", ""},
		{"grade minimal", min, Event{Kind: "grades", Change: ChangeNew, Grade: &g}, "Nieuw cijfer voor Anna", ""},
		{"corrected", nl, Event{Kind: "grades", Change: ChangeCorrected, Grade: &g, OldValue: "6,5"}, "7,5 voor Wiskunde (was 6,5)", "Proefwerk H4 · weging 2"},
		{"cancelled", nl, Event{Kind: "schedule", Change: ChangeCancelled, Appointment: &l}, "di 3e uur vervalt: Wiskunde", "di 1 dec 10:00, 3e uur"},
		{"cancelled en", en, Event{Kind: "schedule", Change: ChangeCancelled, Appointment: &l}, "Tue period 3 cancelled: Wiskunde", "Tue 1 Dec 10:00, period 3"},
		{"moved", nl, Event{Kind: "schedule", Change: ChangeMoved, Appointment: &moved, OldStart: l.Start}, "Wiskunde verplaatst naar wo 2 dec 11:00", "was di 1 dec 10:00"},
		{"room", nl, Event{Kind: "schedule", Change: ChangeRoom, Appointment: &room, OldRoom: "B102"}, "Wiskunde in lokaal C201", "di 1 dec 09:00, 2e uur · was B102"},
		{"test", nl, Event{Kind: "tests", Change: ChangeUpcoming, Appointment: &test}, "Toets: Wiskunde", "wo 2 dec 09:00, 2e uur · proefwerk\nHoofdstuk 4 & 5"},
		{"homework", nl, Event{Kind: "homework", Change: ChangeDue, Appointment: &hw}, "Huiswerk: Wiskunde", "voor wo 2 dec 11:00, 4e uur\nMaak 4.1"},
		{"message", nl, Event{Kind: "messages", Change: ChangeNew, Message: msg}, "Nieuw bericht van Dhr. Jansen", "Excursie"},
		{"message minimal", min, Event{Kind: "messages", Change: ChangeNew, Message: msg}, "Nieuw bericht voor Anna", ""},
		{"schedule minimal", min, Event{Kind: "schedule", Change: ChangeCancelled, Appointment: &l}, "Roosterwijziging voor Anna", ""},
	}
	for _, tc := range cases {
		title, body := tc.w.Words(tc.ev)
		if title != tc.title || body != tc.body {
			t.Errorf("%s:\n got %q / %q\nwant %q / %q", tc.name, title, body, tc.title, tc.body)
		}
	}
}

func TestWordsNeverEmpty(t *testing.T) {
	for _, ch := range []string{ChangeNew, ChangeCancelled, ChangeRemoved, "unknown"} {
		title, _ := wording{Loc: time.UTC}.Words(Event{Kind: "other", Change: ch})
		if title == "" {
			t.Errorf("empty title for %q", ch)
		}
	}
}
