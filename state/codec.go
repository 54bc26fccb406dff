package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrNewerVersion is returned when the state file was written by a newer
// version of the app. Such a file is never overwritten.
var ErrNewerVersion = errors.New("state file is from a newer version of magister-notify")

// CorruptError says why a state file could not be decoded.
type CorruptError struct {
	Reason string
	// Salvaged is what could still be read of the file, or nil when nothing
	// could; Reset lists what of it could not (see Quarantine).
	Salvaged *State
	Reset    []string
}

func (e *CorruptError) Error() string { return "state file is damaged: " + e.Reason }

// NewerVersionError describes a state file from the future.
type NewerVersionError struct {
	Version int
}

func (e *NewerVersionError) Error() string {
	return fmt.Sprintf("state file has schema version %d but this magister-notify understands up to %d: "+
		"update magister-notify (the file is left untouched)", e.Version, SchemaVersion)
}

// Is makes errors.Is(err, ErrNewerVersion) true.
func (e *NewerVersionError) Is(target error) bool { return target == ErrNewerVersion }

// migration upgrades the raw top-level object of a state file from version n
// to n+1 in place.
type migration func(map[string]json.RawMessage) error

// migrations maps a version to the step that upgrades it to the next one.
// Version 1 is the first released schema, so the table is empty; a change to
// the schema that renames or reshapes a field adds its step here.
var migrations = map[int]migration{}

// decode parses a state file of this build's schema, upgrading older ones.
// The history of a file this package wrote is read by decodeEntries, the
// rest by encoding/json; any other file is decoded whole by encoding/json
// (see decodeSplit).
func decode(data []byte) (*State, error) {
	st, _, err := decodeMember(data)
	return st, err
}

// decodeMember is decode, and the history member of data when a later file
// may take its history from this decode (see historyMember).
func decodeMember(data []byte) (*State, []byte, error) {
	if st, m, ok := decodeSplit(data); ok {
		return st, m, nil
	}
	st, err := decodeWhole(data)
	if err != nil {
		return nil, nil, err
	}
	return st, historyMember(data), nil
}

// decodeWhole is decode by encoding/json alone.
func decodeWhole(data []byte) (*State, error) { return decodeAt(data, SchemaVersion, migrations) }

// decodeAt parses a state file for a build whose schema is current,
// upgrading older versions with migs. A damaged file gives a *CorruptError
// carrying what could be salvaged.
func decodeAt(data []byte, current int, migs map[int]migration) (*State, error) {
	s, err := decodeStrict(data, current, migs)
	var corrupt *CorruptError
	if errors.As(err, &corrupt) {
		corrupt.Salvaged, corrupt.Reset = salvage(data, current, migs)
	}
	return s, err
}

// decodeStrict parses a state file that is whole and sound.
func decodeStrict(data []byte, current int, migs map[int]migration) (*State, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &CorruptError{Reason: "the file is empty"}
	}
	version, err := peekVersion(data)
	if err != nil {
		return nil, err
	}
	if version > current {
		return nil, &NewerVersionError{Version: version}
	}
	if version < current {
		if data, err = migrate(data, version, current, migs); err != nil {
			return nil, err
		}
	}
	s := new(State)
	if err := json.Unmarshal(data, s); err != nil {
		return nil, &CorruptError{Reason: describeJSONError(err)}
	}
	if err := s.validate(); err != nil {
		return nil, &CorruptError{Reason: err.Error()}
	}
	return s, nil
}

// peekVersion reads the schema version without decoding the whole file when
// "version" comes first, as it does in every file this package writes.
func peekVersion(data []byte) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return 0, &CorruptError{Reason: describeJSONError(err)}
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		if tok == nil {
			return 0, &CorruptError{Reason: "the file holds null instead of an object"}
		}
		return 0, &CorruptError{Reason: "the file does not hold an object (wrong type)"}
	}
	var raw json.RawMessage
	if tok, err = dec.Token(); err == nil && tok == "version" {
		if err := dec.Decode(&raw); err != nil {
			return 0, &CorruptError{Reason: describeJSONError(err)}
		}
	} else {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			return 0, &CorruptError{Reason: describeJSONError(err)}
		}
		var ok bool
		if raw, ok = top["version"]; !ok {
			return 0, &CorruptError{Reason: "the file has no schema version"}
		}
	}
	var version int
	if err := json.Unmarshal(raw, &version); err != nil || version < 1 {
		return 0, &CorruptError{Reason: fmt.Sprintf("the schema version %s is not a positive whole number", truncate(string(raw), 20))}
	}
	return version, nil
}

// migrate upgrades data from schema version from to current, one step at a time.
func migrate(data []byte, from, current int, migs map[int]migration) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, &CorruptError{Reason: describeJSONError(err)}
	}
	for v := from; v < current; v++ {
		step, ok := migs[v]
		if !ok {
			return nil, fmt.Errorf("state: no migration from schema version %d", v)
		}
		if err := step(top); err != nil {
			return nil, &CorruptError{Reason: fmt.Sprintf("cannot upgrade from schema version %d: %v", v, err)}
		}
	}
	top["version"] = json.RawMessage(fmt.Sprint(current))
	out, err := json.Marshal(top)
	if err != nil {
		return nil, fmt.Errorf("state: re-encode after migration: %w", err)
	}
	return out, nil
}

// validate rejects values that decode but cannot be right.
func (s *State) validate() error {
	for _, a := range s.Accounts {
		for kind, set := range a.Seen {
			if set == nil {
				return fmt.Errorf("seen set %q of account %q is null", kind, a.Key)
			}
		}
		for _, c := range a.Children {
			for kind, set := range c.Seen {
				if set == nil {
					return fmt.Errorf("seen set %q of child %d is null", kind, c.ID)
				}
			}
		}
	}
	if d := s.Settings.Interval; d < 0 {
		return fmt.Errorf("interval %v is negative", d)
	}
	return nil
}

func encode(s *State) ([]byte, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("state: encode: %w", err)
	}
	return append(data, '\n'), nil
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && strings.Contains(syn.Error(), "unexpected end"):
		return "the file ends too early (truncated)"
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type (%s where %s was expected)", typ.Field, typ.Value, typ.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the file ends too early (truncated)"
	}
	return err.Error()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
