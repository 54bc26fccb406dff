package state

import (
	"bytes"
	"reflect"
	"strings"
)

// The history is nearly all of a state file (500 delivered notifications
// against a few kilobytes of accounts and settings), and most saves leave
// it as it was: a check changes seen sets and health. So when a file holds
// the very bytes of the history member the Store decoded last, read
// decodes the rest of the file and takes the history from that decode.
//
// The result must be exactly what decoding the whole file gives, for any
// bytes at all. It is, when:
//   - the history member ,"history":[…] of the last decode is found in the
//     new file, byte for byte;
//   - the file without that member decodes (so it is valid JSON of this
//     schema version, needing no migration);
//   - the member sat between two top-level members of that valid object
//     (depth 1, outside any string, right after a value), so the whole
//     file is valid JSON with one more member;
//   - no other top-level key could be decoded into the history, and every
//     top-level key is one State has, once: a file of any other shape is
//     decoded whole.
// The last decode recorded its history member only under the same
// conditions, so the history it decoded is what those bytes decode to.

// historyKey starts the history member as this package writes it.
const historyKey = `,"history":`

// topKeys are the JSON names of State's fields.
var topKeys = func() map[string]bool {
	keys := map[string]bool{}
	t := reflect.TypeFor[State]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		keys[name] = true
	}
	return keys
}()

// outline is what a scan of a valid JSON object says about its top level.
type outline struct {
	keys  map[string]int // top-level key → count
	plain bool           // every top-level key is one of topKeys, unescaped
	// at reports, for the offset asked about (see scanTop), whether it lies
	// at depth 1, outside strings, right after a member's value.
	at bool
	// hist is the span of the history member, from the comma before its
	// key to the end of its value, when there is one and it is not first.
	histStart, histEnd int
	// healthStart is the offset of the comma before the health member.
	healthStart int
}

// scanTop outlines the top level of data, which must be a valid JSON
// object (callers decode it first): on anything else the outline is
// meaningless, though the scan is safe. at is an offset to report on (see
// outline.at), or -1.
func scanTop(data []byte, at int) outline {
	o := outline{keys: map[string]int{}, plain: true, histStart: -1, healthStart: -1}
	depth := 0
	afterValue := false // at depth 1: the last token ended a member's value
	expectKey := false  // at depth 1: the next string is a key
	lastComma := -1     // offset of the last comma at depth 1
	inHist := false
	for i := 0; i < len(data); i++ {
		if i == at {
			o.at = depth == 1 && afterValue
		}
		switch c := data[i]; c {
		case '"':
			j, escaped := stringEnd(data, i)
			if depth == 1 && expectKey {
				inHist = o.key(string(data[i+1:j]), escaped, lastComma) || inHist
				expectKey = false
			} else if depth == 1 {
				afterValue = true
			}
			i = j
		case '{', '[':
			depth++
			if depth == 1 {
				expectKey = true
			}
		case '}', ']':
			depth--
			if depth == 1 {
				afterValue = true
			}
		case ',':
			if depth == 1 {
				if inHist {
					o.histEnd, inHist = i, false
				}
				lastComma, afterValue, expectKey = i, false, true
			}
		case ':':
			if depth == 1 {
				afterValue = false
			}
		case ' ', '\t', '\r', '\n':
		default: // numbers, true, false, null
			if depth == 1 {
				afterValue = true
			}
		}
		if depth == 0 && inHist {
			o.histEnd, inHist = i, false
		}
	}
	if i := len(data); i == at {
		o.at = false
	}
	return o
}

// key records a top-level key whose member starts at comma, and reports
// whether it starts the history member.
func (o *outline) key(name string, escaped bool, comma int) (history bool) {
	o.keys[name]++
	if escaped || !topKeys[name] {
		o.plain = false
	}
	if comma < 0 {
		return false
	}
	if name == "history" && o.histStart < 0 {
		o.histStart = comma
		return true
	}
	if name == "health" && o.healthStart < 0 {
		o.healthStart = comma
	}
	return false
}

// stringEnd is the offset of the quote that ends the JSON string starting
// at data[i] in valid JSON, and whether the string has escapes. In a
// string that does not end, it is len(data).
func stringEnd(data []byte, i int) (end int, escaped bool) {
	for j := i + 1; j < len(data); {
		k := bytes.IndexByte(data[j:], '"')
		if k < 0 {
			break
		}
		k += j
		if bytes.IndexByte(data[j:k], '\\') < 0 {
			return k, escaped
		}
		escaped = true
		// The quote ends the string unless an odd number of backslashes
		// escapes it.
		n := 0
		for p := k - 1; p > i && data[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return k, true
		}
		j = k + 1
	}
	return len(data), escaped || bytes.IndexByte(data[min(i+1, len(data)):], '\\') >= 0
}

// historyMember is the span of the history member of data, a file that
// decoded, when the history may be reused from it (see above).
func historyMember(data []byte) []byte {
	_, m := historyAt(data)
	return m
}

// historyAt is historyMember and where it starts in data.
func historyAt(data []byte) (int, []byte) {
	// A file of an older version was migrated: its history may not be
	// what the same bytes give in a file of this version.
	if v, err := peekVersion(data); err != nil || v != SchemaVersion {
		return 0, nil
	}
	o := scanTop(data, -1)
	if !o.plain || o.histStart < 0 || o.histEnd <= o.histStart {
		return 0, nil
	}
	for k, n := range o.keys {
		if n > 1 || strings.EqualFold(k, "history") && k != "history" {
			return 0, nil
		}
	}
	m := bytes.TrimRight(data[o.histStart:o.histEnd], " \t\r\n")
	if !bytes.HasPrefix(m, []byte(historyKey)) {
		return 0, nil
	}
	return o.histStart, m
}

// reuseHistory decodes data when it holds the history member of last, and
// reports false when it does not or may not (see above).
func (last *decoded) reuseHistory(data []byte) (*State, bool) {
	if len(last.hist) == 0 {
		return nil, false
	}
	i := bytes.Index(data, []byte(historyKey))
	if i < 0 || !bytes.HasPrefix(data[i:], last.hist) {
		return nil, false
	}
	st, ok := decodeWithout(data, i, last.hist)
	if !ok {
		return nil, false
	}
	st.History = cloneEach(last.st.History, Entry.clone)
	return st, true
}

// decodeSplit decodes a file whose history member decodeEntries reads
// (entries.go): the history by decodeEntries, the rest by encoding/json.
// A member decodeEntries accepts is valid JSON, so the conditions above
// make this what decoding the whole file gives, as for a reused history.
// It returns the member too, for a later read to reuse.
func decodeSplit(data []byte) (*State, []byte, bool) {
	i, m := historyAt(data)
	if m == nil {
		return nil, nil, false
	}
	hist, ok := decodeEntries(m[len(historyKey):])
	if !ok {
		return nil, nil, false
	}
	st, ok := decodeWithout(data, i, m)
	if !ok {
		return nil, nil, false
	}
	st.History = hist
	return st, m, true
}

// decodeWithout decodes data without the history member m at i, when the
// rest decodes to what the whole file decodes to but for the history (see
// above), and reports false when it does not or may not.
func decodeWithout(data []byte, i int, m []byte) (*State, bool) {
	rest := make([]byte, 0, len(data)-len(m))
	rest = append(append(rest, data[:i]...), data[i+len(m):]...)
	// Without migrations, decodeStrict refuses any other schema version.
	st, err := decodeStrict(rest, SchemaVersion, nil)
	if err != nil {
		return nil, false
	}
	o := scanTop(rest, i)
	if !o.at || !o.plain {
		return nil, false
	}
	for k, n := range o.keys {
		if n > 1 || strings.EqualFold(k, "history") {
			return nil, false
		}
	}
	return st, true
}
