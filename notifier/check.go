package notifier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

// Source is what a check reads from Magister for one account.
// *magister.Client implements it.
type Source interface {
	LatestGrades(ctx context.Context, childID, top int) ([]magister.Grade, error)
	Appointments(ctx context.Context, childID int, from, to time.Time) ([]magister.Appointment, error)
	UnreadMessages(ctx context.Context, top int) ([]magister.Message, error)
}

// Checker runs checks: fetch without the lock, then one Update that diffs
// against the fresh state, marks what was seen and queues notifications.
type Checker struct {
	Store *state.Store
	// Open returns the Source of an account (a logged-in client).
	Open func(ctx context.Context, acct state.Account) (Source, error)
	// Now and Loc default to time.Now and time.Local.
	Now func() time.Time
	Loc *time.Location
	// GradesTop is how many latest grades a check reads (default 50).
	GradesTop int
	// DryRun computes what would be notified without writing anything.
	DryRun bool
}

// errDryRun aborts the check's transaction so that nothing is written.
var errDryRun = errors.New("dry run")

// ChildReport is what one check found for one child.
type ChildReport struct {
	Account string         `json:"account"`
	ChildID int            `json:"child_id"`
	Child   string         `json:"child"`
	New     map[string]int `json:"new,omitempty"` // kind → notifications queued
	Errors  []string       `json:"errors,omitempty"`
}

// Report is the outcome of one check.
type Report struct {
	Batch    string        `json:"batch"`
	Children []ChildReport `json:"children"`
	Queued   int           `json:"queued"`
	// Entries are the notifications queued (or, in a dry run, that would be).
	Entries []state.Entry `json:"-"`
	// Language is the language setting the check read ("" = default).
	Language string `json:"-"`
	// Err is the first fetch error, if any fetch failed.
	Err error `json:"-"`
}

// ErrNoAccounts is returned by Check when nobody has logged in yet.
var ErrNoAccounts = errors.New("no Magister account yet: log in first with `magister-notify login --school <school>`")

// fetched is what was read for one account, outside the lock.
type fetched struct {
	key      string
	msgs     []magister.Message
	msgsErr  error
	children map[int]*childFetch
	openErr  error
}

type childFetch struct {
	grades    []magister.Grade
	gradesErr error
	appts     []magister.Appointment
	apptsErr  error
	from, to  time.Time
}

// Check checks every account and child once and queues notifications in the
// outbox. It does not deliver them (see Deliver). A fetch that fails marks
// nothing for its kind, so the next success neither floods nor misses.
func (c *Checker) Check(ctx context.Context) (*Report, error) {
	now := c.now()
	var accounts []state.Account
	var settings state.Settings
	if err := c.Store.View(ctx, func(s state.State) error {
		accounts, settings = s.Accounts, s.Settings
		return nil
	}); err != nil {
		return nil, err
	}
	if len(accounts) == 0 {
		return nil, ErrNoAccounts
	}
	rules := RulesFrom(settings)
	rules.Loc = c.loc()

	// 1. Fetch, holding no lock.
	var all []fetched
	for _, acct := range accounts {
		all = append(all, c.fetch(ctx, acct, rules, now))
	}

	// 2. One transaction: diff against the fresh state, mark, queue.
	rep := &Report{Batch: batchID(now), Language: settings.Language}
	err := c.Store.Update(ctx, func(s *state.State) error {
		rep.Children, rep.Queued, rep.Err, rep.Entries = nil, 0, nil, nil
		for _, f := range all {
			ai := findAccount(s, f.key)
			if ai < 0 {
				continue // logged out meanwhile
			}
			c.apply(s, ai, f, rules, now, rep)
		}
		s.Health.LastAttempt = now
		s.Health.LoginRequired = errors.Is(rep.Err, magister.ErrLoginRequired) || errors.Is(rep.Err, magister.ErrNoToken)
		if rep.Err == nil {
			s.Health.LastSuccess = now
			s.Health.LastError = ""
			s.Health.ConsecutiveFailures = 0
			s.Health.RetryAt = time.Time{}
		} else {
			s.Health.LastError = rep.Err.Error()
			s.Health.ConsecutiveFailures++
			var rl *magister.RateLimitError
			if errors.As(rep.Err, &rl) {
				s.Health.RetryAt = now.Add(rl.RetryAfter)
			}
		}
		if c.DryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		// A fetch error may share the cause (a full disk): say both.
		return nil, errors.Join(err, rep.Err)
	}
	return rep, nil
}

func (c *Checker) fetch(ctx context.Context, acct state.Account, r Rules, now time.Time) fetched {
	f := fetched{key: acct.Key, children: map[int]*childFetch{}}
	src, err := c.Open(ctx, acct)
	if err != nil {
		f.openErr = err
		return f
	}
	top := c.GradesTop
	if top <= 0 {
		top = 50
	}
	for _, ch := range acct.Children {
		cf := &childFetch{}
		cf.from, cf.to = r.ScheduleWindow(now)
		cf.grades, cf.gradesErr = src.LatestGrades(ctx, ch.ID, top)
		if isFatal(cf.gradesErr) {
			f.children[ch.ID] = cf
			f.openErr = cf.gradesErr
			return f
		}
		cf.appts, cf.apptsErr = src.Appointments(ctx, ch.ID, cf.from, cf.to)
		f.children[ch.ID] = cf
		if isFatal(cf.apptsErr) {
			f.openErr = cf.apptsErr
			return f
		}
	}
	f.msgs, f.msgsErr = src.UnreadMessages(ctx, 25)
	return f
}

// isFatal reports errors after which asking more of the account is pointless:
// everything except one endpoint's malformed answer. The client has retried
// already, so an unreachable or failing Magister is not asked again and
// again in one check.
func isFatal(err error) bool {
	var dec *magister.DecodeError
	return err != nil && !errors.As(err, &dec)
}

func (c *Checker) apply(s *state.State, ai int, f fetched, r Rules, now time.Time, rep *Report) {
	acct := &s.Accounts[ai]
	fail := func(cr *ChildReport, what string, err error) {
		if err == nil {
			return
		}
		cr.Errors = append(cr.Errors, fmt.Sprintf("%s: %v", what, err))
		if rep.Err == nil {
			rep.Err = err
		}
	}
	several := len(acct.Children) > 1
	var reports []*ChildReport
	for ci := range acct.Children {
		ch := &acct.Children[ci]
		cr := &ChildReport{Account: acct.Key, ChildID: ch.ID, Child: ch.FirstName, New: map[string]int{}}
		reports = append(reports, cr)
		cf := f.children[ch.ID]
		if f.openErr != nil || cf == nil {
			err := f.openErr
			if err == nil {
				err = errors.New("not fetched")
			}
			fail(cr, "Magister", err)
			continue
		}
		if ch.Seen == nil {
			ch.Seen = map[string]*state.SeenSet{}
		}
		var events []Event
		if cf.gradesErr == nil {
			events = append(events, DetectGrades(seenSet(ch.Seen, state.KindGrades), cf.grades)...)
		}
		fail(cr, "grades", cf.gradesErr)
		if cf.apptsErr == nil {
			events = append(events, DetectSchedule(seenSet(ch.Seen, state.KindSchedule), cf.appts, cf.from, cf.to)...)
			events = append(events, DetectTests(seenSet(ch.Seen, state.KindTests), cf.appts, now, r)...)
			events = append(events, DetectHomework(seenSet(ch.Seen, state.KindHomework), cf.appts, now, r)...)
		}
		fail(cr, "schedule", cf.apptsErr)
		c.queue(s, acct, ch, several, events, now, rep, cr)
	}
	// Messages belong to the account; a parent's inbox is announced under
	// the first child's report without a child name.
	if f.openErr == nil && len(reports) > 0 {
		if f.msgsErr == nil {
			if acct.Seen == nil {
				acct.Seen = map[string]*state.SeenSet{}
			}
			events := DetectMessages(seenSet(acct.Seen, state.KindMessages), f.msgs)
			var who *state.Child
			if !acct.IsParent && len(acct.Children) == 1 {
				who = &acct.Children[0]
			}
			c.queue(s, acct, who, false, events, now, rep, reports[0])
		}
		fail(reports[0], "messages", f.msgsErr)
	}
	for _, cr := range reports {
		rep.Children = append(rep.Children, *cr)
	}
}

// queue turns events into outbox entries, honouring the kind toggles and
// the child's mute switch: a switched-off kind is still marked seen (so
// switching it on later does not flood) but not announced.
func (c *Checker) queue(s *state.State, acct *state.Account, ch *state.Child, prefix bool, events []Event, now time.Time, rep *Report, cr *ChildReport) {
	w := wording{Lang: s.Settings.Language, Privacy: PrivacyFull, Prefix: prefix, Loc: c.loc()}
	if ch != nil {
		w.Child, w.Privacy = ch.FirstName, ch.Privacy
		if ch.Muted {
			return
		}
	}
	for _, ev := range events {
		if !s.Settings.KindEnabled(ev.Kind) {
			continue
		}
		title, body := w.Words(ev)
		e := state.Entry{
			ID:      entryID(acct.Key, ch, ev),
			Kind:    ev.Kind,
			Account: acct.Key,
			Title:   title,
			Body:    body,
			URL:     WebURL(*acct, ev.Kind),
			Urgent:  ev.Urgent,
			Created: now,
		}
		if ch != nil {
			e.ChildID, e.Child = ch.ID, ch.FirstName
		}
		e.Change, e.Batch = ev.Change, rep.Batch
		s.Outbox = append(s.Outbox, e)
		rep.Entries = append(rep.Entries, e)
		cr.New[ev.Kind]++
		rep.Queued++
	}
}

// WebURL is the Magister web page about kind for acct.
func WebURL(acct state.Account, kind string) string {
	base := strings.TrimRight(acct.BaseURL, "/")
	if base == "" {
		base = "https://" + acct.School + ".magister.net"
	}
	page := map[string]string{
		state.KindGrades: "cijfers", state.KindSchedule: "agenda", state.KindTests: "agenda",
		state.KindHomework: "agenda", state.KindMessages: "berichten",
	}[kind]
	if page == "" {
		page = "vandaag"
	}
	return base + "/magister/#/" + page
}

func findAccount(s *state.State, key string) int {
	for i := range s.Accounts {
		if s.Accounts[i].Key == key {
			return i
		}
	}
	return -1
}

// entryID is stable for one change of one item, so the same change can be
// recognised wherever it turns up.
func entryID(account string, ch *state.Child, ev Event) string {
	child := 0
	if ch != nil {
		child = ch.ID
	}
	fp := ""
	switch {
	case ev.Grade != nil:
		fp = ev.Grade.Value
	case ev.Appointment != nil:
		fp = ev.Appointment.Start.String() + ev.Appointment.Room() + strconv.Itoa(ev.Appointment.Status)
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{account, strconv.Itoa(child), ev.Kind, ev.Change, ev.Key, fp}, "\x00")))
	return hex.EncodeToString(sum[:8])
}

func batchID(now time.Time) string { return strconv.FormatInt(now.UnixNano(), 36) }

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Checker) loc() *time.Location {
	if c.Loc != nil {
		return c.Loc
	}
	return time.Local
}

// Summary is the one-line report of a child: "Anna: 2 cijfers, 1 roosterwijziging".
func (cr ChildReport) Summary(lang string) string {
	w := wording{Lang: lang}
	var parts []string
	for _, kind := range state.Kinds {
		if n := cr.New[kind]; n > 0 {
			parts = append(parts, kindNoun(kind).count(w, n))
		}
	}
	line := strings.Join(parts, ", ")
	if line == "" {
		line = w.pick("niets nieuws", "nothing new")
	}
	if len(cr.Errors) > 0 {
		line += " (" + w.pick("niet alles opgehaald: ", "not everything fetched: ") + strings.Join(cr.Errors, "; ") + ")"
	}
	return firstNonEmpty(cr.Child, cr.Account) + ": " + line
}
