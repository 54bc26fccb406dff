// Package state is the single source of truth shared by the tray and every CLI
// run: one schema-versioned JSON file that can only be changed inside a locked,
// atomic, durable transaction (Store.Update) and read under a shared lock
// (Store.View).
//
// # Retention of seen ids
//
// A seen id is kept until SeenRetention after the last successful fetch that
// returned it, and is only ever forgotten by a successful fetch of its own set
// that did not return it (SeenSet.Keep and SeenSet.Forget). The item's own
// date plays no part: Magister's latest-grades list and inbox hold items from
// earlier school years, and an id forgotten while Magister still returns it
// would be announced again. Time without checks (a laptop closed over the
// summer) forgets nothing, and an id that no fetch has returned for
// SeenRetention is dropped, which keeps the sets bounded by what Magister
// returned in that span. Schedule, test and homework ids expire at their
// appointment's time plus a day; they cannot be returned again after that
// (a check only reads appointments from today on).
package state

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// SchemaVersion is the version of the state file this build writes.
const SchemaVersion = 1

// HistoryLimit is how many delivered notifications the history keeps.
const HistoryLimit = 500

// The kinds of things the app watches. They name seen sets, toggles and
// notifications alike.
const (
	KindGrades   = "grades"
	KindSchedule = "schedule"
	KindTests    = "tests"
	KindHomework = "homework"
	KindMessages = "messages"
	// KindPreview is "tomorrow at a glance": one notification in the
	// evening about the next school day.
	KindPreview = "preview"
)

// Kinds lists every kind in menu order.
var Kinds = []string{KindGrades, KindSchedule, KindTests, KindHomework, KindMessages, KindPreview}

// State is everything the app remembers. Callers get a private copy inside
// View and Update; only Update's copy is ever written back.
type State struct {
	Version  int       `json:"version"`
	Settings Settings  `json:"settings"`
	Accounts []Account `json:"accounts,omitempty"`
	Outbox   []Entry   `json:"outbox,omitempty"`
	History  []Entry   `json:"history,omitempty"`
	Health   Health    `json:"health"`
	// ReadUntil is when the user last marked the history as read (the
	// tray's "Mark all as read"); later entries count as new.
	ReadUntil   time.Time    `json:"read_until,omitzero"`
	Quarantined []Quarantine `json:"quarantined,omitempty"`
}

// Settings are the user's choices. The zero value of each field means "the
// default", so an older file without a field behaves sensibly.
type Settings struct {
	Interval   Duration        `json:"interval,omitempty"`
	QuietHours QuietHours      `json:"quiet_hours"`
	Disabled   map[string]bool `json:"disabled_kinds,omitempty"`
	PauseUntil time.Time       `json:"pause_until,omitzero"`
	Language   string          `json:"language,omitempty"` // "" follows the locale: ResolveLanguage
	Sinks      []string        `json:"sinks,omitempty"`
	LookAhead  Duration        `json:"look_ahead,omitempty"`
	// TestReminder is when to announce a test: "HH:MM" on the day before.
	TestReminder     string   `json:"test_reminder,omitempty"`
	HomeworkReminder Duration `json:"homework_reminder,omitempty"`
	// PreviewTime is when "tomorrow at a glance" comes: "HH:MM".
	PreviewTime string `json:"preview_time,omitempty"`
}

// QuietHours holds notifications back between Start and End (local "HH:MM").
// Both empty means the default, 22:00–07:00; Off switches them off.
type QuietHours struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
	Off   bool   `json:"off,omitempty"`
}

// Defaults applied when a setting is zero.
const (
	DefaultInterval         = 15 * time.Minute
	MinInterval             = 5 * time.Minute
	DefaultLookAhead        = 7 * 24 * time.Hour
	DefaultHomeworkReminder = 24 * time.Hour
	DefaultTestReminder     = "18:00"
	DefaultPreviewTime      = "19:00"
	DefaultQuietStart       = "22:00"
	DefaultQuietEnd         = "07:00"
	DefaultLanguage         = "nl"
)

// EffectiveInterval is the poll interval with the default and the minimum applied.
func (s Settings) EffectiveInterval() time.Duration {
	d := time.Duration(s.Interval)
	if d == 0 {
		return DefaultInterval
	}
	return max(d, MinInterval)
}

// KindEnabledFor reports whether notifications of kind are switched on for
// an account. Every kind is on unless switched off, except the preview: on
// by default for a parent's account and off for a student's (a student sees
// the timetable; a parent does not), unless it was switched explicitly.
func (s Settings) KindEnabledFor(kind string, isParent bool) bool {
	off, set := s.Disabled[kind]
	if kind == KindPreview && !set {
		return isParent
	}
	return !off
}

// KindOn is whether kind is on for the signed-in accounts, as menus and
// `config` show it: KindEnabledFor, with the preview on when any account
// is a parent's.
func (s *State) KindOn(kind string) bool {
	parent := slices.ContainsFunc(s.Accounts, func(a Account) bool { return a.IsParent })
	return s.Settings.KindEnabledFor(kind, parent)
}

// Paused reports whether notifications are paused at now.
func (s Settings) Paused(now time.Time) bool { return now.Before(s.PauseUntil) }

// Account is one Magister login. It holds no secrets: tokens live in the
// keyring or the token file, found by Key.
type Account struct {
	Key      string    `json:"key"`
	School   string    `json:"school"`
	BaseURL  string    `json:"base_url,omitempty"`
	PersonID int       `json:"person_id"`
	Name     string    `json:"name,omitempty"`
	IsParent bool      `json:"is_parent,omitempty"`
	Children []Child   `json:"children,omitempty"`
	Added    time.Time `json:"added,omitzero"`
	// SignedIn is the last time a login completed for this account.
	SignedIn time.Time `json:"signed_in,omitzero"`
	// ChildrenChecked is when a check last asked Magister which children
	// the account may read (a school can add one during the year).
	ChildrenChecked time.Time `json:"children_checked,omitzero"`
	// Seen holds what belongs to the account rather than to a child: the
	// messages of its inbox.
	Seen map[string]*SeenSet `json:"seen,omitempty"`
	// Fetched maps a kind in Seen to when the fetch whose data Seen holds
	// began (see Child.Fetched).
	Fetched map[string]time.Time `json:"fetched,omitempty"`
}

// Child is a student whose Magister is watched. A student account is its own
// only child.
type Child struct {
	ID        int    `json:"id"`
	FirstName string `json:"first_name"`
	Muted     bool   `json:"muted,omitempty"`
	// Privacy is "full" (default), "subject" or "minimal".
	Privacy string `json:"privacy,omitempty"`
	// Seen maps a kind to what has been seen of it.
	Seen map[string]*SeenSet `json:"seen,omitempty"`
	// Fetched maps a kind to when the fetch whose data Seen holds began. A
	// check whose own fetch began earlier has older data and leaves the kind
	// alone, so two overlapping checks never diff backwards.
	Fetched map[string]time.Time `json:"fetched,omitempty"`
}

// SeenSet is what has been seen of one kind for one child. A set that has not
// been Baselined yet takes its first successful fetch silently.
type SeenSet struct {
	Baselined bool
	Items     map[string]SeenItem
}

// SeenItem remembers one item by id: a fingerprint to detect changes and the
// moment from which a fetch that does not return it may forget it.
type SeenItem struct {
	Fingerprint string
	Expires     int64 // Unix seconds; 0 means never
}

// SeenRetention is how long an id stays seen after the last fetch that
// returned it: longer than a school year plus a summer, so that an item
// Magister stops returning for a while (a message marked read, then unread
// again; a grade pushed out of the latest-grades list) is still known.
const SeenRetention = 400 * 24 * time.Hour

// Keep marks id seen with fingerprint fp by a fetch at now: it stays until
// SeenRetention later. The expiry is rounded up to a whole UTC day so that
// ids seen together share one group in the file.
func (s *SeenSet) Keep(id, fp string, now time.Time) {
	if s.Items == nil {
		s.Items = map[string]SeenItem{}
	}
	const day = 24 * 60 * 60
	exp := now.Add(SeenRetention).Unix()
	exp += (day - exp%day) % day
	s.Items[id] = SeenItem{Fingerprint: fp, Expires: exp}
}

// Forget drops the ids whose expiry is at or before now. Call it only after
// a successful fetch of the set has been applied: everything that fetch
// returned was just kept, so only ids Magister no longer returns can go.
func (s *SeenSet) Forget(now time.Time) {
	cut := now.Unix()
	for id, it := range s.Items {
		if it.Expires != 0 && it.Expires <= cut {
			delete(s.Items, id)
		}
	}
}

// AccountIndex is the index in s.Accounts of the account with key, or -1.
func (s *State) AccountIndex(key string) int {
	for i := range s.Accounts {
		if s.Accounts[i].Key == key {
			return i
		}
	}
	return -1
}

// SeenCount is the number of items seen, over every child and kind.
func (s *State) SeenCount() int {
	n := 0
	for _, a := range s.Accounts {
		for _, set := range a.Seen {
			n += len(set.Items)
		}
		for _, c := range a.Children {
			for _, set := range c.Seen {
				n += len(set.Items)
			}
		}
	}
	return n
}

// Entry is one notification, first in the outbox and, once delivered, in the
// history. Lease fields let one deliverer claim it at a time.
type Entry struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Account   string    `json:"account,omitempty"`
	ChildID   int       `json:"child_id,omitempty"`
	Child     string    `json:"child,omitempty"`
	Title     string    `json:"title"`
	Body      string    `json:"body,omitempty"`
	URL       string    `json:"url,omitempty"`
	Urgent    bool      `json:"urgent,omitempty"`
	Created   time.Time `json:"created"`
	NotBefore time.Time `json:"not_before,omitzero"`

	LeaseOwner  string    `json:"lease_owner,omitempty"`
	LeaseUntil  time.Time `json:"lease_until,omitzero"`
	Attempts    int       `json:"attempts,omitempty"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	Delivered   time.Time `json:"delivered,omitzero"`

	// Batch names the check that made the entry; a burst is counted per batch.
	Batch string `json:"batch,omitempty"`
	// Item is the id of what changed within Kind (a grade column, an
	// appointment, a message), so a change can be traced to its item.
	Item string `json:"item,omitempty"`
	// Change says what happened within Kind ("new", "corrected", "cancelled",
	// "moved", "changed", "room", "added", "removed", "upcoming", "due"), so
	// a digest can count "1 les uitgevallen" apart from "1 lokaalwijziging".
	Change string `json:"change,omitempty"`
	// Done lists the sinks (by Sink.Name) that already have the entry: a sink
	// that fails keeps it for that sink only.
	Done []string `json:"done,omitempty"`
}

// Health describes how the checks are going.
type Health struct {
	LastAttempt         time.Time `json:"last_attempt,omitzero"`
	LastSuccess         time.Time `json:"last_success,omitzero"`
	LastError           string    `json:"last_error,omitempty"`
	ConsecutiveFailures int       `json:"consecutive_failures,omitempty"`
	// LoginRequired is set when the last check failed because Magister
	// wants the user to sign in again.
	LoginRequired bool `json:"login_required,omitempty"`
	// Announced names the problem a notification was sent about ("login",
	// "unreachable"), so that it is sent once until fixed.
	Announced string `json:"announced,omitempty"`
	// RateLimited is set when the last check failed because Magister asked
	// us to wait (HTTP 429); RetryAt is then when it allows the next request.
	RateLimited bool      `json:"rate_limited,omitempty"`
	RetryAt     time.Time `json:"retry_at,omitzero"`
}

// Quarantine records a state file that could not be read and was moved aside.
type Quarantine struct {
	File   string    `json:"file"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
	// Salvaged is set when what could still be read of the file was kept;
	// Reset then lists the parts that could not and started afresh
	// ("seen grades of child 12", "the outbox"). Without it the whole state
	// started afresh.
	Salvaged bool     `json:"salvaged,omitempty"`
	Reset    []string `json:"reset,omitempty"`
}

// Duration is a time.Duration written as text ("15m0s") in the state file.
type Duration time.Duration

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// newState is the state of a fresh install.
func newState() *State { return &State{Version: SchemaVersion} }

// normalize enforces the bounds every written state keeps: the history keeps
// only its newest HistoryLimit entries. Seen sets are not pruned here: only
// a successful fetch of a set may forget its ids (see the package doc).
func (s *State) normalize() {
	s.Version = SchemaVersion
	if len(s.History) > HistoryLimit {
		sort.SliceStable(s.History, func(i, j int) bool {
			return s.History[i].Delivered.Before(s.History[j].Delivered)
		})
		s.History = append([]Entry(nil), s.History[len(s.History)-HistoryLimit:]...)
	}
}

// String is a short description for logs, never containing personal data.
func (s *State) String() string {
	return fmt.Sprintf("state v%d: %d accounts, %d seen, %d pending, %d history",
		s.Version, len(s.Accounts), s.SeenCount(), len(s.Outbox), len(s.History))
}
