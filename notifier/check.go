package notifier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

// Source is what a check reads from Magister for one account.
// *magister.Client implements it.
type Source interface {
	// LatestGradesPage returns the top latest grades after the skip newest,
	// newest first; a page shorter than top is the last.
	LatestGradesPage(ctx context.Context, childID, top, skip int) ([]magister.Grade, error)
	Appointments(ctx context.Context, childID int, from, to time.Time) ([]magister.Appointment, error)
	UnreadMessages(ctx context.Context, top int) ([]magister.Message, error)
}

// recordHealth records in h how the check at now went: err is its fetch
// error, nil when everything was fetched.
func recordHealth(h *state.Health, err error, now time.Time) {
	h.LastAttempt = now
	h.LoginRequired = errors.Is(err, magister.ErrLoginRequired) || errors.Is(err, magister.ErrNoToken)
	h.RateLimited = errors.Is(err, magister.ErrRateLimited)
	if err == nil {
		h.LastSuccess = now
		h.LastError = ""
		h.ConsecutiveFailures = 0
		h.RetryAt = time.Time{}
		return
	}
	h.LastError = err.Error()
	h.ConsecutiveFailures++
	var rl *magister.RateLimitError
	if errors.As(err, &rl) {
		h.RetryAt = now.Add(rl.RetryAfter)
	}
}

// Sources adapts a function that opens concrete clients (such as
// account.Clients.Open) to Checker.Open.
func Sources[S Source](open func(context.Context, state.Account) (S, error)) func(context.Context, state.Account) (Source, error) {
	return func(ctx context.Context, acct state.Account) (Source, error) {
		src, err := open(ctx, acct)
		if err != nil {
			return nil, err
		}
		return src, nil
	}
}

// ChildLister is a Source that can say which children the account may read
// now. *magister.Client implements it.
type ChildLister interface {
	CurrentChildren(ctx context.Context) ([]magister.Child, error)
}

// ChildrenEvery is how often a check asks Magister for a parent account's
// children, so that a child the school adds during the year is watched
// without signing in again (its past is taken in silently, as a baseline).
const ChildrenEvery = 24 * time.Hour

// Checker runs checks: fetch without the lock, then one Update that diffs
// against the fresh state, marks what was seen and queues notifications.
type Checker struct {
	Store *state.Store
	// Open returns the Source of an account (a logged-in client).
	Open func(ctx context.Context, acct state.Account) (Source, error)
	// Now and Loc default to time.Now and time.Local.
	Now func() time.Time
	Loc *time.Location
	// GradesTop is how many latest grades a check reads per request
	// (default 50).
	GradesTop int
	// GradesPages bounds the requests for one child's latest grades (default
	// 10): a check reads further pages only while every grade on a page is
	// new or changed, so that none is missed after a long gap.
	GradesPages int
	// DryRun computes what would be notified without writing anything.
	DryRun bool
	// Timeout bounds the fetching of one check (0: no bound beyond the
	// client's own per-request limits). What was not fetched by then counts
	// as a failed fetch: nothing of it is marked.
	Timeout time.Duration
	// Getenv reads the locale, which words the notifications when the
	// language setting is unset (see state.ResolveLanguage; default
	// os.Getenv).
	Getenv func(string) string
}

// lang is the language of the notifications under settings s.
func (c *Checker) lang(s state.Settings) string {
	return state.ResolveLanguage(s.Language, getenvOr(c.Getenv))
}

// getenvOr is getenv, or os.Getenv when it is nil.
func getenvOr(getenv func(string) string) func(string) string {
	if getenv == nil {
		return os.Getenv
	}
	return getenv
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
	// GradesCut is set when the latest grades were all new up to the last
	// page a check reads: that many were read, and older new grades may
	// never be announced.
	GradesCut int `json:"grades_cut_at,omitempty"`
	// Superseded lists the kinds this check left alone because a check that
	// began fetching later had already committed them: its data are newer.
	Superseded []string `json:"superseded,omitempty"`

	errs []error // what Errors says, for the words of Summary
}

// Report is the outcome of one check.
type Report struct {
	Batch    string        `json:"batch"`
	Children []ChildReport `json:"children"`
	Queued   int           `json:"queued"`
	// Entries are the notifications queued (or, in a dry run, that would be).
	Entries []state.Entry `json:"-"`
	// Language is the language the check's texts are in, "nl" or "en"
	// (state.ResolveLanguage of the settings it read), for the words of
	// whoever reports on it.
	Language string `json:"-"`
	// Err is the first fetch error, if any fetch failed.
	Err error `json:"-"`
	// Pending is how many entries the outbox holds after the check (new and
	// older ones waiting for delivery); with none, delivery has nothing to do
	// (see Deliverer.DeliverAfter).
	Pending int `json:"pending"`
	// Sinks is the sinks setting as the check's transaction read it, so
	// that the delivery after the check need not read the state for it.
	Sinks []string `json:"-"`
}

// ErrNoAccounts is returned by Check when nobody has logged in yet.
var ErrNoAccounts = errors.New("notifier: no accounts")

// fetched is what was read for one account, outside the lock.
type fetched struct {
	key      string
	msgs     []magister.Message
	msgsErr  error
	msgsAt   time.Time // when the fetch began
	children map[int]*childFetch
	openErr  error
	// listed holds the account's children as Magister lists them now, when
	// this check asked (see ChildrenEvery); nil otherwise.
	listed []magister.Child
}

type childFetch struct {
	grades    []magister.Grade
	gradesErr error
	gradesAt  time.Time
	gradesCut int              // see ChildReport.GradesCut
	year      []magister.Grade // the year's grades, read only when there is news
	appts     []magister.Appointment
	apptsErr  error
	apptsAt   time.Time
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

	// 1. Fetch, holding no lock, within the check's deadline.
	fctx := ctx
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		fctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	var all []fetched
	for _, acct := range accounts {
		all = append(all, c.fetch(fctx, acct, rules, now))
	}

	// 2. One transaction: diff against the fresh state, mark, queue.
	rep := &Report{Batch: batchID(now), Language: c.lang(settings)}
	err := c.Store.Update(ctx, func(s *state.State) error {
		rep.Children, rep.Queued, rep.Err, rep.Entries = nil, 0, nil, nil
		rep.Language = c.lang(s.Settings)
		commit := c.now()
		for _, f := range all {
			ai := s.AccountIndex(f.key)
			if ai < 0 {
				continue // logged out meanwhile
			}
			c.apply(s, ai, f, rules, now, commit, rep)
		}
		rep.Sinks = slices.Clone(s.Settings.Sinks)
		recordHealth(&s.Health, rep.Err, now)
		c.announceProblem(s, now, rep)
		// After announceProblem: a delivery round right after the check
		// (DeliverAfter) skips when nothing is pending.
		rep.Pending = len(s.Outbox)
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
	ids := make([]int, 0, len(acct.Children))
	for _, ch := range acct.Children {
		ids = append(ids, ch.ID)
	}
	if lister, ok := src.(ChildLister); ok && acct.IsParent && now.Sub(acct.ChildrenChecked) >= ChildrenEvery {
		kids, err := lister.CurrentChildren(ctx)
		if isFatal(err) {
			f.openErr = err
			return f
		}
		if err == nil {
			f.listed = kids
			for _, k := range kids {
				if !slices.Contains(ids, k.ID) {
					ids = append(ids, k.ID)
				}
			}
		}
	}
	for _, id := range ids {
		ch := state.Child{ID: id} // a child new to us has seen nothing
		if i := slices.IndexFunc(acct.Children, func(c state.Child) bool { return c.ID == id }); i >= 0 {
			ch = acct.Children[i]
		}
		cf := &childFetch{}
		cf.from, cf.to = r.ScheduleWindow(now)
		cf.gradesAt = c.now()
		cf.grades, cf.gradesCut, cf.gradesErr = c.fetchGrades(ctx, src, ch)
		if isFatal(cf.gradesErr) {
			f.children[ch.ID] = cf
			f.openErr = cf.gradesErr
			return f
		}
		if cf.gradesErr == nil {
			cf.year = gradeContext(ctx, src, ch, cf.grades, now)
		}
		cf.apptsAt = c.now()
		cf.appts, cf.apptsErr = src.Appointments(ctx, ch.ID, cf.from, cf.to)
		f.children[ch.ID] = cf
		if isFatal(cf.apptsErr) {
			f.openErr = cf.apptsErr
			return f
		}
	}
	f.msgsAt = c.now()
	f.msgs, f.msgsErr = src.UnreadMessages(ctx, 25)
	return f
}

// fetchGrades reads ch's latest grades, page after page while every grade
// on a page is new or changed since the seen set in ch (a snapshot: the
// commit diffs against the fresh state), so that a long gap between checks
// announces every new grade and not only the newest page. A set that has
// no baseline yet takes one page. cut is the number read when the pages
// ran out before reaching a known grade.
func (c *Checker) fetchGrades(ctx context.Context, src Source, ch state.Child) (grades []magister.Grade, cut int, err error) {
	top, pages := c.GradesTop, c.GradesPages
	if top <= 0 {
		top = 50
	}
	if pages <= 0 {
		pages = 10
	}
	set := ch.Seen[state.KindGrades]
	have := map[int]bool{}
	for p := range pages {
		page, err := src.LatestGradesPage(ctx, ch.ID, top, p*top)
		if err != nil {
			return nil, 0, err
		}
		overlap := false
		for _, g := range page {
			overlap = overlap || knownGrade(set, g)
			if !have[g.ColumnID] { // a grade entered meanwhile shifts the pages
				have[g.ColumnID] = true
				grades = append(grades, g)
			}
		}
		if len(page) < top || overlap || set == nil || !set.Baselined {
			return grades, 0, nil
		}
	}
	return grades, len(grades), nil
}

// knownGrade reports whether g is in set as it is now: seen, and with the
// value DetectGrades remembers as its fingerprint. Grades older than a known
// one were there at the last check.
func knownGrade(set *state.SeenSet, g magister.Grade) bool {
	if set == nil {
		return false
	}
	it, ok := set.Items[strconv.Itoa(g.ColumnID)]
	return ok && it.Fingerprint == g.Value
}

// isFatal reports errors after which asking more of the account is pointless:
// everything except one endpoint's malformed answer. The client has retried
// already, so an unreachable or failing Magister is not asked again and
// again in one check. A gateway's HTML page (*magister.PageError) is no
// malformed answer: it stands for the whole server, like a 5xx.
func isFatal(err error) bool {
	var dec *magister.DecodeError
	return err != nil && !errors.As(err, &dec)
}

// apply diffs what f fetched for the account at ai against s, marks it and
// queues the news. A kind whose fetch began before the one s already holds
// for it is left alone (see superseded); commit is the time of the
// transaction.
func (c *Checker) apply(s *state.State, ai int, f fetched, r Rules, now, commit time.Time, rep *Report) {
	acct := &s.Accounts[ai]
	fail := func(cr *ChildReport, what string, err error) {
		if err == nil {
			return
		}
		cr.Errors = append(cr.Errors, fmt.Sprintf("%s: %v", what, err))
		cr.errs = append(cr.errs, err)
		if rep.Err == nil {
			rep.Err = err
		}
	}
	if f.listed != nil && f.openErr == nil {
		acct.ChildrenChecked = now
		for _, k := range f.listed {
			if !slices.ContainsFunc(acct.Children, func(c state.Child) bool { return c.ID == k.ID }) {
				// New to us: its fetch below is its silent baseline.
				acct.Children = append(acct.Children, state.Child{ID: k.ID, FirstName: k.FirstName})
			}
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
		events := c.detectChild(ch, cf, r, now, commit, cr)
		fail(cr, "grades", cf.gradesErr)
		fail(cr, "schedule", cf.apptsErr)
		c.queue(s, acct, ch, several, events, now, rep, cr)
	}
	// Messages belong to the account; a parent's inbox is announced under
	// the first child's report without a child name.
	if f.openErr == nil && len(reports) > 0 {
		switch {
		case f.msgsErr != nil:
		case superseded(acct.Fetched, state.KindMessages, f.msgsAt, commit):
			reports[0].Superseded = append(reports[0].Superseded, state.KindMessages)
		default:
			acct.Fetched = markFetched(acct.Fetched, state.KindMessages, f.msgsAt)
			if acct.Seen == nil {
				acct.Seen = map[string]*state.SeenSet{}
			}
			events := DetectMessages(seenSet(acct.Seen, state.KindMessages), f.msgs, now)
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

// detectChild diffs the grades and appointments fetched for ch against its
// seen sets and marks them, kind by kind, skipping kinds that failed or
// whose data are superseded.
func (c *Checker) detectChild(ch *state.Child, cf *childFetch, r Rules, now, commit time.Time, cr *ChildReport) []Event {
	if ch.Seen == nil {
		ch.Seen = map[string]*state.SeenSet{}
	}
	fresh := func(kind string, began time.Time) bool {
		if superseded(ch.Fetched, kind, began, commit) {
			cr.Superseded = append(cr.Superseded, kind)
			return false
		}
		ch.Fetched = markFetched(ch.Fetched, kind, began)
		return true
	}
	var events []Event
	if cf.gradesErr == nil && fresh(state.KindGrades, cf.gradesAt) {
		gradeEvents := DetectGrades(seenSet(ch.Seen, state.KindGrades), cf.grades, now)
		addAverages(gradeEvents, cf.year)
		events = append(events, gradeEvents...)
		cr.GradesCut = cf.gradesCut
	}
	if cf.apptsErr != nil {
		return events
	}
	if fresh(state.KindSchedule, cf.apptsAt) {
		events = append(events, DetectSchedule(seenSet(ch.Seen, state.KindSchedule), cf.appts, cf.from, cf.to)...)
	}
	if fresh(state.KindTests, cf.apptsAt) {
		events = append(events, DetectTests(seenSet(ch.Seen, state.KindTests), cf.appts, now, r)...)
	}
	if fresh(state.KindHomework, cf.apptsAt) {
		events = append(events, DetectHomework(seenSet(ch.Seen, state.KindHomework), cf.appts, now, r)...)
	}
	if fresh(state.KindPreview, cf.apptsAt) {
		events = append(events, DetectPreview(seenSet(ch.Seen, state.KindPreview), cf.appts, now, r)...)
	}
	return events
}

// superseded reports whether data of kind fetched from began are older than
// what the state applied already (applied[kind]): a check that began
// fetching later has committed first. Diffing them would undo its news
// (a correction 6,0 → 8,0 reported back as 8,0 → 6,0) and announce it again
// at the next check. A recorded time after commit comes from a clock that
// has since been set back and does not count, or the kind would stall.
func superseded(applied map[string]time.Time, kind string, began, commit time.Time) bool {
	t, ok := applied[kind]
	return ok && began.Before(t) && !t.After(commit)
}

// markFetched records that the data of kind applied now were fetched from began.
func markFetched(applied map[string]time.Time, kind string, began time.Time) map[string]time.Time {
	if applied == nil {
		applied = map[string]time.Time{}
	}
	applied[kind] = began.Round(0) // the wall clock: it is compared across processes
	return applied
}

// queue turns events into outbox entries, honouring the kind toggles and
// the child's mute switch: a switched-off kind is still marked seen (so
// switching it on later does not flood) but not announced.
func (c *Checker) queue(s *state.State, acct *state.Account, ch *state.Child, prefix bool, events []Event, now time.Time, rep *Report, cr *ChildReport) {
	w := wording{Lang: c.lang(s.Settings), Privacy: PrivacyFull, Prefix: prefix, Loc: c.loc()}
	if ch != nil {
		w.Child, w.Privacy = ch.FirstName, ch.Privacy
		if ch.Muted {
			return
		}
	}
	for _, ev := range events {
		if !s.Settings.KindEnabledFor(ev.Kind, acct.IsParent) {
			continue
		}
		title, body := w.Words(ev)
		e := state.Entry{
			ID:      entryID(acct.Key, ch, ev),
			Kind:    ev.Kind,
			Account: acct.Key,
			Title:   title,
			Body:    body,
			URL:     EventURL(*acct, ev),
			Urgent:  ev.Urgent,
			Created: now,
		}
		if ch != nil {
			e.ChildID, e.Child = ch.ID, ch.FirstName
		}
		e.Change, e.Batch, e.Item = ev.Change, rep.Batch, ev.Key
		s.Outbox = append(s.Outbox, e)
		rep.Entries = append(rep.Entries, e)
		cr.New[ev.Kind]++
		rep.Queued++
	}
}

// WebURL is the Magister web page about kind for acct: the grades, the
// agenda, the inbox, or the start page when kind is empty.
func WebURL(acct state.Account, kind string) string {
	page := map[string]string{
		state.KindGrades: "cijfers", state.KindSchedule: "agenda", state.KindTests: "agenda",
		state.KindHomework: "agenda", state.KindMessages: "berichten", state.KindPreview: "agenda",
	}[kind]
	if page == "" {
		page = "vandaag"
	}
	return webApp(acct) + page
}

// EventURL is the page a click on ev's notification opens: the lesson's
// own page in the agenda where Magister keeps one (a student's lessons,
// tests and homework that still exist), else the page of ev's kind. The
// route #/agenda/huiswerk/<id> is the web app's appointment page (see
// magister/API.md); a parent's web app shows one child at a time, so a
// parent's click goes to the agenda, where the child is chosen. Magister's
// web app has no known route to one message.
func EventURL(acct state.Account, ev Event) string {
	if a := ev.Appointment; a != nil && a.ID > 0 && !acct.IsParent && ev.Change != ChangeRemoved {
		return webApp(acct) + "agenda/huiswerk/" + strconv.Itoa(a.ID)
	}
	return WebURL(acct, ev.Kind)
}

// webApp is the address of acct's school web app, ending in "#/".
func webApp(acct state.Account) string {
	base := strings.TrimRight(acct.BaseURL, "/")
	if base == "" {
		base = "https://" + acct.School + ".magister.net"
	}
	return base + "/magister/#/"
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
	switch {
	case line == "" && len(cr.Errors) > 0:
		// A check that failed found nothing, which is not "nothing new".
		words, _ := failureWords(w, cr.errs)
		return firstNonEmpty(cr.Child, cr.Account) + ": " + w.pick("controle mislukt: ", "check failed: ") + words
	case line == "":
		line = w.pick("niets nieuws", "nothing new")
	}
	if cr.GradesCut > 0 {
		line += " (" + fmt.Sprintf(w.pick("minstens %d nieuwe cijfers; oudere zijn niet gelezen en worden niet gemeld",
			"at least %d new grades; older ones were not read and will not be announced"), cr.GradesCut) + ")"
	}
	if len(cr.Errors) > 0 {
		words, _ := failureWords(w, cr.errs)
		line += " (" + w.pick("niet alles opgehaald: ", "not everything fetched: ") + words + ")"
	}
	return firstNonEmpty(cr.Child, cr.Account) + ": " + line
}

// DescribeFailure says in the user's words, in lang ("nl" or "en"), why a
// check's fetch failed (Report.Err); ok is false when err is none of the
// failures it knows.
func DescribeFailure(lang string, err error) (words string, ok bool) {
	return failureWords(wording{Lang: lang}, []error{err})
}

// failureWords says in the user's words why a fetch failed; the errors
// themselves are in ChildReport.Errors (--json) and the log. ok is false
// (and the words general) when it knows none of errs.
func failureWords(w wording, errs []error) (words string, ok bool) {
	var rl *magister.RateLimitError
	var st *magister.StatusError
	var dec *magister.DecodeError
	var page *magister.PageError
	var ne net.Error
	for _, err := range errs {
		switch {
		case errors.Is(err, magister.ErrLoginRequired), errors.Is(err, magister.ErrNoToken):
			return w.pick("Magister wil dat je opnieuw inlogt", "Magister wants you to sign in again"), true
		case errors.As(err, &rl):
			return w.pick("Magister vraagt even te wachten", "Magister asked us to wait"), true
		case errors.Is(err, context.DeadlineExceeded):
			return w.pick("Magister antwoordde niet op tijd", "Magister did not answer in time"), true
		case errors.As(err, &ne), errors.Is(err, syscall.ECONNREFUSED):
			return w.pick("Magister is niet bereikbaar", "Magister cannot be reached"), true
		case errors.As(err, &st):
			return fmt.Sprintf(w.pick("Magister gaf een foutmelding (%d)", "Magister answered with an error (%d)"), st.Status), true
		case errors.As(err, &page):
			return w.pick("Magister gaf een foutmelding", "Magister answered with an error"), true
		case errors.As(err, &dec):
			return w.pick("Magister gaf een antwoord dat niet te lezen is", "Magister's answer could not be read"), true
		}
	}
	return w.pick("er ging iets mis (details: --json)", "something went wrong (details: --json)"), false
}
