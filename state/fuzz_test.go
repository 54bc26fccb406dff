package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

// FuzzDecode feeds arbitrary bytes to the state decoder. It must never panic,
// must classify every failure (damaged or newer), and whatever it accepts —
// or salvages from a damaged file — must survive a write and a read
// unchanged.
func FuzzDecode(f *testing.F) {
	full := newState()
	full.Settings = Settings{Interval: Duration(20 * time.Minute), QuietHours: QuietHours{Start: "21:30", End: "07:00"},
		Disabled: map[string]bool{KindHomework: true}, Sinks: []string{"desktop", "jsonl:/tmp/x"}}
	addSeen(full, "123456")
	full.Outbox = []Entry{{ID: "e1", Kind: KindGrades, Title: "Nieuw cijfer", Created: time.Unix(1700000000, 0).UTC()}}
	seed, _ := encode(full)
	for _, s := range [][]byte{seed, []byte(`{"version":1}`), []byte(`{"version":2}`), []byte(``), []byte(`null`),
		[]byte(`{"settings":{},"version":1}`), []byte(`{"version":1,"accounts":[{"children":[{"seen":{"grades":{"baselined":true,"by_expiry":{"0":{"1":"x"}}}}}]}]}`),
		seed[:len(seed)/2], []byte("\xef\xbb\xbf{}")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decode(data)
		if err != nil {
			var c *CorruptError
			if !errors.As(err, &c) && !errors.Is(err, ErrNewerVersion) {
				t.Fatalf("unclassified decode error: %v", err)
			}
			if c == nil || c.Salvaged == nil {
				return
			}
			s = c.Salvaged
		}
		out, err := encode(s)
		if err != nil {
			t.Fatalf("accepted state does not encode: %v", err)
		}
		// A save writes the same bytes, the second time from its cache.
		var c entryCache
		for range 2 {
			if saved, err := c.encode(s); err != nil || !bytes.Equal(saved, out) {
				t.Fatalf("a save writes\n%s (%v)\nwhere json.Marshal writes\n%s", saved, err, out)
			}
		}
		s2, err := decode(out)
		if err != nil {
			t.Fatalf("re-read of a written state failed: %v\n%s", err, out)
		}
		// Seen ids are written in map order, so compare the JSON values.
		out2, _ := encode(s2)
		var v1, v2 any
		json.Unmarshal(out, &v1)
		json.Unmarshal(out2, &v2)
		if !reflect.DeepEqual(v1, v2) {
			t.Fatalf("state changed across a write and a read:\n%s\n%s", out, out2)
		}
	})
}
