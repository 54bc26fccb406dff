package state

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Decoding a full history with encoding/json takes milliseconds: it scans
// every byte twice and goes through reflection for each field of 500
// entries, which made `status` on a state with a full history 4.6 times as
// slow as a hello world. The history is written in one shape only
// (json.Marshal of each entry, encode.go), and decodeEntries reads that
// shape directly. It reads a subset of JSON: no whitespace, only Entry's
// own keys as json.Marshal spells them, each at most once, and strings with
// the escapes JSON has. On anything else it declines, and the file is
// decoded by encoding/json as before. Where it accepts, the result is what
// json.Unmarshal gives (FuzzDecodeEntries, TestDecodeEntriesTakesAppFiles).

// decodeEntries decodes a JSON array of entries, reporting false when data
// is not in the shape it reads.
func decodeEntries(data []byte) ([]Entry, bool) {
	r := entryReader{data: data}
	if !r.next('[') {
		return nil, false
	}
	// "[]" decodes to an empty slice, not nil. Room for what the app
	// writes; a larger file (not the app's) grows it.
	out := make([]Entry, 0, min(len(data)/256, HistoryLimit))
	if r.next(']') {
		return out, r.end()
	}
	for {
		out = append(out, Entry{})
		if !r.entry(&out[len(out)-1]) {
			return nil, false
		}
		if r.next(',') {
			continue
		}
		return out, r.next(']') && r.end()
	}
}

type entryReader struct {
	data []byte
	i    int
}

// next consumes c if it comes next.
func (r *entryReader) next(c byte) bool {
	if r.i < len(r.data) && r.data[r.i] == c {
		r.i++
		return true
	}
	return false
}

func (r *entryReader) end() bool { return r.i == len(r.data) }

// entry reads one object into e, which is the zero Entry.
func (r *entryReader) entry(e *Entry) bool {
	if !r.next('{') {
		return false
	}
	if r.next('}') {
		return true
	}
	var have uint32
	for {
		key, ok := r.key()
		if !ok || !r.next(':') {
			return false
		}
		bit, ok := r.field(e, key)
		if !ok || have&bit != 0 {
			return false
		}
		have |= bit
		if r.next(',') {
			continue
		}
		return r.next('}')
	}
}

// key reads an object key without escapes.
func (r *entryReader) key() ([]byte, bool) {
	raw, ok := r.plain()
	return raw[1 : len(raw)-1], ok
}

// plain reads a string without escapes or control characters and returns
// it quoted, as it stands.
func (r *entryReader) plain() ([]byte, bool) {
	start := r.i
	if !r.next('"') {
		return []byte(`""`), false
	}
	for r.i < len(r.data) {
		c := r.data[r.i]
		r.i++
		if c == '"' {
			return r.data[start:r.i], true
		}
		if c == '\\' || c < ' ' {
			return []byte(`""`), false
		}
	}
	return []byte(`""`), false
}

// field reads the value of key into e and returns the key's bit, or false
// for a key that is not one of Entry's as json.Marshal writes them.
func (r *entryReader) field(e *Entry, key []byte) (uint32, bool) {
	switch string(key) {
	case "id":
		return 1 << 0, r.string(&e.ID)
	case "kind":
		return 1 << 1, r.string(&e.Kind)
	case "account":
		return 1 << 2, r.string(&e.Account)
	case "child_id":
		return 1 << 3, r.int(&e.ChildID)
	case "child":
		return 1 << 4, r.string(&e.Child)
	case "title":
		return 1 << 5, r.string(&e.Title)
	case "body":
		return 1 << 6, r.string(&e.Body)
	case "url":
		return 1 << 7, r.string(&e.URL)
	case "urgent":
		return 1 << 8, r.bool(&e.Urgent)
	case "created":
		return 1 << 9, r.time(&e.Created)
	case "not_before":
		return 1 << 10, r.time(&e.NotBefore)
	case "lease_owner":
		return 1 << 11, r.string(&e.LeaseOwner)
	case "lease_until":
		return 1 << 12, r.time(&e.LeaseUntil)
	case "attempts":
		return 1 << 13, r.int(&e.Attempts)
	case "next_attempt":
		return 1 << 14, r.time(&e.NextAttempt)
	case "last_error":
		return 1 << 15, r.string(&e.LastError)
	case "delivered":
		return 1 << 16, r.time(&e.Delivered)
	case "batch":
		return 1 << 17, r.string(&e.Batch)
	case "item":
		return 1 << 18, r.string(&e.Item)
	case "change":
		return 1 << 19, r.string(&e.Change)
	case "done":
		return 1 << 20, r.strings(&e.Done)
	}
	return 0, false
}

// string reads a JSON string. Invalid UTF-8 and escaped surrogates that do
// not pair up are declined: encoding/json replaces them, and is left to.
func (r *entryReader) string(dst *string) bool {
	if !r.next('"') {
		return false
	}
	start := r.i
	for r.i < len(r.data) {
		switch c := r.data[r.i]; {
		case c == '"':
			s := r.data[start:r.i]
			r.i++
			if !utf8.Valid(s) {
				return false
			}
			*dst = string(s)
			return true
		case c == '\\':
			return r.escaped(start, dst)
		case c < ' ':
			return false
		}
		r.i++
	}
	return false
}

// escaped finishes a string that has an escape at r.i.
func (r *entryReader) escaped(start int, dst *string) bool {
	b := make([]byte, 0, r.i-start+64)
	b = append(b, r.data[start:r.i]...)
	for r.i < len(r.data) {
		c := r.data[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(b) {
				return false
			}
			*dst = string(b)
			return true
		case c < ' ':
			return false
		case c != '\\':
			b = append(b, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.data) {
			return false
		}
		r.i += 2
		switch r.data[r.i-1] {
		case '"', '\\', '/':
			b = append(b, r.data[r.i-1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			rr, ok := r.hex4()
			if !ok {
				return false
			}
			if utf16.IsSurrogate(rr) {
				if !r.next('\\') || !r.next('u') {
					return false
				}
				lo, ok := r.hex4()
				if rr = utf16.DecodeRune(rr, lo); !ok || rr == utf8.RuneError {
					return false
				}
			}
			b = utf8.AppendRune(b, rr)
		default:
			return false
		}
	}
	return false
}

// hex4 reads the four hex digits of a \u escape.
func (r *entryReader) hex4() (rune, bool) {
	if r.i+4 > len(r.data) {
		return 0, false
	}
	var v rune
	for _, c := range r.data[r.i : r.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | rune(c)
	}
	r.i += 4
	return v, true
}

// int reads an integer: JSON's digits, without a fraction or exponent, in
// the range of int.
func (r *entryReader) int(dst *int) bool {
	start := r.i
	r.next('-')
	digits := r.i
	for r.i < len(r.data) && '0' <= r.data[r.i] && r.data[r.i] <= '9' {
		r.i++
	}
	if r.i == digits || r.data[digits] == '0' && r.i-digits > 1 {
		return false
	}
	n, err := strconv.ParseInt(string(r.data[start:r.i]), 10, strconv.IntSize)
	if err != nil {
		return false
	}
	*dst = int(n)
	return true
}

func (r *entryReader) bool(dst *bool) bool {
	switch {
	case r.literal("true"):
		*dst = true
	case r.literal("false"):
		*dst = false
	default:
		return false
	}
	return true
}

// literal consumes s if it comes next.
func (r *entryReader) literal(s string) bool {
	if len(r.data)-r.i < len(s) || string(r.data[r.i:r.i+len(s)]) != s {
		return false
	}
	r.i += len(s)
	return true
}

// time reads a time as encoding/json does: time.Time's UnmarshalJSON gets
// the quoted string as it stands (one with escapes is no time it reads).
func (r *entryReader) time(dst interface{ UnmarshalJSON([]byte) error }) bool {
	raw, ok := r.plain()
	return ok && dst.UnmarshalJSON(raw) == nil
}

// strings reads an array of strings; "[]" is an empty slice, not nil.
func (r *entryReader) strings(dst *[]string) bool {
	if !r.next('[') {
		return false
	}
	out := []string{}
	if !r.next(']') {
		for {
			var s string
			if !r.string(&s) {
				return false
			}
			out = append(out, s)
			if r.next(',') {
				continue
			}
			if !r.next(']') {
				return false
			}
			break
		}
	}
	*dst = out
	return true
}
