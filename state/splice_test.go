package state

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// spliceBase is a state file as the app writes it, with a history.
func spliceBase(t testing.TB) []byte {
	t.Helper()
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.FixedZone("", 3600))
	s := newState()
	addSeen(s, "k1")
	addSeen(s, "k2 \"quoted\"")
	s.Settings.Sinks = []string{"desktop"}
	s.Outbox = []Entry{{ID: "o1", Kind: KindGrades, Title: "Daan · 7,5", Created: at}}
	for i := range 40 {
		s.History = append(s.History, Entry{ID: fmt.Sprintf("h%d", i), Kind: KindSchedule, Title: fmt.Sprintf("Les %d \"uitgevallen\" · <b>", i),
			Body: "a\nb\u2028", Created: at.Add(time.Duration(i) * time.Hour), Delivered: at.Add(time.Duration(i) * time.Hour), Done: []string{"desktop"}})
	}
	s.Health.LastAttempt = at
	s.Quarantined = []Quarantine{{File: "state.json.corrupt-1", At: at, Reason: "x", Reset: []string{"the outbox"}}}
	data, err := encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// primed is what a Store keeps after decoding data.
func primed(t testing.TB, data []byte) *decoded {
	t.Helper()
	st, err := decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return &decoded{data: data, st: st, hist: historyMember(data)}
}

// checkSplice holds reuseHistory to decoding: when it takes the history
// from the last decode, the state is exactly what decoding data gives.
func checkSplice(t testing.TB, last *decoded, data []byte) bool {
	t.Helper()
	got, ok := last.reuseHistory(data)
	if !ok {
		return false
	}
	want, err := decodeWhole(data)
	if err != nil {
		t.Errorf("reused the history of a file that does not decode (%v):\n%s", err, data)
		return true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reused history gives another state than decoding:\n got %+v\nwant %+v\nfile %s", got, want, data)
	}
	return true
}

func TestSpliceOfAppWrites(t *testing.T) {
	base := spliceBase(t)
	last := primed(t, base)
	if len(last.hist) == 0 || !bytes.HasPrefix(last.hist, []byte(`,"history":[{"id":"h0"`)) || !bytes.HasSuffix(last.hist, []byte("]")) {
		t.Fatalf("history member = %.60q…", last.hist)
	}
	st, _ := decode(base)
	// What a check changes: seen sets, health, the outbox.
	addSeen(st, "k3")
	st.Health.LastAttempt = st.Health.LastAttempt.Add(time.Hour)
	st.Outbox = nil
	data, _ := encode(st)
	if !checkSplice(t, last, data) {
		t.Error("a file with the same history was decoded whole")
	}
	// A delivery changes the history: decoded whole.
	st.History = st.History[1:]
	data, _ = encode(st)
	if checkSplice(t, last, data) {
		t.Error("a file with another history took the old one")
	}
}

// TestSpliceOfOtherFiles: files the app does not write are decoded whole
// or, if not, give exactly what decoding gives.
func TestSpliceOfOtherFiles(t *testing.T) {
	base := spliceBase(t)
	last := primed(t, base)
	hist := string(last.hist)
	b := string(base)
	without := strings.Replace(b, hist, "", 1)
	end := strings.LastIndex(b, "}")
	for _, tc := range []struct {
		name string
		data string
		// reuse says whether the history may be reused.
		reuse bool
	}{
		{"same", b, true},
		{"white space elsewhere", strings.Replace(b, `"health":`, "\n \"health\" : ", 1), true},
		{"another history later", b[:end] + `,"history":null}` + "\n", false},
		{"another history earlier", strings.Replace(b, `"settings":`, `"history":[],"settings":`, 1), false},
		{"History", b[:end] + `,"History":[]}`, false},
		{"escaped history later", b[:end] + `,"histor\u0079":null}`, false},
		{"HISTORY in place", strings.Replace(b, `"history":`, `"HISTORY":`, 1), false},
		{"unknown key", b[:end] + `,"extra":1}`, false},
		{"escaped key", strings.Replace(b, `"health":`, `"he\u0061lth":`, 1), false},
		{"duplicate key", b[:end] + `,"health":{}}`, false},
		{"history nested", strings.Replace(without, `"settings":{`, `"settings":{"x":1`+hist+",", 1), false},
		{"history in a string", strings.Replace(without, `"title":"`, `"title":"`+hist, 1), false},
		{"history first", "{" + hist[1:] + "," + without[1:], false},
		{"history last", without[:strings.LastIndex(without, "}")] + hist + "}\n", true},
		{"older version", strings.Replace(b, `"version":1`, `"version":0`, 1), false},
		{"newer version", strings.Replace(b, `"version":1`, `"version":2`, 1), false},
		{"cut short", b[:len(b)-10], false},
		{"no history", without, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.data == b && tc.name != "same" {
				t.Fatal("the variant is the file itself")
			}
			if got := checkSplice(t, last, []byte(tc.data)); got != tc.reuse {
				t.Errorf("history reused = %v, want %v", got, tc.reuse)
			}
			// And the other way round: after decoding this file, the
			// app's own.
			if _, err := decode([]byte(tc.data)); err == nil {
				checkSplice(t, primed(t, []byte(tc.data)), base)
			}
		})
	}
}

// TestSpliceOfDamagedFiles changes a file at random, within its history
// and around it: whenever the history is reused, the state is what
// decoding gives.
func TestSpliceOfDamagedFiles(t *testing.T) {
	base := spliceBase(t)
	last := primed(t, base)
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte(`{}[]",:\ 01anul` + "\n")
	reused := 0
	for range 20000 {
		data := bytes.Clone(base)
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(data))
			if h := bytes.Index(data, last.hist); h >= 0 && i >= h && rng.IntN(4) > 0 {
				i = rng.IntN(h + 1) // mostly around the history: it is 90 % of the file
			}
			c := alphabet[rng.IntN(len(alphabet))]
			switch rng.IntN(3) {
			case 0:
				data[i] = c
			case 1:
				data = append(data[:i], data[i+1:]...)
			default:
				data = append(data[:i], append([]byte{c}, data[i:]...)...)
			}
		}
		if checkSplice(t, last, data) {
			reused++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("history reused for %d of 20000 changed files", reused)
	if reused == 0 {
		t.Error("the history was never reused: the test proves nothing")
	}
}

// TestStoreReusesHistory: after a save that left the history alone, a
// read gives what decoding the file gives, and what a reader does with the
// history stays its own.
func TestStoreReusesHistory(t *testing.T) {
	st := mustOpen(t)
	ctx := context.Background()
	update := func(fn func(*State)) {
		t.Helper()
		if err := st.Update(ctx, func(s *State) error { fn(s); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	update(func(s *State) {
		for i := range 20 {
			s.History = append(s.History, Entry{ID: fmt.Sprint(i), Done: []string{"desktop"}})
		}
	})
	mustView(t, st) // decodes the whole file
	for i := range 3 {
		update(func(s *State) { s.Health.ConsecutiveFailures = i + 1 })
		st.View(ctx, func(s State) error { s.History[0].Done[0] = "scribbled"; return nil })
	}
	want := decodeFile(t, st)
	if got := mustView(t, st); !reflect.DeepEqual(got, *want) {
		t.Fatalf("read after saves that left the history alone:\n got %+v\nwant %+v", got, *want)
	}
	if hist := st.last.Load().hist; len(hist) == 0 {
		t.Error("the Store keeps no history member to reuse")
	}
}

// FuzzHistoryReuse: for any bytes, taking the history over from the last
// decode gives what decoding gives, both after the app's own file and,
// for bytes that decode, before it.
func FuzzHistoryReuse(f *testing.F) {
	base := spliceBase(f)
	b := string(base)
	end := strings.LastIndex(b, "}")
	for _, s := range []string{b, b[:end] + `,"history":null}`, strings.Replace(b, `"health":`, `"he\u0061lth":`, 1),
		strings.Replace(b, `"settings":{`, `"settings":{"x":[1],`, 1), b[:len(b)/10]} {
		f.Add([]byte(s))
	}
	last := primed(f, base)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSplice(t, last, data)
		if _, err := decode(data); err == nil {
			checkSplice(t, primed(t, data), base)
		}
	})
}

// FuzzStringEnd: stringEnd finds the end of a string as a walk over it,
// byte by byte, does.
func FuzzStringEnd(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\"b"`, `"a\\"b"`, `"a\\\"b"`, `"\\\\"`, `"a\`, `"`, `"a\u0022"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '"' {
			return
		}
		j, escaped := 1, false
		for ; j < len(data) && data[j] != '"'; j++ {
			if data[j] == '\\' {
				escaped = true
				j++
			}
		}
		want := min(j, len(data))
		if want == len(data) {
			return // does not end: any answer up to len(data) will do
		}
		if end, esc := stringEnd(data, 0); end != want || esc != escaped {
			t.Fatalf("stringEnd(%q) = %d, %v; want %d, %v", data, end, esc, want, escaped)
		}
	})
}
