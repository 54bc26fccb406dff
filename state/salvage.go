package state

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// salvage reads what it can of a state file that did not decode. Each part
// is read on its own — the settings field by field, each account and child,
// each seen set, each waiting and delivered notification — so that damage
// to one part costs only that part. Damage to the JSON itself (a bad byte, a
// file cut short) costs what comes after it: the file is read up to there.
//
// A seen set that was damaged, or cut short, is reset to not baselined, so
// the next check takes it as a silent baseline rather than announcing what
// it forgot. salvage returns the state and what it reset, or nil when not
// even the schema version can be read.
func salvage(data []byte, current int, migs map[int]migration) (*State, []string) {
	var r salvager
	lostAfter := -1
	if !json.Valid(data) {
		fixed, at, cut, ok := cutDamage(data)
		if !ok {
			return nil, nil
		}
		data, r.cut, lostAfter = fixed, cut, at
	}
	version, err := peekVersion(data)
	if err != nil || version > current {
		return nil, nil
	}
	if version < current {
		if data, err = migrate(data, version, current, migs); err != nil {
			return nil, nil
		}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, nil
	}
	s := newState()
	r.settings(top["settings"], &s.Settings)
	s.Accounts = r.accounts(top["accounts"])
	s.Outbox = r.entries(top["outbox"], "outbox", "the outbox", "waiting notifications")
	s.History = r.entries(top["history"], "history", "the history", "entries of the history")
	r.whole(top["health"], &s.Health, "the health of the last check", "health")
	r.whole(top["read_until"], &s.ReadUntil, "the moment the history was last read", "read_until")
	r.whole(top["quarantined"], &s.Quarantined, "the earlier quarantine records", "quarantined")
	if lostAfter >= 0 {
		r.reset("everything after byte %d", lostAfter)
	}
	if s.validate() != nil {
		return nil, nil
	}
	return s, r.resets
}

// salvager collects what salvage had to reset.
type salvager struct {
	// cut is the path (member names and array indices) of the innermost
	// container that damage to the JSON cut short; everything on that path
	// was read only in part.
	cut    []string
	resets []string
}

func (r *salvager) reset(format string, args ...any) {
	r.resets = append(r.resets, fmt.Sprintf(format, args...))
}

// wasCut reports whether the part at path was read only in part.
func (r *salvager) wasCut(path ...string) bool {
	return len(path) <= len(r.cut) && slices.Equal(path, r.cut[:len(path)])
}

// whole decodes a part that is kept whole or not at all.
func (r *salvager) whole(raw json.RawMessage, v any, what string, path ...string) bool {
	if raw == nil {
		return true
	}
	if r.wasCut(path...) {
		r.reset("%s", what)
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		r.reset("%s", what)
		return false
	}
	return true
}

// fields decodes the members of the object raw into v one at a time, except
// those named in skip, so that a damaged member costs only itself. It
// returns the members that did not decode, and false when raw is not an
// object at all.
func fields(raw json.RawMessage, v any, skip ...string) (obj map[string]json.RawMessage, bad []string, ok bool) {
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		return nil, nil, false
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if !slices.Contains(skip, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		one, err := json.Marshal(map[string]json.RawMessage{k: obj[k]})
		if err != nil || json.Unmarshal(one, v) != nil {
			bad = append(bad, k)
		}
	}
	return obj, bad, true
}

func (r *salvager) settings(raw json.RawMessage, set *Settings) {
	if raw == nil {
		return
	}
	if r.wasCut("settings") {
		r.reset("the settings")
		return
	}
	_, bad, ok := fields(raw, set)
	if !ok {
		r.reset("the settings")
		return
	}
	if set.Interval < 0 {
		set.Interval = 0
		bad = append(bad, "interval")
	}
	for _, k := range bad {
		r.reset("setting %q", k)
	}
}

func (r *salvager) accounts(raw json.RawMessage) []Account {
	if raw == nil {
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		r.reset("the accounts")
		return nil
	}
	var out []Account
	for i, one := range list {
		if a, ok := r.account(one, "accounts", strconv.Itoa(i)); ok {
			out = append(out, a)
		} else {
			r.reset("account #%d", i+1)
		}
	}
	return out
}

// account reads one account. It is kept when its key can be read: that is
// what its tokens are stored under.
func (r *salvager) account(raw json.RawMessage, path ...string) (Account, bool) {
	var a Account
	obj, bad, ok := fields(raw, &a, "seen", "children")
	if !ok || a.Key == "" {
		return Account{}, false
	}
	who := "account " + a.Key
	for _, k := range bad {
		r.reset("field %q of %s", k, who)
	}
	if kids, ok := obj["children"]; ok {
		var list []json.RawMessage
		if json.Unmarshal(kids, &list) != nil {
			r.reset("the children of %s", who)
		}
		for i, one := range list {
			if c, ok := r.child(one, slices.Concat(path, []string{"children", strconv.Itoa(i)})...); ok {
				a.Children = append(a.Children, c)
			} else {
				r.reset("child #%d of %s", i+1, who)
			}
		}
	}
	a.Seen = r.seen(obj["seen"], who, slices.Concat(path, []string{"seen"})...)
	if r.wasCut(path...) {
		// Its children come before its own fields end: some may be missing.
		r.reset("the end of %s (sign in again should a child be missing)", who)
	}
	return a, true
}

// child reads one child; it is kept when its id can be read.
func (r *salvager) child(raw json.RawMessage, path ...string) (Child, bool) {
	var c Child
	obj, bad, ok := fields(raw, &c, "seen")
	if !ok || c.ID == 0 {
		return Child{}, false
	}
	who := "child " + strconv.Itoa(c.ID)
	for _, k := range bad {
		r.reset("field %q of %s", k, who)
	}
	c.Seen = r.seen(obj["seen"], who, slices.Concat(path, []string{"seen"})...)
	return c, true
}

// seen reads the seen sets of one account or child. A set that is damaged,
// null or cut short starts afresh, not baselined.
func (r *salvager) seen(raw json.RawMessage, who string, path ...string) map[string]*SeenSet {
	if raw == nil {
		return nil
	}
	var sets map[string]json.RawMessage
	if json.Unmarshal(raw, &sets) != nil {
		r.reset("everything seen of %s", who)
		return nil
	}
	out := make(map[string]*SeenSet, len(sets))
	kinds := make([]string, 0, len(sets))
	for kind := range sets {
		kinds = append(kinds, kind)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		set := new(SeenSet)
		if r.wasCut(slices.Concat(path, []string{kind})...) || string(sets[kind]) == "null" || json.Unmarshal(sets[kind], set) != nil {
			r.reset("seen %s of %s", kind, who)
			set = &SeenSet{}
		}
		if set.Items == nil {
			set.Items = map[string]SeenItem{}
		}
		out[kind] = set
	}
	return out
}

// entries reads the outbox or the history entry by entry; an entry that is
// damaged or cut short is dropped.
func (r *salvager) entries(raw json.RawMessage, name, whole, each string) []Entry {
	if raw == nil {
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		r.reset("%s", whole)
		return nil
	}
	var out []Entry
	dropped := 0
	for i, one := range list {
		var e Entry
		if r.wasCut(name, strconv.Itoa(i)) || json.Unmarshal(one, &e) != nil {
			dropped++
			continue
		}
		out = append(out, e)
	}
	if dropped > 0 {
		r.reset("%d %s", dropped, each)
	}
	return out
}

// maxDepth bounds how deeply cutDamage follows nested containers; a state
// file nests six deep.
const maxDepth = 64

// cutDamage finds where data stops being JSON (a bad byte, or the end of a
// file cut short) and returns the document up to the last complete value
// before that point, with the brackets that were open closed, so that it
// decodes. It also returns the offset of the damage and the path of the
// innermost container that was cut short. ok is false when data does not
// start with an object.
func cutDamage(data []byte) (fixed []byte, at int, cut []string, ok bool) {
	type frame struct {
		obj   bool
		first bool   // nothing read yet
		want  byte   // 'k' key, ':' colon, 'v' value, ',' comma or end
		key   string // the member being read
		n     int    // elements complete (arrays)
		safe  int    // offset just after the last complete member or element
		path  []string
	}
	var stack []*frame
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, 0, nil, false
	}
	stack = append(stack, &frame{obj: true, first: true, want: 'k', safe: i + 1})
	i++
	// done marks the value that ends at end complete in the innermost frame.
	done := func(end int) {
		top := stack[len(stack)-1]
		top.safe, top.want, top.first = end, ',', false
		if !top.obj {
			top.n++
		}
	}
	push := func(obj bool, at int) bool {
		if len(stack) >= maxDepth {
			return false
		}
		top := stack[len(stack)-1]
		name := top.key
		if !top.obj {
			name = strconv.Itoa(top.n)
		}
		path := slices.Concat(top.path, []string{name})
		want := byte('v')
		if obj {
			want = 'k'
		}
		stack = append(stack, &frame{obj: obj, first: true, want: want, safe: at + 1, path: path})
		return true
	}
scan:
	for {
		i = skipSpace(data, i)
		if i >= len(data) {
			break
		}
		top := stack[len(stack)-1]
		c := data[i]
		switch {
		case top.want == 'k' && c == '}' && top.first, top.want == 'v' && !top.obj && c == ']' && top.first,
			top.want == ',' && (top.obj && c == '}' || !top.obj && c == ']'):
			stack = stack[:len(stack)-1]
			i++
			if len(stack) == 0 {
				// The document is complete; only what follows it is damaged.
				return data[:i], i, nil, true
			}
			done(i)
		case top.want == 'k':
			s, end, ok := scanString(data, i)
			if !ok {
				break scan
			}
			top.key, top.want, i = s, ':', end
		case top.want == ':' && c == ':':
			top.want = 'v'
			i++
		case top.want == ',' && c == ',':
			top.want = 'k'
			if !top.obj {
				top.want = 'v'
			}
			i++
		case top.want == 'v' && (c == '{' || c == '['):
			if !push(c == '{', i) {
				break scan
			}
			i++
		case top.want == 'v' && c == '"':
			_, end, ok := scanString(data, i)
			if !ok {
				break scan
			}
			done(end)
			i = end
		case top.want == 'v':
			end := i
			for end < len(data) && !isDelim(data[end]) {
				end++
			}
			// A number or literal running into the end of the data may have
			// been cut short itself.
			if end == len(data) || !json.Valid(data[i:end]) {
				break scan
			}
			done(end)
			i = end
		default:
			break scan
		}
	}
	inner := stack[len(stack)-1]
	fixed = append([]byte(nil), data[:inner.safe]...)
	for j := len(stack) - 1; j >= 0; j-- {
		if stack[j].obj {
			fixed = append(fixed, '}')
		} else {
			fixed = append(fixed, ']')
		}
	}
	return fixed, i, inner.path, true
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

func isDelim(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"'
}

// scanString reads the JSON string starting at data[i] (a quote) and returns
// its value and the offset after it.
func scanString(data []byte, i int) (string, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			var s string
			if json.Unmarshal(data[i:j+1], &s) != nil {
				return "", i, false
			}
			return s, j + 1, true
		}
	}
	return "", i, false
}
