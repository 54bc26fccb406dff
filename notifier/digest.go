package notifier

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/magister-notify/magister-notify/state"
)

// BurstLimit is how many entries of one check people-facing sinks show one
// by one; more become one summary (plus the urgent ones, separately).
const BurstLimit = 3

// digestLines is how many entry titles a digest or summary body lists.
const digestLines = 5

// nounForms are the singular and plural words for a count, per language.
type nounForms struct{ nlOne, nlMany, enOne, enMany string }

func (f nounForms) count(w wording, n int) string {
	word := w.pick(f.nlMany, f.enMany)
	if n == 1 {
		word = w.pick(f.nlOne, f.enOne)
	}
	return fmt.Sprintf("%d %s", n, word)
}

// changeNoun words one change for a digest: "2 nieuwe cijfers", "1 les
// uitgevallen".
func changeNoun(kind, change string) nounForms {
	switch kind {
	case state.KindGrades:
		if change == ChangeCorrected {
			return nounForms{"gewijzigd cijfer", "gewijzigde cijfers", "corrected grade", "corrected grades"}
		}
		return nounForms{"nieuw cijfer", "nieuwe cijfers", "new grade", "new grades"}
	case state.KindSchedule:
		switch change {
		case ChangeCancelled:
			return nounForms{"les uitgevallen", "lessen uitgevallen", "lesson cancelled", "lessons cancelled"}
		case ChangeRestored:
			return nounForms{"les gaat toch door", "lessen gaan toch door", "lesson back on", "lessons back on"}
		case ChangeMoved:
			return nounForms{"les verplaatst", "lessen verplaatst", "lesson moved", "lessons moved"}
		case ChangeRoom:
			return nounForms{"lokaalwijziging", "lokaalwijzigingen", "room change", "room changes"}
		case ChangeAdded:
			return nounForms{"extra les", "extra lessen", "lesson added", "lessons added"}
		case ChangeRemoved:
			return nounForms{"les geschrapt", "lessen geschrapt", "lesson removed", "lessons removed"}
		}
	case state.KindTests:
		return nounForms{"toets binnenkort", "toetsen binnenkort", "upcoming test", "upcoming tests"}
	case state.KindMessages:
		return nounForms{"nieuw bericht", "nieuwe berichten", "new message", "new messages"}
	}
	// The kind says it all: another schedule change, a homework reminder,
	// a look at tomorrow, a notification of an unknown kind.
	return kindNoun(kind)
}

// kindNoun words a kind for a burst summary: "3 cijfers, 2 roosterwijzigingen".
// A digest uses it too where the kind of change adds nothing (changeNoun).
func kindNoun(kind string) nounForms {
	switch kind {
	case state.KindGrades:
		return nounForms{"cijfer", "cijfers", "grade", "grades"}
	case state.KindSchedule:
		return nounForms{"roosterwijziging", "roosterwijzigingen", "schedule change", "schedule changes"}
	case state.KindTests:
		return nounForms{"toets", "toetsen", "test", "tests"}
	case state.KindHomework:
		return nounForms{"huiswerkherinnering", "huiswerkherinneringen", "homework reminder", "homework reminders"}
	case state.KindMessages:
		return nounForms{"bericht", "berichten", "message", "messages"}
	case state.KindPreview:
		return nounForms{"overzicht van morgen", "overzichten van morgen", "look at tomorrow", "looks at tomorrow"}
	}
	return nounForms{"melding", "meldingen", "notification", "notifications"}
}

// changeOrder sorts the parts of a digest within a kind.
var changeOrder = []string{ChangeNew, ChangeCorrected, ChangeCancelled, ChangeRestored, ChangeMoved, ChangeChanged,
	ChangeRoom, ChangeAdded, ChangeRemoved, ChangeUpcoming, ChangeDue, ChangePreview}

// countParts counts entries by key and words each count, in menu order of
// the kinds (state.Kinds), unknown kinds last.
func countParts(w wording, entries []state.Entry, byChange bool) string {
	type key struct{ kind, change string }
	counts := map[key]int{}
	for _, e := range entries {
		k := key{kind: e.Kind}
		if byChange {
			k.change = e.Change
		}
		counts[k]++
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	rank := func(list []string, s string) int {
		if i := slices.Index(list, s); i >= 0 {
			return i
		}
		return len(list)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if d := rank(state.Kinds, a.kind) - rank(state.Kinds, b.kind); d != 0 {
			return d
		}
		if d := rank(changeOrder, a.change) - rank(changeOrder, b.change); d != 0 {
			return d
		}
		return strings.Compare(a.kind+"\x00"+a.change, b.kind+"\x00"+b.change)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		if byChange {
			parts[i] = changeNoun(k.kind, k.change).count(w, counts[k])
		} else {
			parts[i] = kindNoun(k.kind).count(w, counts[k])
		}
	}
	return strings.Join(parts, ", ")
}

// digestTitle is "Sinds 22:00: 2 nieuwe cijfers, 1 les uitgevallen". A start
// more than a day before now names the day too.
func digestTitle(w wording, since, now time.Time, entries []state.Entry) string {
	when := w.clock(since, now.Sub(since) >= 24*time.Hour)
	return fmt.Sprintf(w.pick("Sinds %s: %s", "Since %s: %s"), when, countParts(w, entries, true))
}

// summaryTitle is "5 nieuwe meldingen: 3 cijfers, 2 roosterwijzigingen".
func summaryTitle(w wording, entries []state.Entry) string {
	total := nounForms{"nieuwe melding", "nieuwe meldingen", "new notification", "new notifications"}
	return total.count(w, len(entries)) + ": " + countParts(w, entries, false)
}

// listBody lists the titles of entries, urgent ones first, so that an urgent
// entry stays visible in a digest; past digestLines it says how many more.
func listBody(w wording, entries []state.Entry) string {
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b state.Entry) int {
		switch {
		case a.Urgent == b.Urgent:
			return 0
		case a.Urgent:
			return -1
		}
		return 1
	})
	var lines []string
	for i, e := range sorted {
		if i == digestLines && len(sorted) > digestLines+1 {
			lines = append(lines, fmt.Sprintf(w.pick("en nog %d", "and %d more"), len(sorted)-i))
			break
		}
		lines = append(lines, e.Title)
	}
	return strings.Join(lines, "\n")
}

// childPrefix is "Anna · " when every entry is about the same child and the
// check put the name in front of their titles (the account has several
// children), else "".
func childPrefix(entries []state.Entry) string {
	if len(entries) == 0 || entries[0].Child == "" {
		return ""
	}
	p := entries[0].Child + childSep
	for _, e := range entries {
		if e.Child != entries[0].Child || !strings.HasPrefix(e.Title, p) {
			return ""
		}
	}
	return p
}

// groupNotification is the notification that stands for entries: a digest or a
// burst summary.
func groupNotification(kind, title string, w wording, entries []state.Entry) Notification {
	ids := make([]string, len(entries))
	n := Notification{
		Kind:    kind,
		Title:   childPrefix(entries) + title,
		Body:    listBody(w, entries),
		Created: entries[0].Created,
		Entries: ids,
		URL:     entries[0].URL,
		Child:   entries[0].Child,
	}
	for i, e := range entries {
		ids[i] = e.ID
		n.Urgent = n.Urgent || e.Urgent
		if e.Created.Before(n.Created) {
			n.Created = e.Created
		}
		if e.URL != n.URL {
			n.URL = ""
		}
		if e.Child != n.Child {
			n.Child = ""
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(ids, "\x00")))
	n.ID = kind + "-" + hex.EncodeToString(sum[:6])
	return n
}

// entryNotification is the notification for one entry.
func entryNotification(e state.Entry) Notification {
	return Notification{
		ID: e.ID, Kind: e.Kind, Change: e.Change, Child: e.Child,
		Title: e.Title, Body: e.Body, URL: e.URL, Urgent: e.Urgent,
		Created: e.Created, Entries: []string{e.ID},
	}
}

// planPeople decides what a people-facing sink shows for entries (oldest
// first), released at now: entries that waited through quiet hours or a
// pause become one digest; more than BurstLimit entries of one check become
// one summary plus their urgent entries one by one; the rest are shown one
// by one. Every entry is covered by exactly one notification.
func planPeople(w wording, s state.Settings, entries []state.Entry, now time.Time) []Notification {
	var held, fresh []state.Entry
	var since time.Time
	for _, e := range entries {
		if t, ok := heldSince(s, readyAt(e).In(now.Location()), now); ok {
			held = append(held, e)
			if since.IsZero() || t.Before(since) {
				since = t
			}
			continue
		}
		fresh = append(fresh, e)
	}
	var out []Notification
	switch len(held) {
	case 0:
	case 1:
		out = append(out, entryNotification(held[0]))
	default:
		out = append(out, groupNotification(KindDigest, digestTitle(w, since, now, held), w, held))
	}
	batches := map[string][]state.Entry{}
	for _, e := range fresh {
		if e.Batch != "" {
			batches[e.Batch] = append(batches[e.Batch], e)
		}
	}
	summarised := map[string]bool{}
	for _, e := range fresh {
		group := batches[e.Batch]
		if e.Batch == "" || len(group) <= BurstLimit {
			out = append(out, entryNotification(e))
			continue
		}
		if e.Urgent {
			out = append(out, entryNotification(e))
			continue
		}
		if summarised[e.Batch] {
			continue
		}
		summarised[e.Batch] = true
		var calm []state.Entry
		for _, g := range group {
			if !g.Urgent {
				calm = append(calm, g)
			}
		}
		if len(calm) == 1 {
			out = append(out, entryNotification(calm[0]))
			continue
		}
		out = append(out, groupNotification(KindSummary, summaryTitle(w, calm), w, calm))
	}
	return out
}

// readyAt is when an entry may first be shown.
func readyAt(e state.Entry) time.Time {
	if e.NotBefore.After(e.Created) {
		return e.NotBefore
	}
	return e.Created
}
