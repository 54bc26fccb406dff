package magister

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The decoders below are tolerant in the ways Magister varies: encoding/json
// already matches keys case-insensitively (Items/items, KolomId/kolomId);
// these types add numbers sent as strings, null for anything, and the several
// date-time spellings.

// DecodeError is a response body that could not be read as the expected
// JSON. No data from such a response is returned.
type DecodeError struct {
	// Endpoint is the method and path pattern, e.g.
	// "GET /api/personen/{id}/afspraken".
	Endpoint string
	Err      error
}

// Error names the endpoint and what was wrong with the body.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("magister: %s: malformed response: %v", e.Endpoint, e.Err)
}

// Unwrap returns the underlying decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

var errNoItems = errors.New("no items list in the response")

// decodeItems reads {"Items":[...]}, {"items":[...]} or a bare array into a
// slice of T. An object without an items key is an error, so a changed
// response is never taken for an empty list.
func decodeItems[T any](body []byte) ([]T, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errors.New("empty body")
	}
	var raw []byte
	switch body[0] {
	case '[':
		raw = body
	case '{':
		if raw, found, ok := itemsMember(body); ok {
			if !found {
				return nil, errNoItems
			}
			items, err := unmarshalItems[T](raw)
			var syn *json.SyntaxError
			if !errors.As(err, &syn) {
				return items, err
			}
			// A broken list: the map below says where the body broke.
		}
		var found bool
		var err error
		if raw, found, err = itemsByMap(body); err != nil {
			return nil, err
		}
		if !found {
			return nil, errNoItems
		}
	default:
		return nil, fmt.Errorf("want a JSON object or array, got %q", truncate(string(body[:min(len(body), 16)]), 16))
	}
	return unmarshalItems[T](raw)
}

func unmarshalItems[T any](raw []byte) ([]T, error) {
	var items []T
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, err
	}
	return items, nil
}

// decodeList reads an items list (see decodeItems) of raw records and
// converts each with conv: the one loop behind the list endpoints that keep
// every record they are sent.
func decodeList[R, T any](body []byte, conv func(R) T) ([]T, error) {
	raws, err := decodeItems[R](body)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(raws))
	for _, r := range raws {
		out = append(out, conv(r))
	}
	return out, nil
}

// itemsByMap finds the items list of an object: the value of "Items", else
// of "items", else of a key that differs from those only in case.
func itemsByMap(body []byte) (raw []byte, found bool, err error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, false, err
	}
	for _, k := range []string{"Items", "items"} {
		if v, ok := env[k]; ok {
			return v, true, nil
		}
	}
	for k, v := range env {
		if strings.EqualFold(k, "items") {
			return v, true, nil
		}
	}
	return nil, false, nil
}

// itemsMember finds what itemsByMap finds, without decoding the envelope
// into a map, and without a pass of encoding/json over the list: a check
// reads some 150 KB of responses, and the map took two passes over every
// byte and a copy of the list. It scans the envelope's top level, then
// checks that the envelope with the list replaced by null is valid JSON;
// the caller's decoding of the list checks the list. Both valid means the
// body is, and on a valid body the scan is exact.
//
// It reports ok false for what it leaves to itemsByMap: a body the scan
// or the check finds broken, keys with escapes or non-ASCII bytes (the map
// unescapes them), and two keys that differ from "items" only in case (of
// which the map picks either). Like the map, it takes the last of duplicate
// keys. TestItemsMemberIsItemsByMap holds decodeItems to the map.
func itemsMember(body []byte) (raw []byte, found, ok bool) {
	exact, lower, folded, ok := itemsSpans(body)
	if !ok {
		return nil, false, false
	}
	var span [2]int
	switch {
	case exact[1] > 0:
		span = exact
	case lower[1] > 0:
		span = lower
	case folded[1] > 0:
		span = folded
	default:
		return nil, false, json.Valid(body)
	}
	rest := make([]byte, 0, len(body)-(span[1]-span[0])+4)
	rest = append(append(append(rest, body[:span[0]]...), "null"...), body[span[1]:]...)
	if !json.Valid(rest) {
		return nil, false, false
	}
	return body[span[0]:span[1]], true, true
}

// itemsSpans scans the envelope's top level for the spans of the last
// values of "Items", of "items" and of a key that differs from those only
// in case (zero when there is none), reporting ok false as itemsMember
// does.
func itemsSpans(body []byte) (exact, lower, folded [2]int, ok bool) {
	var foldedKey string
	depth := 0
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			j := stringEnd(body, i)
			if j < 0 {
				return exact, lower, folded, false
			}
			k := j
			for k < len(body) && isSpace(body[k]) {
				k++
			}
			if k >= len(body) || depth != 1 || body[k] != ':' {
				return exact, lower, folded, false // not a key of the envelope: values are skipped below
			}
			str := body[i+1 : j-1]
			for _, b := range str {
				if b == '\\' || b >= 0x80 {
					return exact, lower, folded, false
				}
			}
			start := k + 1
			for start < len(body) && isSpace(body[start]) {
				start++
			}
			end := valueEnd(body, start)
			if end < 0 {
				return exact, lower, folded, false
			}
			span := [2]int{start, end}
			switch key := string(str); {
			case key == "Items":
				exact = span
			case key == "items":
				lower = span
			case strings.EqualFold(key, "items"):
				if folded[1] > 0 && key != foldedKey {
					return exact, lower, folded, false
				}
				folded, foldedKey = span, key
			}
			i = end - 1
		}
	}
	return exact, lower, folded, true
}

// stringEnd is the offset just past the JSON string that starts at
// body[i], or -1 when it does not end.
func stringEnd(body []byte, i int) int {
	for j := i + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// valueEnd is the end of the JSON value that starts at body[start], or -1
// when the body ends first. Only on a valid body is it exact.
func valueEnd(body []byte, start int) int {
	depth := 0
	for i := start; i < len(body); i++ {
		switch c := body[i]; {
		case c == '"':
			j := stringEnd(body, i)
			if j < 0 {
				return -1
			}
			if depth == 0 {
				return j
			}
			i = j - 1
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 {
				return i // a literal's end: the envelope's }
			}
		case depth == 0 && (c == ',' || isSpace(c)):
			return i // a literal's end
		}
	}
	return -1
}

// decodeObject reads one JSON object into T.
func decodeObject[T any](body []byte) (T, error) {
	var v T
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return v, errors.New("want a JSON object")
	}
	err := json.Unmarshal(body, &v)
	return v, err
}

// scalarText is the text of a JSON number that Magister may send bare (7)
// or quoted ("7"): the rule every numeric flex type reads its input by.
// ok is false for null and "", which they all take as missing.
func scalarText(b []byte) (s string, ok bool, err error) {
	s = string(bytes.TrimSpace(b))
	if s == "null" || s == `""` {
		return "", false, nil
	}
	if strings.HasPrefix(s, `"`) {
		if s, err = unquote(b); err != nil {
			return "", false, err
		}
	}
	return s, true, nil
}

// unquote reads the JSON string b (surrounding space allowed) as
// json.Unmarshal does. Almost every string Magister sends is plain ASCII
// without escapes; those are sliced out directly, which spares a check a
// second pass of encoding/json over each of thousands of fields. Anything
// else goes through encoding/json.
func unquote(b []byte) (string, error) {
	b = bytes.Trim(b, " \t\r\n") // JSON's white space, no more
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		in := b[1 : len(b)-1]
		plain := true
		for _, c := range in {
			if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
				plain = false
				break
			}
		}
		if plain {
			return string(in), nil
		}
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// flexInt is an integer sent as a number, a numeric string or null.
type flexInt int

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s, ok, err := scalarText(b)
	if err != nil {
		return err
	}
	if !ok {
		*n = 0
		return nil
	}
	s = strings.TrimSpace(s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return fmt.Errorf("not an integer: %q", truncate(s, 32))
	}
	*n = flexInt(f)
	return nil
}

// flexFloat is a number sent as a number, a string ("2,5" too) or null.
type flexFloat float64

func (n *flexFloat) UnmarshalJSON(b []byte) error {
	var o optFloat
	if err := o.UnmarshalJSON(b); err != nil {
		return err
	}
	*n = 0
	if o.v != nil {
		*n = flexFloat(*o.v)
	}
	return nil
}

// optFloat is a flexFloat that may be missing: null, "" and absent leave it
// nil.
type optFloat struct{ v *float64 }

func (n *optFloat) UnmarshalJSON(b []byte) error {
	s, ok, err := scalarText(b)
	if err != nil {
		return err
	}
	if !ok {
		n.v = nil
		return nil
	}
	f, ok := ParseGradeValue(s)
	if !ok {
		return fmt.Errorf("not a number: %q", truncate(s, 32))
	}
	n.v = &f
	return nil
}

// flexBool is a boolean sent as true/false, "true"/"false", 0/1 or null.
// Null and absent stay nil.
type flexBool struct{ v *bool }

func (x *flexBool) UnmarshalJSON(b []byte) error {
	s := strings.ToLower(strings.Trim(string(bytes.TrimSpace(b)), `"`))
	switch s {
	case "null", "":
		x.v = nil
	case "true", "1":
		t := true
		x.v = &t
	case "false", "0":
		f := false
		x.v = &f
	default:
		return fmt.Errorf("not a boolean: %q", truncate(s, 16))
	}
	return nil
}

func (x flexBool) or(def bool) bool {
	if x.v == nil {
		return def
	}
	return *x.v
}

// flexText is a string that may also arrive as a number, a boolean or null.
type flexText string

func (t *flexText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return err
		}
		*t = flexText(s)
	case b[0] == '{' || b[0] == '[':
		return errors.New("want text, got an object or array")
	default:
		*t = flexText(b)
	}
	return nil
}

// flexTime is a Magister date-time: UTC with or without a Z, with up to 7
// fractional digits, with an offset, or a bare date. Null and "" are zero.
type flexTime time.Time

var timeLayouts = []string{
	time.RFC3339Nano,            // 2026-01-09T08:00:00.0000000Z, +01:00
	"2006-01-02T15:04:05",       // zone-less: UTC; fractions are accepted by the parser
	"2006-01-02T15:04",          // seen in hand-written fixtures
	"2006-01-02",                // dates
	"2006-01-02 15:04:05",       // space instead of T
	"2006-01-02T15:04:05Z07:00", // no fraction
}

func (t *flexTime) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" || s == `""` {
		*t = flexTime{}
		return nil
	}
	if !strings.HasPrefix(s, `"`) {
		return errors.New("date-time is not a string")
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	v, err := parseTime(s)
	if err != nil {
		return err
	}
	*t = flexTime(v)
	return nil
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if v, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return v.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date-time: %q", truncate(s, 40))
}

func (t flexTime) Time() time.Time { return time.Time(t) }

// code is a lookup object that may arrive as {"code":…}, {"Id":…,"Omschrijving":…}
// or as a plain string (Lesperiode "2526").
type code struct {
	ID          int
	Code        string
	Description string
}

func (c *code) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*c = code{}
		return nil
	}
	if b[0] != '{' {
		var t flexText
		if err := json.Unmarshal(b, &t); err != nil {
			return err
		}
		*c = code{Code: string(t)}
		return nil
	}
	var raw struct {
		ID           flexInt  `json:"id"`
		Code         flexText `json:"code"`
		Afkorting    flexText `json:"afkorting"`
		Omschrijving flexText `json:"omschrijving"`
		Naam         flexText `json:"naam"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = code{ID: int(raw.ID), Code: firstNonEmpty(string(raw.Code), string(raw.Afkorting)), Description: firstNonEmpty(string(raw.Omschrijving), string(raw.Naam))}
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// firstTime is the first of ts that is set, for a time Magister sends under
// one of two names (eind or einde, begin or start).
func firstTime(ts ...flexTime) time.Time {
	for _, t := range ts {
		if !t.Time().IsZero() {
			return t.Time()
		}
	}
	return time.Time{}
}

// joinName joins name parts that may be empty: "Jan", "van", "Dijk".
func joinName(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}
