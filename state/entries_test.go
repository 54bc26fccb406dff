package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// trickyTexts are what notification texts may hold: what json.Marshal
// escapes (quotes, <, >, &, control characters, U+2028), non-ASCII,
// characters outside the BMP (surrogate pairs when escaped), invalid UTF-8.
var trickyTexts = []string{
	"", "Anna · 7,5 voor Wiskunde A", `Nieuw bericht van <b>Mentor</b> & "J_de_Vries"`, "r\u00e9sum\u00e9 \u2192 6,4",
	"tab\there\nnew line\r\x00\x1f\x7f", "back\\slash/slash", "\u2028\u2029", "emoji \U0001F600 \U00010348",
	"bad \xff utf8", "\xed\xa0\x80 surrogate in UTF-8", strings.Repeat("lang ", 200),
}

// randomEntries are entries with every field set from trickyTexts and
// times in several zones.
func randomEntries(r *rand.Rand, n int) []Entry {
	text := func() string { return trickyTexts[r.IntN(len(trickyTexts))] }
	when := func() time.Time {
		if r.IntN(4) == 0 {
			return time.Time{}
		}
		zones := []*time.Location{time.UTC, time.FixedZone("", 3600), time.FixedZone("", -5*3600-1800)}
		return time.Unix(r.Int64N(4_000_000_000), r.Int64N(1e9)).In(zones[r.IntN(len(zones))])
	}
	out := make([]Entry, n)
	for i := range out {
		e := &out[i]
		e.ID, e.Kind, e.Account, e.Child, e.Title, e.Body, e.URL = text(), text(), text(), text(), text(), text(), text()
		e.LeaseOwner, e.LastError, e.Batch, e.Item, e.Change = text(), text(), text(), text(), text()
		e.ChildID, e.Attempts = r.IntN(1<<40)-1<<39, r.IntN(5)
		e.Urgent = r.IntN(2) == 0
		e.Created, e.NotBefore, e.LeaseUntil, e.NextAttempt, e.Delivered = when(), when(), when(), when(), when()
		for range r.IntN(3) {
			e.Done = append(e.Done, text())
		}
	}
	return out
}

// TestDecodeEntriesTakesAppFiles: the histories json.Marshal writes, with
// every field set and any text, are read by decodeEntries, to what
// json.Unmarshal gives. An Entry field it does not know fails this.
func TestDecodeEntriesTakesAppFiles(t *testing.T) {
	var filled Entry
	(&filler{t: t}).fill(reflect.ValueOf(&filled).Elem(), "Entry")
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		entries := randomEntries(r, round%7)
		if round == 0 {
			entries = append(entries, filled, Entry{}, Entry{Done: []string{}})
		}
		data, err := json.Marshal(entries)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := decodeEntries(data)
		if !ok {
			t.Fatalf("declined what json.Marshal wrote:\n%s", data)
		}
		var want []Entry
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeEntries gives\n%+v\njson.Unmarshal\n%+v\nof %s", got, want, data)
		}
	}
}

// TestDecodeEntriesDeclines: what is not the shape json.Marshal writes is
// left to encoding/json, valid JSON or not.
func TestDecodeEntriesDeclines(t *testing.T) {
	for _, s := range []string{
		``, `null`, ` []`, `[] `, `[{}`, `[{},]`, `[{"id":"a","id":"b"}]`, `[{"ID":"a"}]`, `[{"i\u0064":"a"}]`,
		`[{"x":1}]`, `[{"id":null}]`, `[{"id" :"a"}]`, `[{"child_id":1.0}]`, `[{"child_id":01}]`, `[{"child_id":1e3}]`,
		`[{"child_id":"1"}]`, `[{"child_id":99999999999999999999}]`, `[{"urgent":1}]`, `[{"urgent":nul}]`,
		`[{"created":"2026-01-01"}]`, `[{"created":null}]`, `[{"created":"2026-01-01T00:00:00\u005a"}]`,
		`[{"done":null}]`, `[{"done":[1]}]`, `[{"title":"a\'b"}]`, `[{"title":"a\x"}]`, `[{"title":"\ud800"}]`,
		`[{"title":"\ud800\u0041"}]`, "[{\"title\":\"\xff\"}]", "[{\"title\":\"a\nb\"}]", `[{"title":"\u12"}]`,
	} {
		if got, ok := decodeEntries([]byte(s)); ok {
			t.Errorf("took %s, to %+v", s, got)
		}
	}
}

// FuzzDecodeEntries: for any bytes decodeEntries takes, json.Unmarshal
// gives the same entries.
func FuzzDecodeEntries(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 4 {
		data, _ := json.Marshal(randomEntries(r, n))
		f.Add(data)
	}
	f.Add([]byte(`[{"id":"a","done":[],"child_id":-0,"urgent":false,"title":"\ud83d\ude00\u00e9\/"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := decodeEntries(data)
		if !ok {
			return
		}
		var want []Entry
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("took what json.Unmarshal refuses (%v): %q", err, data)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeEntries gives\n%+v\njson.Unmarshal\n%+v\nof %q", got, want, data)
		}
	})
}

// FuzzDecodeSplit: for any bytes, decode (history by decodeEntries where it
// can) and decodeWhole (encoding/json) give the same state, or the same
// error.
func FuzzDecodeSplit(f *testing.F) {
	base := spliceBase(f)
	b := string(base)
	r := rand.New(rand.NewPCG(5, 6))
	st, err := decodeWhole(base)
	if err != nil {
		f.Fatal(err)
	}
	st.History = randomEntries(r, 5)
	tricky, err := encode(st)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{b, string(tricky), strings.Replace(b, `"history":[`, `"history" : [`, 1),
		strings.Replace(b, `"health":`, `"History":[],"health":`, 1), strings.Replace(b, `{"version":1`, `{"version":1,"history":[]`, 1),
		strings.Replace(b, `"history":[`, `"history":[{"id":"x"},`, 1), b[:len(b)/2], strings.Replace(b, `"version":1`, `"version":0`, 1)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, gerr := decode(data)
		want, werr := decodeWhole(data)
		if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Fatalf("decode: %v\ndecodeWhole: %v\nof %q", gerr, werr, data)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decode gives\n%+v\ndecodeWhole\n%+v\nof %q", got, want, data)
		}
	})
}

// TestDecodeReadsTheHistoryOfAppFilesItself: a state the Store wrote is
// read by the fast path, and a full history takes a fraction of the time
// encoding/json takes (reported by BenchmarkDecodeFullHistory, not
// asserted here).
func TestDecodeReadsTheHistoryOfAppFilesItself(t *testing.T) {
	data := fullHistoryFile(t)
	st, _, ok := decodeSplit(data)
	if !ok {
		t.Fatal("a file the Store wrote was decoded whole")
	}
	want, err := decodeWhole(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st, want) {
		t.Fatal("the fast path gives another state than encoding/json")
	}
	if len(st.History) != HistoryLimit {
		t.Fatalf("history of %d entries, want %d", len(st.History), HistoryLimit)
	}
	var ce *CorruptError
	if _, err := decode(data[:len(data)-2]); !errors.As(err, &ce) {
		t.Fatalf("a cut file: %v, want it damaged", err)
	}
}

// fullHistoryFile is a state file as the Store writes it, with a full
// history of notifications as a check makes them.
func fullHistoryFile(tb testing.TB) []byte {
	st, err := decodeWhole(spliceBase(tb))
	if err != nil {
		tb.Fatal(err)
	}
	at := time.Date(2027, 3, 1, 8, 0, 0, 0, time.Local)
	st.History = nil
	for i := range HistoryLimit {
		created := at.Add(-time.Duration(i) * 97 * time.Minute)
		st.History = append(st.History, Entry{ID: fmt.Sprintf("grades:demo:1:2:%d", 4000+i), Kind: KindGrades,
			Account: "demo:1", ChildID: 2, Child: "Anna", Title: "Anna · 7,5 voor Wiskunde A",
			Body: "Proefwerk hoofdstuk " + strconv.Itoa(i%9) + " · weging 2 · gemiddelde 5,4 → 6,4 & <herkansing>",
			URL:  "https://demo.magister.net/magister/#/cijfers", Created: created, Delivered: created.Add(time.Minute),
			Batch: "check-" + strconv.Itoa(i/3), Item: strconv.Itoa(4000 + i), Change: "new", Done: []string{"desktop"}})
	}
	var c entryCache
	data, err := c.encode(st)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// BenchmarkDecodeFullHistory: decoding a state file with a full history,
// with the history read by decodeEntries (split) and by encoding/json
// (whole).
func BenchmarkDecodeFullHistory(b *testing.B) {
	data := fullHistoryFile(b)
	b.SetBytes(int64(len(data)))
	for _, c := range []struct {
		name   string
		decode func([]byte) (*State, error)
	}{{"split", decode}, {"whole", decodeWhole}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
