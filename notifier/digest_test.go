package notifier

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/state"
)

// ent is an outbox entry for digest tests.
func ent(id, kind, change string, urgent bool) state.Entry {
	return state.Entry{ID: id, Kind: kind, Change: change, Urgent: urgent, Title: "title " + id,
		Created: lt(1, 12, 0), URL: "https://school.example/" + kind}
}

func entries(spec ...string) []state.Entry {
	var out []state.Entry
	for i, s := range spec {
		kind, change, _ := strings.Cut(s, "/")
		out = append(out, ent(fmt.Sprint(i), kind, change, false))
	}
	return out
}

func TestDigestTitle(t *testing.T) {
	nl := wording{Lang: "nl", Loc: quietLoc}
	en := wording{Lang: "en", Loc: quietLoc}
	tests := []struct {
		name string
		w    wording
		es   []state.Entry
		want string
	}{
		{"issue example", nl, entries("grades/new", "schedule/cancelled", "grades/new"),
			"Sinds 22:00: 2 nieuwe cijfers, 1 les uitgevallen"},
		{"issue example in English", en, entries("grades/new", "schedule/cancelled", "grades/new"),
			"Since 22:00: 2 new grades, 1 lesson cancelled"},
		{"singular", nl, entries("grades/new"), "Sinds 22:00: 1 nieuw cijfer"},
		{"plurals of every change", nl, entries(
			"messages/new", "messages/new", "homework/due", "homework/due", "tests/upcoming", "tests/upcoming",
			"schedule/removed", "schedule/removed", "schedule/added", "schedule/added", "schedule/room", "schedule/room",
			"schedule/changed", "schedule/changed", "schedule/moved", "schedule/moved", "schedule/cancelled",
			"schedule/cancelled", "grades/corrected", "grades/corrected", "grades/new", "grades/new"),
			"Sinds 22:00: 2 nieuwe cijfers, 2 gewijzigde cijfers, 2 lessen uitgevallen, 2 lessen verplaatst, " +
				"2 roosterwijzigingen, 2 lokaalwijzigingen, 2 extra lessen, 2 lessen geschrapt, 2 toetsen binnenkort, " +
				"2 huiswerkherinneringen, 2 nieuwe berichten"},
		{"singulars of every change in English", en, entries(
			"messages/new", "homework/due", "tests/upcoming", "schedule/removed", "schedule/added", "schedule/room",
			"schedule/changed", "schedule/moved", "schedule/cancelled", "grades/corrected", "grades/new"),
			"Since 22:00: 1 new grade, 1 corrected grade, 1 lesson cancelled, 1 lesson moved, 1 schedule change, " +
				"1 room change, 1 lesson added, 1 lesson removed, 1 upcoming test, 1 homework reminder, 1 new message"},
		{"unknown kind last", en, entries("weather/new", "grades/new"), "Since 22:00: 1 new grade, 1 notification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := digestTitle(tt.w, lt(1, 22, 0), lt(2, 7, 0), tt.es); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	// A digest over more than a day names the day.
	if got := digestTitle(nl, lt(1, 22, 0), lt(3, 7, 0), entries("grades/new")); got != "Sinds ma 1 dec 22:00: 1 nieuw cijfer" {
		t.Errorf("long digest: %q", got)
	}
}

func TestSummaryTitle(t *testing.T) {
	es := entries("grades/new", "schedule/cancelled", "grades/corrected", "schedule/room", "grades/new")
	if got, want := summaryTitle(wording{}, es), "5 nieuwe meldingen: 3 cijfers, 2 roosterwijzigingen"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := summaryTitle(wording{Lang: "en"}, es), "5 new notifications: 3 grades, 2 schedule changes"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	es = entries("messages/new", "tests/upcoming", "homework/due", "tests/upcoming")
	if got, want := summaryTitle(wording{}, es), "4 nieuwe meldingen: 2 toetsen, 1 huiswerkherinnering, 1 bericht"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestListBody(t *testing.T) {
	es := entries("grades/new", "grades/new", "grades/new")
	es[2].Urgent = true
	if got, want := listBody(wording{}, es), "title 2\ntitle 0\ntitle 1"; got != want {
		t.Errorf("urgent first: %q, want %q", got, want)
	}
	es = entries("grades/new", "grades/new", "grades/new", "grades/new", "grades/new", "grades/new", "grades/new", "grades/new")
	es[7].Urgent = true
	got := listBody(wording{Lang: "en"}, es)
	if want := "title 7\ntitle 0\ntitle 1\ntitle 2\ntitle 3\nand 3 more"; got != want {
		t.Errorf("long list: %q, want %q", got, want)
	}
	// Six fit: "and 1 more" would take the line the entry needs.
	got = listBody(wording{}, es[:6])
	if strings.Contains(got, "nog") || strings.Count(got, "\n") != 5 {
		t.Errorf("six entries: %q", got)
	}
}

func TestPlanPeople(t *testing.T) {
	day := state.Settings{}
	now := lt(1, 12, 5)
	batch := func(b string, es []state.Entry) []state.Entry {
		for i := range es {
			es[i].Batch = b
			es[i].ID = b + es[i].ID
		}
		return es
	}
	kinds := func(ns []Notification) string {
		var s []string
		for _, n := range ns {
			s = append(s, fmt.Sprintf("%s%v", n.Kind, n.Entries))
		}
		return strings.Join(s, " ")
	}

	t.Run("three of a check one by one", func(t *testing.T) {
		got := planPeople(wording{}, day, batch("a", entries("grades/new", "grades/new", "schedule/room")), now)
		if k := kinds(got); k != "grades[a0] grades[a1] schedule[a2]" {
			t.Errorf("got %s", k)
		}
	})
	t.Run("four become a summary, urgent apart", func(t *testing.T) {
		es := batch("a", entries("grades/new", "grades/new", "schedule/cancelled", "grades/new", "schedule/room"))
		es[1].Urgent = true
		got := planPeople(wording{}, day, es, now)
		if k := kinds(got); k != "summary[a0 a2 a3 a4] grades[a1]" {
			t.Fatalf("got %s", k)
		}
		if got[0].Title != "4 nieuwe meldingen: 2 cijfers, 2 roosterwijzigingen" || got[0].Urgent {
			t.Errorf("summary %q urgent=%v", got[0].Title, got[0].Urgent)
		}
		if got[1].Title != "title 1" || !got[1].Urgent {
			t.Errorf("urgent entry %+v", got[1])
		}
	})
	t.Run("bursts are counted per check", func(t *testing.T) {
		es := append(batch("a", entries("grades/new", "grades/new")), batch("b", entries("grades/new", "grades/new"))...)
		if k := kinds(planPeople(wording{}, day, es, now)); k != "grades[a0] grades[a1] grades[b0] grades[b1]" {
			t.Errorf("got %s", k)
		}
	})
	t.Run("a burst of urgent ones keeps them apart", func(t *testing.T) {
		es := batch("a", entries("grades/new", "grades/new", "grades/new", "grades/new"))
		for i := range 3 {
			es[i].Urgent = true
		}
		if k := kinds(planPeople(wording{}, day, es, now)); k != "grades[a0] grades[a1] grades[a2] grades[a3]" {
			t.Errorf("got %s", k)
		}
	})
	t.Run("no batch, no summary", func(t *testing.T) {
		es := entries("grades/new", "grades/new", "grades/new", "grades/new")
		if got := planPeople(wording{}, day, es, now); len(got) != 4 {
			t.Errorf("got %s", kinds(got))
		}
	})
	t.Run("held entries become one digest", func(t *testing.T) {
		es := batch("a", entries("grades/new", "schedule/cancelled", "grades/new", "grades/new", "grades/new"))
		for i := range es {
			es[i].Created = lt(1, 23, i)
		}
		es[3].Urgent = true
		got := planPeople(wording{Loc: quietLoc}, day, es, lt(2, 7, 0))
		if k := kinds(got); k != "digest[a0 a1 a2 a3 a4]" {
			t.Fatalf("got %s", k)
		}
		d := got[0]
		if d.Title != "Sinds 22:00: 4 nieuwe cijfers, 1 les uitgevallen" || !d.Urgent || !strings.HasPrefix(d.Body, "title 3\n") {
			t.Errorf("digest %+v", d)
		}
		if d.URL != "" || !d.Created.Equal(lt(1, 23, 0)) || !strings.HasPrefix(d.ID, "digest-") {
			t.Errorf("digest %+v", d)
		}
	})
	t.Run("one held entry is shown as itself", func(t *testing.T) {
		es := entries("grades/new", "grades/new")
		es[0].Created, es[1].Created = lt(1, 23, 0), lt(2, 7, 0)
		got := planPeople(wording{}, day, es, lt(2, 7, 0))
		if k := kinds(got); k != "grades[0] grades[1]" {
			t.Errorf("got %s", k)
		}
	})
	t.Run("digest and fresh ones side by side", func(t *testing.T) {
		es := entries("grades/new", "grades/new", "messages/new")
		es[0].Created, es[1].Created, es[2].Created = lt(1, 23, 0), lt(2, 1, 0), lt(2, 7, 1)
		got := planPeople(wording{Loc: quietLoc}, day, es, lt(2, 7, 2))
		if k := kinds(got); k != "digest[0 1] messages[2]" {
			t.Errorf("got %s", k)
		}
	})
	t.Run("a later NotBefore counts as made then", func(t *testing.T) {
		es := entries("tests/upcoming", "tests/upcoming")
		for i := range es {
			es[i].Created = lt(1, 23, 0)
			es[i].NotBefore = lt(2, 18, 0)
		}
		if k := kinds(planPeople(wording{}, day, es, lt(2, 18, 0))); k != "tests[0] tests[1]" {
			t.Errorf("got %s", k)
		}
	})
	t.Run("pause", func(t *testing.T) {
		es := entries("grades/new", "messages/new")
		es[0].Created, es[1].Created = lt(1, 14, 5), lt(1, 15, 0)
		got := planPeople(wording{Lang: "en", Loc: quietLoc}, state.Settings{PauseUntil: lt(1, 16, 0)}, es, lt(1, 16, 0))
		if len(got) != 1 || got[0].Title != "Since 14:05: 1 new grade, 1 new message" {
			t.Errorf("got %s %q", kinds(got), got[0].Title)
		}
	})
}

func TestChildPrefix(t *testing.T) {
	es := []state.Entry{{Child: "Anna", Title: "Anna · 8,1 voor Wiskunde"}, {Child: "Anna", Title: "Anna · di 3e uur vervalt: Engels"}}
	if p := childPrefix(es); p != "Anna · " {
		t.Errorf("one child of several: %q", p)
	}
	mixed := append(es, state.Entry{Child: "Daan", Title: "Daan · 6,0 voor Engels"})
	if p := childPrefix(mixed); p != "" {
		t.Errorf("two children: %q", p)
	}
	only := []state.Entry{{Child: "Sem", Title: "Nieuw cijfer"}, {Child: "Sem", Title: "Nieuw bericht"}}
	if p := childPrefix(only); p != "" {
		t.Errorf("an only child: %q", p)
	}
	n := groupNotification(KindSummary, "x", wording{}, es)
	if n.Title != "Anna · x" || n.Child != "Anna" {
		t.Errorf("summary for one child: %+v", n)
	}
}

func TestEntryNotificationCarriesTheEntry(t *testing.T) {
	e := state.Entry{ID: "id", Kind: "grades", Change: "new", Child: "Anna", Title: "T", Body: "B", URL: "U",
		Urgent: true, Created: time.Unix(5, 0)}
	n := entryNotification(e)
	if n.ID != "id" || n.Kind != "grades" || n.Change != "new" || n.Child != "Anna" || n.Title != "T" ||
		n.Body != "B" || n.URL != "U" || !n.Urgent || !n.Created.Equal(e.Created) || len(n.Entries) != 1 {
		t.Errorf("%+v", n)
	}
}
