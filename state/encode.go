package state

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
	"time"
)

// A save encodes the whole state, and the history is nearly all of it; yet
// between two saves at most a few history entries change. entryCache keeps
// each entry's JSON from the last save, so that a save encodes only the
// entries that are new or changed and copies the others. The file is
// byte for byte what json.Marshal writes (TestEncodeIsMarshal).
type entryCache struct {
	mu sync.Mutex
	m  map[entryKey][]byte
}

// entryKey is every field of an Entry, as a map key; Done is written out
// with the length of each name, so that no two lists give the same key
// (nil and empty give the same JSON, and the same key).
// TestEntryKeyHasEveryField fails when Entry gains a field this lacks.
type entryKey struct {
	ID, Kind, Account       string
	ChildID                 int
	Child, Title, Body, URL string
	Urgent                  bool
	Created, NotBefore      time.Time
	LeaseOwner              string
	LeaseUntil              time.Time
	Attempts                int
	NextAttempt             time.Time
	LastError               string
	Delivered               time.Time
	Batch, Item, Change     string
	Done                    string
	doneNil                 bool
}

func keyOf(e *Entry) entryKey {
	k := entryKey{ID: e.ID, Kind: e.Kind, Account: e.Account, ChildID: e.ChildID, Child: e.Child, Title: e.Title,
		Body: e.Body, URL: e.URL, Urgent: e.Urgent, Created: e.Created, NotBefore: e.NotBefore,
		LeaseOwner: e.LeaseOwner, LeaseUntil: e.LeaseUntil, Attempts: e.Attempts, NextAttempt: e.NextAttempt,
		LastError: e.LastError, Delivered: e.Delivered, Batch: e.Batch, Item: e.Item, Change: e.Change}
	if len(e.Done) > 0 {
		var b []byte
		for _, d := range e.Done {
			b = strconv.AppendInt(b, int64(len(d)), 10)
			b = append(append(b, ':'), d...)
		}
		k.Done = string(b)
	}
	return k
}

// encode is json.Marshal of s with a newline, reusing the JSON of history
// entries that the last encode wrote.
func (c *entryCache) encode(s *State) ([]byte, error) {
	if len(s.History) == 0 {
		return encode(s)
	}
	rest := *s
	rest.History = nil
	data, err := encode(&rest)
	if err != nil {
		return encode(s) // the error encoding all of s gives
	}
	// The history is written right before the health, which is always
	// there (State's field order).
	at := scanTop(data, -1).healthStart
	if at < 0 {
		return encode(s)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m
	c.m = make(map[entryKey][]byte, len(s.History))
	var buf bytes.Buffer
	buf.Grow(len(data) + len(s.History)*512)
	buf.Write(data[:at])
	buf.WriteString(historyKey + "[")
	for i := range s.History {
		e := &s.History[i]
		k := keyOf(e)
		js, ok := old[k]
		if !ok {
			if js, err = json.Marshal(e); err != nil {
				c.m = nil
				return encode(s) // says what is wrong with it
			}
		}
		c.m[k] = js
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(js)
	}
	buf.WriteByte(']')
	buf.Write(data[at:])
	return buf.Bytes(), nil
}
