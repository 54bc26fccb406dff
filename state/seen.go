package state

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// seenFile is how a SeenSet is written: items grouped by expiry, each group
// a plain object from id to fingerprint. Objects of strings decode more than
// twice as fast as objects of small objects, which keeps Update within its
// budget at 10,000 items.
type seenFile struct {
	Baselined bool                         `json:"baselined"`
	ByExpiry  map[string]map[string]string `json:"by_expiry,omitempty"`
}

// MarshalJSON implements json.Marshaler.
func (s SeenSet) MarshalJSON() ([]byte, error) {
	f := seenFile{Baselined: s.Baselined}
	if len(s.Items) > 0 {
		f.ByExpiry = map[string]map[string]string{}
		for id, it := range s.Items {
			x := strconv.FormatInt(it.Expires, 10)
			g := f.ByExpiry[x]
			if g == nil {
				g = map[string]string{}
				f.ByExpiry[x] = g
			}
			g[id] = it.Fingerprint
		}
	}
	return json.Marshal(f)
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *SeenSet) UnmarshalJSON(data []byte) error {
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
