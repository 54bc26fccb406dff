package state

import (
	"maps"
	"slices"
)

// clone is a deep copy of s: changing the copy, down to the last map and
// slice, never changes s (TestCloneSharesNothing holds every field to it).
// It keeps nil and empty apart, as decoding does.
func (s *State) clone() *State {
	c := *s
	c.Settings.Disabled = maps.Clone(s.Settings.Disabled)
	c.Settings.Sinks = slices.Clone(s.Settings.Sinks)
	c.Accounts = cloneEach(s.Accounts, Account.clone)
	c.Outbox = cloneEach(s.Outbox, Entry.clone)
	c.History = cloneEach(s.History, Entry.clone)
	c.Quarantined = cloneEach(s.Quarantined, Quarantine.clone)
	return &c
}

func (a Account) clone() Account {
	a.Children = cloneEach(a.Children, Child.clone)
	a.Seen = cloneSeen(a.Seen)
	a.Fetched = maps.Clone(a.Fetched)
	return a
}

func (c Child) clone() Child {
	c.Seen = cloneSeen(c.Seen)
	c.Fetched = maps.Clone(c.Fetched)
	return c
}

func (e Entry) clone() Entry {
	e.Done = slices.Clone(e.Done)
	return e
}

func (q Quarantine) clone() Quarantine {
	q.Reset = slices.Clone(q.Reset)
	return q
}

func cloneSeen(m map[string]*SeenSet) map[string]*SeenSet {
	if m == nil {
		return nil
	}
	c := make(map[string]*SeenSet, len(m))
	for kind, set := range m {
		if set != nil {
			cp := *set
			cp.Items = maps.Clone(set.Items)
			set = &cp
		}
		c[kind] = set
	}
	return c
}

// cloneEach is a copy of s with every element cloned; nil stays nil.
func cloneEach[T any](s []T, clone func(T) T) []T {
	if s == nil {
		return nil
	}
	c := make([]T, len(s))
	for i, v := range s {
		c[i] = clone(v)
	}
	return c
}
