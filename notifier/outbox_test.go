package notifier

import (
	"context"
	"errors"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/testenv"
	"github.com/magister-notify/magister-notify/state"
)

// memSink records what it is sent and fails while err is set.
type memSink struct {
	name   string
	people bool

	mu   sync.Mutex
	got  []Notification
	err  error
	send func() // runs at every Send, before anything else (tests move clocks)
}

func (s *memSink) Name() string       { return s.name }
func (s *memSink) PeopleFacing() bool { return s.people }

func (s *memSink) Send(_ context.Context, n Notification) error {
	if s.send != nil {
		s.send()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.got = append(s.got, n)
	return nil
}

func (s *memSink) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *memSink) sent() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// entryIDs lists the entries the sink got, in order, with repeats.
func (s *memSink) entryIDs() []string {
	var ids []string
	for _, n := range s.sent() {
		ids = append(ids, n.Entries...)
	}
	return ids
}

func peopleSink() *memSink  { return &memSink{name: "people", people: true} }
func machineSink() *memSink { return &memSink{name: "machine"} }

func openOutboxStore(t testing.TB, dir string) *state.Store {
	t.Helper()
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func queueEntries(t testing.TB, st *state.Store, es ...state.Entry) {
	t.Helper()
	if err := st.Update(context.Background(), func(s *state.State) error {
		s.Outbox = append(s.Outbox, es...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func setSettings(t testing.TB, st *state.Store, fn func(*state.Settings)) {
	t.Helper()
	if err := st.Update(context.Background(), func(s *state.State) error { fn(&s.Settings); return nil }); err != nil {
		t.Fatal(err)
	}
}

func readState(t testing.TB, st *state.Store) state.State {
	t.Helper()
	var out state.State
	if err := st.View(context.Background(), func(s state.State) error { out = s; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// gradeEntry is a new-grade entry made at created.
func gradeEntry(id string, created time.Time) state.Entry {
	return state.Entry{ID: id, Kind: state.KindGrades, Change: ChangeNew, Child: "Sem",
		Title: "Nieuw cijfer " + id, Body: "Wiskunde 7,5", URL: "https://school.example/magister/#/cijfers",
		Created: created, Batch: "b-" + created.Format("150405")}
}

func ids(es []state.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func TestRetryDelay(t *testing.T) {
	want := map[int]time.Duration{
		1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 4: 4 * time.Minute, 5: 8 * time.Minute,
		6: 16 * time.Minute, 7: 32 * time.Minute, 8: time.Hour, 9: time.Hour, 1000: time.Hour,
	}
	for n, d := range want {
		if got := retryDelay(n); got != d {
			t.Errorf("retryDelay(%d) = %v, want %v", n, got, d)
		}
	}
}

func TestPendingFailures(t *testing.T) {
	next := time.Date(2025, 12, 1, 14, 5, 0, 0, time.Local)
	s := state.State{Outbox: []state.Entry{
		{ID: "a", LastError: "desktop: no notification daemon", Attempts: 2, NextAttempt: next.Add(time.Minute)},
		{ID: "b"},
		{ID: "c", LastError: "exec#12345678: command failed: exit status 1", Attempts: 1, NextAttempt: next},
		{ID: "d", LastError: "desktop: no notification daemon", Attempts: 3, NextAttempt: next},
	}}
	got := PendingFailures(s)
	want := []string{
		"desktop: no notification daemon (2 waiting, 3 attempts, next try 14:05)",
		"exec#12345678: command failed: exit status 1 (1 waiting, 1 attempt, next try 14:05)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := PendingFailures(state.State{}); len(got) != 0 {
		t.Errorf("empty outbox: %q", got)
	}
}

func TestShortError(t *testing.T) {
	err := errors.New("line one\nline two   with  spaces " + strings.Repeat("x", 300))
	got := shortError(err)
	if strings.Contains(got, "\n") || len([]rune(got)) > lastErrorLimit || !strings.HasPrefix(got, "line one line two with spaces x") {
		t.Errorf("shortError = %q", got)
	}
}

// TestClaimIsExclusiveUntilTheLeaseExpires uses two deliverers with their
// own Store handles on one directory, as two processes would.
func TestClaimIsExclusiveUntilTheLeaseExpires(t *testing.T) {
	dir := t.TempDir()
	clock := testenv.NewClock(lt(1, 12, 0))
	a := &Deliverer{Store: openOutboxStore(t, dir), Sinks: []Sink{machineSink()}, Now: clock.Now, Loc: quietLoc}
	b := &Deliverer{Store: openOutboxStore(t, dir), Sinks: []Sink{machineSink()}, Now: clock.Now, Loc: quietLoc}
	queueEntries(t, a.Store, gradeEntry("1", clock.Now()), gradeEntry("2", clock.Now()))
	ctx := context.Background()

	gotA, _, err := a.claim(ctx, clock.Now(), &DeliveryReport{})
	if err != nil || len(gotA) != 2 {
		t.Fatalf("a claimed %v, %v", ids(gotA), err)
	}
	gotB, _, err := b.claim(ctx, clock.Now(), &DeliveryReport{})
	if err != nil || len(gotB) != 0 {
		t.Fatalf("b claimed %v while a holds the lease (%v)", ids(gotB), err)
	}
	s := readState(t, a.Store)
	if e := s.Outbox[0]; e.LeaseOwner != a.ownerID() || !e.LeaseUntil.Equal(clock.Now().Add(DefaultLease)) {
		t.Errorf("lease %q until %v", e.LeaseOwner, e.LeaseUntil)
	}
	if a.ownerID() == b.ownerID() || !strings.HasPrefix(a.ownerID(), strings.Split(b.ownerID(), "-")[0]+"-") {
		t.Errorf("owners %q and %q: want pid-random, distinct", a.ownerID(), b.ownerID())
	}

	clock.Advance(DefaultLease - time.Second)
	if got, _, _ := b.claim(ctx, clock.Now(), &DeliveryReport{}); len(got) != 0 {
		t.Fatalf("b claimed %v a second before the lease ends", ids(got))
	}
	clock.Advance(time.Second) // a crashed: its lease has expired
	gotB, _, err = b.claim(ctx, clock.Now(), &DeliveryReport{})
	if err != nil || len(gotB) != 2 {
		t.Fatalf("b reclaimed %v, %v", ids(gotB), err)
	}
	// a comes back to life: it holds nothing any more and shows nothing.
	r := &round{mine: map[string]bool{}, failed: map[string]string{}, sinkErr: map[string]*SinkError{}}
	if err := a.ack(ctx, r, "other", nil, &DeliveryReport{}); err != nil {
		t.Fatal(err)
	}
	if r.holds([]string{"1"}) || r.holds([]string{"2"}) {
		t.Error("a still thinks it holds the entries b took over")
	}
}

func TestNothingToDoWritesNothing(t *testing.T) {
	st := openOutboxStore(t, t.TempDir())
	setSettings(t, st, func(s *state.Settings) { s.Language = "en" })
	clock := testenv.NewClock(lt(1, 12, 0))
	d := &Deliverer{Store: st, Sinks: []Sink{peopleSink()}, Now: clock.Now, Loc: quietLoc}
	// rewritten reports whether deliver replaced the state file. The old
	// file stays open meanwhile, so that its inode number cannot be reused.
	rewritten := func(deliver func()) bool {
		t.Helper()
		f, err := os.Open(st.Path())
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		before, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		deliver()
		after, err := os.Stat(st.Path())
		if err != nil {
			t.Fatal(err)
		}
		return !os.SameFile(before, after)
	}
	unchanged := func(what string, deliver func()) {
		t.Helper()
		if rewritten(deliver) {
			t.Errorf("%s: a Deliver that changed nothing rewrote the state file", what)
		}
	}
	unchanged("empty outbox", func() {
		if _, err := d.Deliver(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	clock.Set(lt(1, 23, 0))
	queueEntries(t, st, gradeEntry("1", clock.Now()))
	unchanged("held entry", func() {
		rep, err := d.Deliver(context.Background())
		if err != nil || rep.Held != 1 {
			t.Fatalf("report %+v, %v", rep, err)
		}
	})
	// The check itself can fail: a Deliver that claims does write.
	clock.Set(lt(2, 7, 0))
	if !rewritten(func() {
		if rep, err := d.Deliver(context.Background()); err != nil || rep.Delivered != 1 {
			t.Fatalf("report %+v, %v", rep, err)
		}
	}) {
		t.Error("the state file looks unchanged after a delivery: the check above proves nothing")
	}
}

// TestCrashBetweenShowAndAck repeats at most the notification shown just
// before the crash. The crash is simulated by ending the delivering
// goroutine right after a show; real processes do it in
// TestDeliverersInSeparateProcesses.
func TestCrashBetweenShowAndAck(t *testing.T) {
	dir := t.TempDir()
	clock := testenv.NewClock(lt(1, 12, 0))
	jl := machineSink()
	var es []state.Entry
	for _, id := range []string{"1", "2", "3", "4", "5"} {
		es = append(es, gradeEntry(id, clock.Now()))
	}
	crashing := &Deliverer{Store: openOutboxStore(t, dir), Sinks: []Sink{jl}, Now: clock.Now, Loc: quietLoc}
	queueEntries(t, crashing.Store, es...)
	shows := 0
	crashing.afterShow = func(string, Notification) {
		if shows++; shows == 3 {
			runtime.Goexit() // dies between the third show and its ack
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		crashing.Deliver(context.Background())
		t.Error("Deliver returned instead of crashing")
	}()
	<-done
	if got := jl.entryIDs(); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Fatalf("before the crash: %v", got)
	}

	other := &Deliverer{Store: openOutboxStore(t, dir), Sinks: []Sink{jl}, Now: clock.Now, Loc: quietLoc}
	if rep, err := other.Deliver(context.Background()); err != nil || rep.Claimed != 0 {
		t.Fatalf("claimed under a live lease: %+v, %v", rep, err)
	}
	clock.Advance(DefaultLease)
	rep, err := other.Deliver(context.Background())
	if err != nil || rep.Claimed != 3 || rep.Delivered != 3 {
		t.Fatalf("after the lease: %+v, %v", rep, err)
	}
	if got := jl.entryIDs(); !slices.Equal(got, []string{"1", "2", "3", "3", "4", "5"}) {
		t.Errorf("delivered %v: want only entry 3 repeated", got)
	}
	s := readState(t, other.Store)
	if len(s.Outbox) != 0 || len(s.History) != 5 {
		t.Errorf("outbox %v, history %v", ids(s.Outbox), ids(s.History))
	}
}
