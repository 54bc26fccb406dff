// Package notifier turns what Magister shows into notifications: it detects
// changes, queues them in the state's outbox in one transaction, and
// delivers them, exactly once per sink, to the desktop, stdout, JSON lines
// files and commands, holding them through quiet hours and pauses.
package notifier

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/magister-notify/magister-notify/state"
)

// Deliverer takes entries out of the outbox and gives them to its sinks,
// exactly once per sink across any number of processes (see outbox.go).
// Its zero configuration fields mean the defaults. A Deliverer is safe for
// use by several goroutines, though one is enough.
type Deliverer struct {
	Store *state.Store
	Sinks []Sink
	// Now and Loc default to time.Now and time.Local; quiet hours are read
	// in Loc.
	Now func() time.Time
	Loc *time.Location
	// Lease is how long a claim lasts without renewal (default DefaultLease).
	Lease time.Duration
	// Owner identifies this deliverer's leases; empty means a fresh id
	// (pid and random).
	Owner string
	// OneOff makes Sinks a delivery beside the configured sinks
	// (Settings.Sinks, else DefaultSinks), as `check --sink` asks for: the
	// sinks get every entry they have not had and acknowledge it for
	// themselves only, and an entry leaves the outbox once the configured
	// sinks have it too. So a one-off sink never takes what quiet hours or
	// a pause hold for the desktop.
	OneOff bool
	// Getenv reads the locale, which words digests and summaries when the
	// language setting is unset (see state.ResolveLanguage; default
	// os.Getenv).
	Getenv func(string) string

	ownerOnce sync.Once
	owner     string
	// afterShow, when set (tests), runs after a notification was shown and
	// before it is acknowledged.
	afterShow func(sink string, n Notification)
}

// DeliveryReport says what one Deliver call did.
type DeliveryReport struct {
	// Claimed entries were leased for this round.
	Claimed int `json:"claimed"`
	// Shown counts notifications given to sinks (a digest counts once per sink).
	Shown int `json:"shown"`
	// Delivered entries reached every sink and moved to the history.
	Delivered int `json:"delivered"`
	// Failed entries missed at least one sink and wait for a retry.
	Failed int `json:"failed"`
	// Held entries are due but wait for the end of quiet hours or a pause,
	// at HeldUntil.
	Held      int       `json:"held"`
	HeldUntil time.Time `json:"held_until,omitzero"`
}

// SendTimeout bounds one Sink.Send.
const SendTimeout = 30 * time.Second

// releaseTimeout bounds the final release of a round.
const releaseTimeout = 10 * time.Second

// ErrNoSinks is returned by Deliver when the Deliverer has no sinks.
var ErrNoSinks = errors.New("notifier: no sinks to deliver to")

// Deliver runs one delivery round: claim what is due, show it, acknowledge
// it. Call it after every check and from time to time (the tray's tick), so
// that held entries and retries go out when their time comes.
//
// While quiet hours or a pause hold notifications nothing is claimed, not
// even for the jsonl and exec sinks, which get their records when the
// people-facing sinks get the digest. A Deliverer without people-facing
// sinks is never held: there is nobody to keep quiet for.
//
// Sink failures do not stop the round; they are returned joined, each a
// *SinkError, and the entries concerned stay in the outbox for that sink.
func (d *Deliverer) Deliver(ctx context.Context) (*DeliveryReport, error) {
	if len(d.Sinks) == 0 {
		return nil, ErrNoSinks
	}
	rep := &DeliveryReport{}
	now := d.now()
	claimed, settings, err := d.claim(ctx, now, rep)
	if err != nil || len(claimed) == 0 {
		return rep, err
	}
	r := &round{
		mine:       map[string]bool{},
		leaseUntil: now.Add(d.lease()),
		failed:     map[string]string{},
		sinkErr:    map[string]*SinkError{},
	}
	for _, e := range claimed {
		r.mine[e.ID] = true
	}
	shows := d.plan(claimed, settings, now)
	showErr := d.show(ctx, r, shows, rep)
	// Free the leases even when ctx was cancelled (Ctrl-C), so the entries
	// need not wait for the lease to expire.
	relCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	relErr := d.release(relCtx, r)
	rep.Failed = len(r.failed)
	var errs []error
	for _, s := range d.Sinks {
		if se := r.sinkErr[s.Name()]; se != nil {
			errs = append(errs, se)
		}
	}
	return rep, errors.Join(append(errs, showErr, relErr)...)
}

// DeliverAfter is the delivery round that follows the check that reported
// rep: when the check left the outbox empty there is nothing to claim, and
// it does not read the state at all.
func (d *Deliverer) DeliverAfter(ctx context.Context, rep *Report) (*DeliveryReport, error) {
	if rep != nil && rep.Pending == 0 {
		return &DeliveryReport{}, nil
	}
	return d.Deliver(ctx)
}

// round is what one Deliver call knows while it shows.
type round struct {
	mine       map[string]bool   // entries we hold the lease of
	leaseUntil time.Time         // when our leases end unless renewed
	failed     map[string]string // entry id → error, to record at release
	sinkErr    map[string]*SinkError
}

// show is one notification for one sink.
type show struct {
	sink Sink
	n    Notification
}

func (d *Deliverer) claim(ctx context.Context, now time.Time, rep *DeliveryReport) ([]state.Entry, state.Settings, error) {
	var claimed []state.Entry
	var settings state.Settings
	err := d.Store.Update(ctx, func(s *state.State) error {
		settings = s.Settings
		var changed bool
		claimed, changed = d.scan(s, now, rep)
		if !changed {
			return errUnchanged
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		err = nil
	}
	if err != nil {
		return nil, settings, err
	}
	slices.SortStableFunc(claimed, func(a, b state.Entry) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	return claimed, settings, nil
}

// scan walks the outbox at now: entries every sink has move to the history
// and due entries are claimed, or counted as held while quiet hours or a
// pause last. It reports whether it changed s.
func (d *Deliverer) scan(s *state.State, now time.Time, rep *DeliveryReport) (claimed []state.Entry, changed bool) {
	names := d.sinkNames()
	owner := d.ownerID()
	finished := d.finished(s.Settings)
	*rep = DeliveryReport{}
	var hold time.Time
	if slices.ContainsFunc(d.Sinks, Sink.PeopleFacing) {
		hold = HoldUntil(s.Settings, now)
	}
	for i := 0; i < len(s.Outbox); i++ {
		e := &s.Outbox[i]
		free := e.LeaseOwner == "" || e.LeaseOwner == owner || !now.Before(e.LeaseUntil)
		if free && finished(e) {
			// Every sink has it (the sinks changed since): done.
			moveToHistory(s, i, now)
			i--
			rep.Delivered++
			changed = true
			continue
		}
		if !claimable(e, owner, now) || len(pendingSinks(e, names)) == 0 {
			continue // someone else's, or ours have it and it waits for the configured sinks
		}
		if !hold.IsZero() {
			rep.Held++
			rep.HeldUntil = hold
			continue
		}
		e.LeaseOwner, e.LeaseUntil = owner, now.Add(d.lease())
		c := *e
		c.Done = slices.Clone(e.Done)
		claimed = append(claimed, c)
		changed = true
	}
	rep.Claimed = len(claimed)
	return claimed, changed
}

// plan lists what each sink gets, in the order of the sinks.
func (d *Deliverer) plan(claimed []state.Entry, s state.Settings, now time.Time) []show {
	w := wording{Lang: state.ResolveLanguage(s.Language, getenvOr(d.Getenv)), Loc: d.loc()}
	var shows []show
	for _, sk := range d.Sinks {
		var todo []state.Entry
		for _, e := range claimed {
			if !slices.Contains(e.Done, sk.Name()) {
				todo = append(todo, e)
			}
		}
		if len(todo) == 0 {
			continue
		}
		if sk.PeopleFacing() {
			for _, n := range planPeople(w, s, todo, now) {
				shows = append(shows, show{sk, n})
			}
			continue
		}
		for _, e := range todo {
			shows = append(shows, show{sk, entryNotification(e)})
		}
	}
	return shows
}

// show gives each notification to its sink and acknowledges it at once, so
// that a crash repeats at most the notification in between.
func (d *Deliverer) show(ctx context.Context, r *round, shows []show, rep *DeliveryReport) error {
	margin := min(SendTimeout, d.lease()/2)
	for _, sh := range shows {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		name := sh.sink.Name()
		if se := r.sinkErr[name]; se != nil {
			// The sink failed in this round: the rest waits for the retry.
			r.fail(sh.n.Entries, se)
			continue
		}
		if !r.holds(sh.n.Entries) {
			continue // our lease ran out and someone else has it
		}
		now := d.now()
		if now.Add(margin).After(r.leaseUntil) {
			// Too close to the end of our lease to start a show that another
			// deliverer could repeat; release and let the next round go on.
			return nil
		}
		n := sh.n
		n.Delivered = now
		sendCtx, cancel := context.WithTimeout(ctx, SendTimeout)
		err := sh.sink.Send(sendCtx, n)
		cancel()
		if err != nil && ctx.Err() != nil {
			// Stopped (Ctrl-C, SIGTERM), not failed: the entries are
			// released with no attempt counted, for the next deliverer to
			// show at once. If the sink had shown them, they are repeated.
			return ctx.Err()
		}
		if err != nil {
			se := &SinkError{Sink: name, Err: err}
			r.sinkErr[name] = se
			r.fail(n.Entries, se)
			continue
		}
		rep.Shown++
		if d.afterShow != nil {
			d.afterShow(name, n)
		}
		// What was shown is acknowledged even if ctx ends now.
		if err := d.ack(context.WithoutCancel(ctx), r, name, n.Entries, rep); err != nil {
			return err
		}
	}
	return nil
}

func (r *round) fail(ids []string, err error) {
	for _, id := range ids {
		if _, ok := r.failed[id]; !ok {
			r.failed[id] = shortError(err)
		}
	}
}

func (r *round) holds(ids []string) bool {
	for _, id := range ids {
		if !r.mine[id] {
			return false
		}
	}
	return true
}

// ack records that sink has the entries ids and renews our other leases.
func (d *Deliverer) ack(ctx context.Context, r *round, sink string, ids []string, rep *DeliveryReport) error {
	now := d.now()
	owner := d.ownerID()
	var delivered int
	var mine map[string]bool
	err := d.Store.Update(ctx, func(s *state.State) error {
		delivered, mine = 0, map[string]bool{}
		finished := d.finished(s.Settings)
		for _, id := range ids {
			i := outboxIndex(s, id)
			if i < 0 {
				continue // finished by a deliverer that took over our expired lease
			}
			e := &s.Outbox[i]
			if !slices.Contains(e.Done, sink) {
				e.Done = append(e.Done, sink)
			}
			if finished(e) {
				moveToHistory(s, i, now)
				delivered++
			}
		}
		for i := range s.Outbox {
			if e := &s.Outbox[i]; e.LeaseOwner == owner {
				e.LeaseUntil = now.Add(d.lease())
				mine[e.ID] = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	rep.Delivered += delivered
	r.mine = mine
	r.leaseUntil = now.Add(d.lease())
	return nil
}

// release frees our remaining leases and records this round's failures:
// Attempts, LastError and the backoff before the next attempt.
func (d *Deliverer) release(ctx context.Context, r *round) error {
	if len(r.mine) == 0 && len(r.failed) == 0 {
		return nil // everything claimed was acknowledged into the history
	}
	now := d.now()
	owner := d.ownerID()
	err := d.Store.Update(ctx, func(s *state.State) error {
		changed := false
		for i := range s.Outbox {
			e := &s.Outbox[i]
			if e.LeaseOwner != owner {
				continue
			}
			e.LeaseOwner, e.LeaseUntil = "", time.Time{}
			if msg, ok := r.failed[e.ID]; ok {
				e.Attempts++
				e.NextAttempt = now.Add(retryDelay(e.Attempts))
				e.LastError = msg
			}
			changed = true
		}
		if !changed {
			return errUnchanged
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// finished returns the test of whether an entry may leave the outbox for
// the history: every sink that must have it has it. Those are the
// deliverer's own sinks or, for a one-off deliverer, the configured ones;
// when those do not parse, a one-off deliverer finishes nothing.
func (d *Deliverer) finished(s state.Settings) func(*state.Entry) bool {
	need := d.sinkNames()
	if d.OneOff {
		var err error
		if need, err = configuredSinkNames(s.Sinks); err != nil {
			return func(*state.Entry) bool { return false }
		}
	}
	return func(e *state.Entry) bool { return len(pendingSinks(e, need)) == 0 }
}

func (d *Deliverer) sinkNames() []string {
	names := make([]string, len(d.Sinks))
	for i, s := range d.Sinks {
		names[i] = s.Name()
	}
	return names
}

func (d *Deliverer) ownerID() string {
	d.ownerOnce.Do(func() {
		d.owner = d.Owner
		if d.owner == "" {
			d.owner = newOwner()
		}
	})
	return d.owner
}

func (d *Deliverer) now() time.Time {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	return now().In(d.loc())
}

func (d *Deliverer) loc() *time.Location {
	if d.Loc != nil {
		return d.Loc
	}
	return time.Local
}

func (d *Deliverer) lease() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return DefaultLease
}

// NextDue is the earliest moment after now at which something in the outbox
// of s can be delivered (for a people-facing deliverer), or the zero time
// when the outbox is empty. A scheduler can sleep until then.
func NextDue(s state.State, now time.Time) time.Time {
	var next time.Time
	for _, e := range s.Outbox {
		t := readyAt(e)
		if e.NextAttempt.After(t) {
			t = e.NextAttempt
		}
		if e.LeaseOwner != "" && e.LeaseUntil.After(t) {
			t = e.LeaseUntil
		}
		if t.Before(now) {
			t = now
		}
		if until := HoldUntil(s.Settings, t.In(now.Location())); !until.IsZero() {
			t = until
		}
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	return next
}
