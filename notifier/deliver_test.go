package notifier

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/testenv"
	"github.com/magister-notify/magister-notify/state"
)

// deliverFixture is one state directory with a deliverer on a fake clock.
type deliverFixture struct {
	t       *testing.T
	clock   *testenv.Clock
	store   *state.Store
	people  *memSink
	machine *memSink
	d       *Deliverer
}

func newDeliverFixture(t *testing.T, at time.Time) *deliverFixture {
	f := &deliverFixture{t: t, clock: testenv.NewClock(at), store: openOutboxStore(t, t.TempDir()),
		people: peopleSink(), machine: machineSink()}
	f.d = &Deliverer{Store: f.store, Sinks: []Sink{f.people, f.machine}, Now: f.clock.Now, Loc: quietLoc, Getenv: locale("")}
	return f
}

func (f *deliverFixture) deliver() *DeliveryReport {
	f.t.Helper()
	rep, err := f.d.Deliver(context.Background())
	if err != nil {
		f.t.Fatalf("Deliver: %v", err)
	}
	return rep
}

func (f *deliverFixture) state() state.State { return readState(f.t, f.store) }

func TestDeliverGivesEveryEntryToEverySinkOnce(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 12, 0))
	queueEntries(t, f.store, gradeEntry("1", f.clock.Now()), gradeEntry("2", f.clock.Now()))
	f.clock.Advance(time.Minute)
	rep := f.deliver()
	if rep.Claimed != 2 || rep.Shown != 4 || rep.Delivered != 2 || rep.Failed != 0 || rep.Held != 0 {
		t.Errorf("report %+v", rep)
	}
	for _, s := range []*memSink{f.people, f.machine} {
		if got := s.entryIDs(); !slices.Equal(got, []string{"1", "2"}) {
			t.Errorf("%s got %v", s.name, got)
		}
	}
	n := f.machine.sent()[0]
	if n.Title != "Nieuw cijfer 1" || n.Body != "Wiskunde 7,5" || n.Kind != state.KindGrades || n.Change != ChangeNew ||
		!n.Delivered.Equal(f.clock.Now()) || !n.Created.Equal(lt(1, 12, 0)) || n.URL == "" {
		t.Errorf("notification %+v", n)
	}
	s := f.state()
	if len(s.Outbox) != 0 || len(s.History) != 2 {
		t.Fatalf("outbox %v, history %v", ids(s.Outbox), ids(s.History))
	}
	h := s.History[0]
	if !h.Delivered.Equal(f.clock.Now()) || h.LeaseOwner != "" || !h.LeaseUntil.IsZero() ||
		!slices.Equal(h.Done, []string{"people", "machine"}) {
		t.Errorf("history entry %+v", h)
	}
	if rep := f.deliver(); rep.Claimed != 0 || len(f.people.sent()) != 2 {
		t.Errorf("second Deliver: %+v", rep)
	}
}

func TestQuietHoursHoldThenOneDigest(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 22, 30))
	urgent := gradeEntry("3", lt(2, 1, 0))
	urgent.Urgent, urgent.Title = true, "Onvoldoende: Wiskunde 4,2"
	cancelled := gradeEntry("2", lt(1, 23, 0))
	cancelled.Kind, cancelled.Change, cancelled.Title = state.KindSchedule, ChangeCancelled, "Les uitgevallen"
	queueEntries(t, f.store, gradeEntry("1", lt(1, 22, 30)), cancelled, urgent)

	for _, at := range []time.Time{lt(1, 22, 30), lt(2, 1, 0), lt(2, 6, 59)} {
		f.clock.Set(at)
		rep := f.deliver()
		if rep.Claimed != 0 || rep.Held != 3 || !rep.HeldUntil.Equal(lt(2, 7, 0)) {
			t.Fatalf("at %v: %+v", at, rep)
		}
	}
	if len(f.people.sent())+len(f.machine.sent()) != 0 {
		t.Fatal("something was shown during quiet hours")
	}

	f.clock.Set(lt(2, 7, 0))
	rep := f.deliver()
	if rep.Claimed != 3 || rep.Delivered != 3 || rep.Shown != 4 {
		t.Errorf("report %+v", rep)
	}
	got := f.people.sent()
	if len(got) != 1 {
		t.Fatalf("people got %d notifications, want one digest", len(got))
	}
	d := got[0]
	if d.Kind != KindDigest || d.Title != "Sinds 22:00: 2 nieuwe cijfers, 1 les uitgevallen" || !d.Urgent {
		t.Errorf("digest %q (kind %s, urgent %v)", d.Title, d.Kind, d.Urgent)
	}
	if !strings.HasPrefix(d.Body, "Onvoldoende: Wiskunde 4,2\n") {
		t.Errorf("the urgent entry does not lead the digest body: %q", d.Body)
	}
	// The machine sink gets one record per event, released at the same moment.
	recs := f.machine.sent()
	if len(recs) != 3 {
		t.Fatalf("machine got %d records", len(recs))
	}
	for _, r := range recs {
		if !r.Delivered.Equal(d.Delivered) || len(r.Entries) != 1 {
			t.Errorf("record %s delivered %v, digest %v", r.ID, r.Delivered, d.Delivered)
		}
	}
	if s := f.state(); len(s.Outbox) != 0 || len(s.History) != 3 {
		t.Errorf("outbox %v history %v", ids(s.Outbox), ids(s.History))
	}
}

func TestPauseHoldsThenDigestInEnglish(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 14, 5))
	setSettings(t, f.store, func(s *state.Settings) {
		s.Language = "en"
		s.PauseUntil = lt(1, 16, 0)
	})
	msg := gradeEntry("2", lt(1, 15, 0))
	msg.Kind = state.KindMessages
	queueEntries(t, f.store, gradeEntry("1", lt(1, 14, 5)), msg)
	f.clock.Set(lt(1, 15, 59))
	if rep := f.deliver(); rep.Held != 2 || !rep.HeldUntil.Equal(lt(1, 16, 0)) || rep.Claimed != 0 {
		t.Fatalf("paused: %+v", rep)
	}
	f.clock.Set(lt(1, 16, 0))
	f.deliver()
	got := f.people.sent()
	if len(got) != 1 || got[0].Title != "Since 14:05: 1 new grade, 1 new message" {
		t.Fatalf("people got %+v", got)
	}
	if len(f.machine.sent()) != 2 {
		t.Errorf("machine got %d records", len(f.machine.sent()))
	}
}

// TestDigestFollowsTheLocale (issue 13, item 8): with no language setting
// a digest speaks the locale's language, like the check's notifications.
func TestDigestFollowsTheLocale(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 14, 5))
	f.d.Getenv = locale("en_US.UTF-8")
	setSettings(t, f.store, func(s *state.Settings) { s.PauseUntil = lt(1, 16, 0) })
	msg := gradeEntry("2", lt(1, 15, 0))
	msg.Kind = state.KindMessages
	queueEntries(t, f.store, gradeEntry("1", lt(1, 14, 5)), msg)
	f.clock.Set(lt(1, 16, 0))
	f.deliver()
	if got := f.people.sent(); len(got) != 1 || got[0].Title != "Since 14:05: 1 new grade, 1 new message" {
		t.Fatalf("people got %+v; want one English digest", got)
	}
}

func TestQuietHoursOff(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 23, 0))
	setSettings(t, f.store, func(s *state.Settings) { s.QuietHours.Off = true })
	queueEntries(t, f.store, gradeEntry("1", lt(1, 23, 0)))
	if rep := f.deliver(); rep.Delivered != 1 || len(f.people.sent()) != 1 {
		t.Errorf("quiet hours off, at 23:00: %+v", rep)
	}
}

// A deliverer that only records (jsonl, exec) keeps nobody awake.
func TestMachineOnlyDelivererIsNotHeld(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 23, 0))
	f.d.Sinks = []Sink{f.machine}
	queueEntries(t, f.store, gradeEntry("1", lt(1, 23, 0)))
	if rep := f.deliver(); rep.Delivered != 1 || rep.Held != 0 || len(f.machine.sent()) != 1 {
		t.Errorf("%+v", rep)
	}
}

func TestBurstBecomesSummaryPlusUrgent(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 12, 0))
	var es []state.Entry
	for i, kc := range []string{"grades/new", "grades/new", "schedule/cancelled", "grades/new", "schedule/room"} {
		kind, change, _ := strings.Cut(kc, "/")
		e := gradeEntry(string(rune('a'+i)), lt(1, 12, 0))
		e.Kind, e.Change, e.Batch = kind, change, "check-1"
		es = append(es, e)
	}
	es[3].Urgent = true
	queueEntries(t, f.store, es...)
	f.deliver()
	got := f.people.sent()
	if len(got) != 2 {
		t.Fatalf("people got %d notifications", len(got))
	}
	if got[0].Kind != KindSummary || got[0].Title != "4 nieuwe meldingen: 2 cijfers, 2 roosterwijzigingen" ||
		!slices.Equal(got[0].Entries, []string{"a", "b", "c", "e"}) {
		t.Errorf("summary %+v", got[0])
	}
	if got[1].ID != "d" || !got[1].Urgent {
		t.Errorf("urgent %+v", got[1])
	}
	if len(f.machine.sent()) != 5 {
		t.Errorf("machine got %d records", len(f.machine.sent()))
	}
}

func TestFailingSinkKeepsItsEntries(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 12, 0))
	queueEntries(t, f.store, gradeEntry("1", f.clock.Now()), gradeEntry("2", f.clock.Now()))
	f.machine.setErr(errors.New("disk full"))

	rep, err := f.d.Deliver(context.Background())
	var se *SinkError
	if !errors.As(err, &se) || se.Sink != "machine" || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("error %v", err)
	}
	if rep.Failed != 2 || rep.Delivered != 0 {
		t.Errorf("report %+v", rep)
	}
	s := f.state()
	if len(s.Outbox) != 2 {
		t.Fatalf("outbox %v", ids(s.Outbox))
	}
	for _, e := range s.Outbox {
		if !slices.Equal(e.Done, []string{"people"}) || e.Attempts != 1 || e.LastError != "machine: disk full" ||
			!e.NextAttempt.Equal(f.clock.Now().Add(30*time.Second)) || e.LeaseOwner != "" {
			t.Errorf("entry %+v", e)
		}
	}
	if pf := PendingFailures(s); len(pf) != 1 || !strings.HasPrefix(pf[0], "machine: disk full (2 waiting, 1 attempt") {
		t.Errorf("PendingFailures %q", pf)
	}

	// Backoff: not before 30 s, then 60 s more.
	f.clock.Advance(29 * time.Second)
	if rep := f.deliver(); rep.Claimed != 0 {
		t.Fatalf("retried during the backoff: %+v", rep)
	}
	f.clock.Advance(time.Second)
	if _, err := f.d.Deliver(context.Background()); err == nil {
		t.Fatal("the sink is still broken")
	}
	if e := f.state().Outbox[0]; e.Attempts != 2 || !e.NextAttempt.Equal(f.clock.Now().Add(time.Minute)) {
		t.Errorf("second failure: %+v", e)
	}

	// The sink recovers: its entries arrive, and only there.
	f.machine.setErr(nil)
	f.clock.Advance(time.Minute)
	rep = f.deliver()
	if rep.Delivered != 2 {
		t.Errorf("after recovery: %+v", rep)
	}
	if got := f.machine.entryIDs(); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("machine got %v", got)
	}
	if got := f.people.entryIDs(); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("people got %v: the working sink saw them twice", got)
	}
	s = f.state()
	if len(s.Outbox) != 0 || s.History[0].LastError != "" || s.History[0].Attempts != 2 {
		t.Errorf("outbox %v, history %+v", ids(s.Outbox), s.History)
	}
}

// A people-facing sink that fails on a digest gets the digest again later;
// the sink that had it does not.
func TestFailedDigestIsRetriedForThatSinkOnly(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 23, 0))
	stdout := &memSink{name: "stdout", people: true}
	f.d.Sinks = append(f.d.Sinks, stdout)
	queueEntries(t, f.store, gradeEntry("1", lt(1, 23, 0)), gradeEntry("2", lt(1, 23, 5)))
	f.people.setErr(errors.New("no notification daemon"))
	f.clock.Set(lt(2, 7, 0))
	if _, err := f.d.Deliver(context.Background()); err == nil {
		t.Fatal("no error from the failing sink")
	}
	f.people.setErr(nil)
	f.clock.Advance(30 * time.Second)
	f.deliver()
	for _, s := range []*memSink{f.people, stdout} {
		got := s.sent()
		if len(got) != 1 || got[0].Kind != KindDigest || got[0].Title != "Sinds 22:00: 2 nieuwe cijfers" {
			t.Errorf("%s got %+v", s.name, got)
		}
	}
	if len(f.machine.sent()) != 2 {
		t.Errorf("machine got %d", len(f.machine.sent()))
	}
}

func TestNotBeforeWaits(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 12, 0))
	e := gradeEntry("1", lt(1, 12, 0))
	e.NotBefore = lt(1, 18, 0)
	queueEntries(t, f.store, e)
	if rep := f.deliver(); rep.Claimed != 0 {
		t.Fatalf("claimed before NotBefore: %+v", rep)
	}
	if next := NextDue(f.state(), f.clock.Now()); !next.Equal(lt(1, 18, 0)) {
		t.Errorf("NextDue = %v", next)
	}
	f.clock.Set(lt(1, 18, 0))
	if rep := f.deliver(); rep.Delivered != 1 {
		t.Errorf("at NotBefore: %+v", rep)
	}
}

func TestNextDue(t *testing.T) {
	now := lt(1, 12, 0)
	if got := NextDue(state.State{}, now); !got.IsZero() {
		t.Errorf("empty outbox: %v", got)
	}
	s := state.State{Outbox: []state.Entry{
		{ID: "retry", Created: lt(1, 11, 0), NextAttempt: lt(1, 12, 30)},
		{ID: "leased", Created: lt(1, 11, 0), LeaseOwner: "x", LeaseUntil: lt(1, 12, 2)},
	}}
	if got := NextDue(s, now); !got.Equal(lt(1, 12, 2)) {
		t.Errorf("NextDue = %v, want the lease end", got)
	}
	s.Outbox = s.Outbox[:1]
	s.Outbox[0].NextAttempt = lt(1, 22, 30)
	if got := NextDue(s, now); !got.Equal(lt(2, 7, 0)) {
		t.Errorf("NextDue = %v, want the end of quiet hours", got)
	}
	s.Outbox[0].NextAttempt = time.Time{}
	if got := NextDue(s, now); !got.Equal(now) {
		t.Errorf("NextDue = %v, want now", got)
	}
}

func TestEntriesEverySinkHasMoveToHistory(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 12, 0))
	e := gradeEntry("1", lt(1, 12, 0))
	e.Done = []string{"people", "machine", "gone"}
	e.NextAttempt = lt(1, 13, 0) // the sink that failed was removed from the configuration
	e.LastError = "gone: broken"
	queueEntries(t, f.store, e)
	if rep := f.deliver(); rep.Delivered != 1 || rep.Shown != 0 {
		t.Errorf("%+v", rep)
	}
	if s := f.state(); len(s.Outbox) != 0 || len(s.History) != 1 || s.History[0].LastError != "" {
		t.Errorf("outbox %v history %+v", ids(s.Outbox), s.History)
	}
}

func TestDeliverWithoutSinks(t *testing.T) {
	d := &Deliverer{Store: openOutboxStore(t, t.TempDir())}
	if _, err := d.Deliver(context.Background()); !errors.Is(err, ErrNoSinks) {
		t.Errorf("err = %v", err)
	}
}

// A round whose lease runs low stops showing and releases the rest, so no
// other deliverer can take over an entry this one is about to show.
func TestRoundStopsBeforeItsLeaseRunsOut(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 12, 0))
	slow := &memSink{name: "slow", people: true, err: errors.New("timed out")}
	slow.send = func() { f.clock.Advance(DefaultLease - 20*time.Second) } // a hanging desktop call
	f.d.Sinks = []Sink{slow, f.machine}
	queueEntries(t, f.store, gradeEntry("1", lt(1, 12, 0)))
	rep, err := f.d.Deliver(context.Background())
	if err == nil || rep.Shown != 0 || len(f.machine.sent()) != 0 {
		t.Fatalf("showed with %v of lease left: %+v, %v", 20*time.Second, rep, err)
	}
	e := f.state().Outbox[0]
	if e.LeaseOwner != "" || e.Attempts != 1 || len(e.Done) != 0 {
		t.Errorf("entry after the round %+v", e)
	}
}

// Ctrl-C in the middle of a round: what was shown is acknowledged, the rest
// is released at once rather than after the lease.
func TestCancelledRoundAcksAndReleases(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 12, 0))
	f.d.Sinks = []Sink{f.machine}
	queueEntries(t, f.store, gradeEntry("1", lt(1, 12, 0)), gradeEntry("2", lt(1, 12, 0)), gradeEntry("3", lt(1, 12, 0)))
	ctx, cancel := context.WithCancel(context.Background())
	f.machine.send = cancel
	rep, err := f.d.Deliver(ctx)
	if !errors.Is(err, context.Canceled) || rep.Delivered != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	s := f.state()
	if len(s.History) != 1 || len(s.Outbox) != 2 || s.Outbox[0].LeaseOwner != "" || s.Outbox[0].Attempts != 0 {
		t.Fatalf("history %v, outbox %+v", ids(s.History), s.Outbox)
	}
	f.machine.send = nil
	if rep := f.deliver(); rep.Delivered != 2 {
		t.Errorf("next round: %+v", rep)
	}
	if got := f.machine.entryIDs(); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("got %v", got)
	}
}

// A one-off deliverer (check --sink) during a pause: its machine sink gets
// the entries at once and acknowledges them for itself only; the
// configured people-facing sink gets its digest when the pause ends.
func TestOneOffSinkLeavesEntriesForTheConfiguredSinks(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 14, 0))
	setSettings(t, f.store, func(s *state.Settings) {
		s.Sinks = []string{"stdout"}
		s.PauseUntil = lt(1, 16, 0)
	})
	queueEntries(t, f.store, gradeEntry("1", lt(1, 14, 0)), gradeEntry("2", lt(1, 14, 0)))
	oneOff := &Deliverer{Store: f.store, Sinks: []Sink{f.machine}, Now: f.clock.Now, Loc: quietLoc, OneOff: true}
	for round := range 2 { // the second round finds nothing left for it
		rep, err := oneOff.Deliver(context.Background())
		if err != nil || rep.Delivered != 0 || rep.Held != 0 {
			t.Fatalf("one-off round %d: %+v, %v", round, rep, err)
		}
	}
	if got := f.machine.entryIDs(); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("one-off sink got %v, want [1 2] once", got)
	}
	s := f.state()
	if len(s.Outbox) != 2 || len(s.History) != 0 || !slices.Equal(s.Outbox[0].Done, []string{"machine"}) || s.Outbox[0].LeaseOwner != "" {
		t.Fatalf("after the one-off rounds: outbox %+v, history %v", s.Outbox, ids(s.History))
	}
	// The configured sink, stdout, gets the digest after the pause.
	var out strings.Builder
	configured := &Deliverer{Store: f.store, Sinks: []Sink{NewStdoutSink(&out)}, Now: f.clock.Now, Loc: quietLoc}
	f.clock.Set(lt(1, 16, 0))
	rep, err := configured.Deliver(context.Background())
	if err != nil || rep.Delivered != 2 || !strings.HasPrefix(out.String(), "Sinds 14:00: 2 nieuwe cijfers") {
		t.Errorf("configured sink after the pause: %+v, %v, %q", rep, err, out.String())
	}
}

// A send that ends because the round is cancelled (SIGTERM) is no failure
// of the sink: the entry is released for the next deliverer at once, with
// no attempt counted and no backoff.
func TestSendCancelledIsReleasedNotFailed(t *testing.T) {
	f := newDeliverFixture(t, lt(1, 12, 0))
	blocking := &blockingSink{started: make(chan struct{})}
	f.d.Sinks = []Sink{blocking}
	queueEntries(t, f.store, gradeEntry("1", lt(1, 12, 0)), gradeEntry("2", lt(1, 12, 0)))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-blocking.started; cancel() }()
	rep, err := f.d.Deliver(ctx)
	if !errors.Is(err, context.Canceled) || rep.Failed != 0 {
		t.Fatalf("report %+v, %v; want context.Canceled and no failure", rep, err)
	}
	for _, e := range f.state().Outbox {
		if e.LeaseOwner != "" || e.Attempts != 0 || !e.NextAttempt.IsZero() || e.LastError != "" {
			t.Errorf("entry %s after the cancelled round: lease %q, %d attempts, next %v, error %q",
				e.ID, e.LeaseOwner, e.Attempts, e.NextAttempt, e.LastError)
		}
	}
	f.d.Sinks = []Sink{f.machine}
	if rep := f.deliver(); rep.Delivered != 2 {
		t.Errorf("next round: %+v", rep)
	}
}

// blockingSink's Send waits for its context to end, as a hung command does.
type blockingSink struct{ started chan struct{} }

func (*blockingSink) Name() string       { return "machine" }
func (*blockingSink) PeopleFacing() bool { return false }
func (s *blockingSink) Send(ctx context.Context, _ Notification) error {
	close(s.started)
	<-ctx.Done()
	return ctx.Err()
}
