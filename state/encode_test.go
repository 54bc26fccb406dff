package state

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// TestEncodeIsMarshal holds the save's encoder to json.Marshal, byte for
// byte, over a run of saves that add, change and drop history entries,
// with entries that need escaping and states with every field set.
func TestEncodeIsMarshal(t *testing.T) {
	var c entryCache
	check := func(what string, s *State) {
		t.Helper()
		got, gotErr := c.encode(s)
		want, wantErr := encode(s)
		if (gotErr != nil) != (wantErr != nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Fatalf("%s: error %v, want %v", what, gotErr, wantErr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: encoded\n%s\nwant\n%s", what, got, want)
		}
	}
	at := time.Date(2026, 11, 30, 12, 0, 0, 5, time.FixedZone("", 3600))
	s := newState()
	check("empty", s)
	addSeen(s, "k1")
	s.Outbox = []Entry{{ID: "o1", Title: "Daan · 7,5", Created: at}}
	for i, title := range []string{"plain", "<b>&amp;</b>", "a\u2028b\nc\"d\\", "\xff\xfeinvalid", "é"} {
		s.History = append(s.History, Entry{ID: string(rune('a' + i)), Title: title, Created: at.Add(time.Duration(i) * time.Minute),
			Delivered: at.In(time.UTC), Done: []string{"desktop"}})
		check("history of "+title, s)
	}
	s.History[1].Done = nil
	check("Done nil", s)
	s.History[1].Done = []string{}
	check("Done empty", s)
	s.History[2].Done = []string{"desktop", "jsonl:/x"}
	check("Done of two", s)
	s.History[2].Done = []string{"desktop,jsonl:/x"}
	check("Done of one with a comma", s)
	s.History[3].Created = s.History[3].Created.In(time.UTC) // the same instant, another zone
	check("another zone", s)
	s.History = s.History[1:]
	check("first dropped", s)
	s.Health.LastAttempt = at
	s.Outbox = nil
	check("outbox gone", s)
	s.History[0].Created = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	check("a time JSON cannot hold", s)
	s.History = nil
	check("no history", s)
	for _, empty := range []bool{false, true} {
		check("every field set", filledState(t, empty))
		check("every field set again", filledState(t, empty))
	}
}

// TestEntryKeyHasEveryField: entries that differ in any one field, or in
// how Done splits into names, have different keys.
func TestEntryKeyHasEveryField(t *testing.T) {
	var base Entry
	(&filler{t: t}).fill(reflect.ValueOf(&base).Elem(), "Entry")
	for i := range reflect.TypeFor[Entry]().NumField() {
		other := base.clone()
		f := reflect.ValueOf(&other).Elem().Field(i)
		(&filler{t: t, n: 100}).change(f, "Entry."+reflect.TypeFor[Entry]().Field(i).Name)
		if keyOf(&other) == keyOf(&base) {
			t.Errorf("entries that differ in %s have the same key", reflect.TypeFor[Entry]().Field(i).Name)
		}
	}
	for _, pair := range [][2][]string{{{"a", "b"}, {"ab"}}, {{"a", "b"}, {"a,b"}}, {{"a", "b"}, {"a1:b"}}, {{"1:a"}, {"1", "a"}}, {{""}, {}}} {
		a, b := Entry{Done: pair[0]}, Entry{Done: pair[1]}
		if keyOf(&a) == keyOf(&b) {
			t.Errorf("Done %q and %q have the same key", pair[0], pair[1])
		}
	}
}
