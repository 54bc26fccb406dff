package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// salvageFixture is a state with one account, two children with baselined
// seen sets, a waiting notification and some history, and its encoding.
func salvageFixture(t *testing.T) (*State, []byte) {
	t.Helper()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	s := newState()
	s.Settings = Settings{Interval: Duration(20 * time.Minute), Language: "en"}
	seen := func(prefix string) map[string]*SeenSet {
		items := map[string]SeenItem{}
		for i := range 50 {
			items[prefix+strconv.Itoa(i)] = SeenItem{Fingerprint: "7,5", Expires: now.Add(SeenRetention).Unix()}
		}
		return map[string]*SeenSet{KindGrades: {Baselined: true, Items: items}}
	}
	s.Accounts = []Account{{Key: "demo/1", School: "demo", PersonID: 1, Name: "Ouder", IsParent: true, Children: []Child{
		{ID: 11, FirstName: "Anna", Seen: seen("anna")},
		{ID: 12, FirstName: "Daan", Seen: seen("daan")},
	}}}
	for i := range 5 {
		s.History = append(s.History, Entry{ID: "h" + string(rune('0'+i)), Kind: KindGrades, Title: "Nieuw cijfer", Created: now, Delivered: now})
	}
	s.Outbox = []Entry{{ID: "o1", Kind: KindGrades, Title: "Nieuw cijfer", Created: now}}
	data, err := encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return s, data
}

func mustSalvage(t *testing.T, data []byte) (*State, []string) {
	t.Helper()
	_, err := decode(data)
	var c *CorruptError
	if !errors.As(err, &c) || c.Salvaged == nil {
		t.Fatalf("decode = %v, want a damaged file with something salvaged", err)
	}
	// What is salvaged must be a sound state: it is written back as it is.
	out, err := encode(c.Salvaged)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decode(out); err != nil {
		t.Fatalf("the salvaged state does not decode: %v", err)
	}
	return c.Salvaged, c.Reset
}

func hasReset(resets []string, want string) bool {
	return slices.ContainsFunc(resets, func(r string) bool { return strings.Contains(r, want) })
}

func TestSalvageWrongTypedSeenSet(t *testing.T) {
	_, data := salvageFixture(t)
	var top map[string]any
	json.Unmarshal(data, &top)
	kids := top["accounts"].([]any)[0].(map[string]any)["children"].([]any)
	kids[0].(map[string]any)["seen"].(map[string]any)["grades"] = "garbage"
	data, _ = json.Marshal(top)

	s, resets := mustSalvage(t, data)
	if len(s.Accounts) != 1 || len(s.Accounts[0].Children) != 2 || s.Settings.Language != "en" ||
		len(s.History) != 5 || len(s.Outbox) != 1 {
		t.Fatalf("salvaged %v: accounts, settings, outbox and history must survive", s)
	}
	anna, daan := s.Accounts[0].Children[0].Seen[KindGrades], s.Accounts[0].Children[1].Seen[KindGrades]
	if anna.Baselined || len(anna.Items) != 0 {
		t.Errorf("the damaged set was kept: baselined %v, %d items (it must re-baseline)", anna.Baselined, len(anna.Items))
	}
	if !daan.Baselined || len(daan.Items) != 50 {
		t.Errorf("a sound set was lost: baselined %v, %d items", daan.Baselined, len(daan.Items))
	}
	if len(resets) != 1 || resets[0] != "seen grades of child 11" {
		t.Errorf("resets %q, want the one seen set", resets)
	}
}

// A file cut short inside a seen set keeps what came before; the set that
// was cut starts afresh, not baselined with half its items (that would
// announce the other half as new).
func TestSalvageCutInsideASeenSet(t *testing.T) {
	_, data := salvageFixture(t)
	at := bytes.Index(data, []byte(`"anna25"`))
	if at < 0 {
		t.Fatal("fixture has no item anna25")
	}
	s, resets := mustSalvage(t, data[:at+3])
	if len(s.Accounts) != 1 || s.Accounts[0].Key != "demo/1" || s.Settings.Language != "en" {
		t.Fatalf("salvaged %v: the account and settings must survive", s)
	}
	anna := s.Accounts[0].Children[0].Seen[KindGrades]
	if anna.Baselined || len(anna.Items) != 0 {
		t.Errorf("the set that was cut: baselined %v, %d items; want a fresh set", anna.Baselined, len(anna.Items))
	}
	for _, want := range []string{"seen grades of child 11", "the end of account demo/1", "everything after byte"} {
		if !hasReset(resets, want) {
			t.Errorf("resets %q lack %q", resets, want)
		}
	}
}

// A bad byte in the history costs the history from there on, nothing else.
func TestSalvageBadByteInTheHistory(t *testing.T) {
	_, data := salvageFixture(t)
	at := bytes.Index(data, []byte(`"id":"h3"`))
	bad := slices.Clone(data)
	bad[at+2] = 0
	s, resets := mustSalvage(t, bad)
	if len(s.Accounts) != 1 || len(s.Accounts[0].Children) != 2 || !s.Accounts[0].Children[1].Seen[KindGrades].Baselined ||
		len(s.Outbox) != 1 || len(s.History) != 3 {
		t.Fatalf("salvaged %v, want everything before the bad byte (3 history entries)", s)
	}
	if !hasReset(resets, "everything after byte") {
		t.Errorf("resets %q", resets)
	}
}

func TestSalvageSettingsAndEntriesOneByOne(t *testing.T) {
	_, data := salvageFixture(t)
	var top map[string]any
	json.Unmarshal(data, &top)
	top["settings"].(map[string]any)["interval"] = "banana"
	top["history"].([]any)[1].(map[string]any)["created"] = 42
	top["health"] = []int{1}
	data, _ = json.Marshal(top)
	s, resets := mustSalvage(t, data)
	if s.Settings.Interval != 0 || s.Settings.Language != "en" || len(s.History) != 4 || len(s.Accounts) != 1 {
		t.Fatalf("salvaged %v", s)
	}
	for _, want := range []string{`setting "interval"`, "1 entries of the history", "the health of the last check"} {
		if !hasReset(resets, want) {
			t.Errorf("resets %q lack %q", resets, want)
		}
	}
}

func TestNothingToSalvage(t *testing.T) {
	for _, data := range []string{"garbage", `[{"version":1}]`, `{"version":"x","accounts":[]}`, `{"version":99,`} {
		_, err := decode([]byte(data))
		var c *CorruptError
		if errors.As(err, &c) && c.Salvaged != nil {
			t.Errorf("decode(%q) salvaged %v", data, c.Salvaged)
		}
	}
}
