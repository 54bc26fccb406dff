package state

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"
)

// A SeenSet is written as items grouped by expiry, each group a plain object
// from id to fingerprint:
//
//	{"baselined":true,"by_expiry":{"1785535200":{"123":"7,5","124":"8,0"}}}
//
// Sets are the bulk of the state (a child easily has thousands of items), so
// they have a hand-written encoder: encoding/json spends most of an Update
// building and sorting maps otherwise. Decoding goes through encoding/json,
// with objects of strings rather than objects of objects.
type seenFile struct {
	Baselined bool                         `json:"baselined"`
	ByExpiry  map[string]map[string]string `json:"by_expiry,omitempty"`
}

// MarshalJSON implements json.Marshaler. Groups are written in expiry
// order; ids within a group in map order (sorting 10,000 ids cost a third of
// an Update).
func (s SeenSet) MarshalJSON() ([]byte, error) {
	groups := map[int64][]string{}
	for id, it := range s.Items {
		groups[it.Expires] = append(groups[it.Expires], id)
	}
	exps := make([]int64, 0, len(groups))
	for x := range groups {
		exps = append(exps, x)
	}
	slices.Sort(exps)
	buf := make([]byte, 0, 32+len(s.Items)*24)
	buf = append(buf, `{"baselined":`...)
	buf = strconv.AppendBool(buf, s.Baselined)
	if len(exps) > 0 {
		buf = append(buf, `,"by_expiry":{`...)
		for gi, x := range exps {
			if gi > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '"')
			buf = strconv.AppendInt(buf, x, 10)
			buf = append(buf, `":{`...)
			for i, id := range groups[x] {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = appendString(buf, id)
				buf = append(buf, ':')
				buf = appendString(buf, s.Items[id].Fingerprint)
			}
			buf = append(buf, '}')
		}
		buf = append(buf, '}')
	}
	return append(buf, '}'), nil
}

// appendString appends s as a JSON string. Plain text is copied as it is;
// anything that needs escaping goes through encoding/json.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			q, _ := json.Marshal(s)
			return append(buf, q...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

// UnmarshalJSON implements json.Unmarshaler. What MarshalJSON wrote is read
// by a small scanner; anything else (hand-edited, escaped strings) by
// encoding/json.
func (s *SeenSet) UnmarshalJSON(data []byte) error {
	if set, ok := scanSeen(data); ok {
		*s = set
		return nil
	}
	var f seenFile
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	n := 0
	for _, g := range f.ByExpiry {
		n += len(g)
	}
	s.Baselined = f.Baselined
	s.Items = make(map[string]SeenItem, n)
	for x, g := range f.ByExpiry {
		exp, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return fmt.Errorf("seen expiry %q is not a number", x)
		}
		for id, fp := range g {
			s.Items[id] = SeenItem{Fingerprint: fp, Expires: exp}
		}
	}
	return nil
}

// scanSeen reads exactly the form MarshalJSON writes for plain strings. It
// reports false for anything else, and the caller falls back.
func scanSeen(b []byte) (SeenSet, bool) {
	var s SeenSet
	p := scanner{b: b}
	if !p.lit(`{"baselined":`) {
		return s, false
	}
	switch {
	case p.lit("true"):
		s.Baselined = true
	case p.lit("false"):
	default:
		return s, false
	}
	s.Items = map[string]SeenItem{}
	if p.lit("}") {
		return s, p.i == len(b)
	}
	if !p.lit(`,"by_expiry":{`) {
		return s, false
	}
	for first := true; ; first = false {
		if p.lit("}") {
			break
		}
		if !first && !p.lit(",") {
			return s, false
		}
		xs, ok := p.str()
		if !ok || !p.lit(":{") {
			return s, false
		}
		exp, err := strconv.ParseInt(xs, 10, 64)
		if err != nil {
			return s, false
		}
		for inner := true; ; inner = false {
			if p.lit("}") {
				break
			}
			if !inner && !p.lit(",") {
				return s, false
			}
			id, ok1 := p.str()
			ok2 := p.lit(":")
			fp, ok3 := p.str()
			if !ok1 || !ok2 || !ok3 {
				return s, false
			}
			s.Items[id] = SeenItem{Fingerprint: fp, Expires: exp}
		}
	}
	return s, p.lit("}") && p.i == len(b)
}

type scanner struct {
	b []byte
	i int
}

func (p *scanner) lit(s string) bool {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

// str reads a JSON string without escapes.
func (p *scanner) str() (string, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", false
	}
	for j := p.i + 1; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			s := string(p.b[p.i+1 : j])
			p.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return "", false
		}
	}
	return "", false
}
