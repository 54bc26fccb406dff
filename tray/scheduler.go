package tray

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
)

// Scheduling constants. They are variables of no one: the Scheduler reads
// them, tests observe them.
const (
	// StartupDelay is how long after Run the first check starts: long enough
	// for a desktop session to settle, short enough to feel immediate.
	StartupDelay = 2 * time.Second
	// ResumeDelay is how long after a detected sleep/resume the catch-up
	// check starts, giving the network a moment to come back.
	ResumeDelay = 10 * time.Second
	// MaxBackoff caps the wait after repeated failures.
	MaxBackoff = time.Hour
	// Heartbeat is the longest the scheduler sleeps without looking at the
	// wall clock. Timers run on the monotonic clock, which stops while the
	// computer sleeps; the heartbeat notices the jump after a resume.
	Heartbeat = 30 * time.Second
	// CheckTimeout bounds one check.
	CheckTimeout = 5 * time.Minute
	// deliverRetry spaces delivery rounds that keep finding work due at once
	// (a busy lock, a lease held by another process).
	deliverRetry = 15 * time.Second
	// jumpTolerance is how far the wall clock may drift from the monotonic
	// clock between two looks before it counts as a sleep or a clock change.
	jumpTolerance = 30 * time.Second
	// retryBase is the first wait after a failure (or the interval, if that
	// is shorter); each further failure doubles it up to MaxBackoff.
	retryBase = time.Minute
	// jitter is the ± fraction applied to every wait, so that many installs
	// do not all ask Magister at the same second.
	jitter = 0.10
)

// Plan is what the scheduler needs to know from the state. The tray reads it
// with Store.View; tests hand in their own.
type Plan struct {
	// Interval is the time between successful checks; zero means
	// state.DefaultInterval.
	Interval time.Duration
	// RetryAt is when Magister allows the next request after a 429; no check
	// starts before it, not even "Check now".
	RetryAt time.Time
	// DeliverAt is when the outbox next has something deliverable (the end
	// of quiet hours or a pause, a retry); zero when it is empty.
	DeliverAt time.Time
}

// PlanFrom derives the Plan from a state at now. interval, when positive,
// overrides the settings (the demo's fast interval).
func PlanFrom(s state.State, now time.Time, interval time.Duration) Plan {
	p := Plan{Interval: s.Settings.EffectiveInterval(), RetryAt: s.Health.RetryAt, DeliverAt: notifier.NextDue(s, now)}
	if interval > 0 {
		p.Interval = interval
	}
	return p
}

// SchedulerStatus is what the scheduler is doing, for the menu.
type SchedulerStatus struct {
	// Checking is true while a check runs.
	Checking bool
	// LastErr is the error of the last check, nil after a success.
	LastErr error
	// Failures counts consecutive failed checks.
	Failures int
	// NextCheck is when the next check is due.
	NextCheck time.Time
}

// Scheduler runs checks and deliveries on time: every interval (±10%
// jitter), backing off exponentially (capped at MaxBackoff) after failures,
// never before a 429's RetryAt, never two at once; a check soon after start,
// after "Check now" and after the computer wakes; a delivery after every
// check and whenever the outbox has something due (the end of quiet hours
// or a pause). It knows nothing about icons or menus.
//
// Set the fields, then call Run once. CheckNow, Replan and Status may be
// called from any goroutine, before or during Run.
type Scheduler struct {
	// Check runs one check. An error counts as a failure for the backoff.
	Check func(ctx context.Context) error
	// Deliver runs one delivery round. Its errors are logged only: the
	// outbox keeps what failed and Plan.DeliverAt says when to retry.
	Deliver func(ctx context.Context) error
	// Plan reads the current plan. An error keeps the previous plan.
	Plan func(ctx context.Context) (Plan, error)
	// Now is the wall clock (default time.Now). Deadlines are wall-clock
	// times, so that a sleep/resume or a clock change is noticed.
	Now func() time.Time
	// Rand returns a number in [0, 1) for the jitter (default math/rand/v2).
	Rand func() float64
	// Logger receives one line per check (default: discard).
	Logger *slog.Logger
	// OnStatus, if set, is called from the scheduler's goroutine whenever
	// the status changes. It must not block.
	OnStatus func(SchedulerStatus)
	// StartupDelay is the wait before the first check (default
	// StartupDelay).
	StartupDelay time.Duration

	once     sync.Once
	checkNow chan struct{}
	replan   chan struct{}

	mu     sync.Mutex
	status SchedulerStatus
}

func (s *Scheduler) init() {
	s.once.Do(func() {
		s.checkNow = make(chan struct{}, 1)
		s.replan = make(chan struct{}, 1)
	})
}

// CheckNow asks for a check as soon as possible (after the running one, and
// not before a 429's RetryAt). Requests made while one is pending merge.
func (s *Scheduler) CheckNow() {
	s.init()
	select {
	case s.checkNow <- struct{}{}:
	default:
	}
}

// Replan makes the scheduler read its Plan again: the interval, a pause or
// the quiet hours may have changed.
func (s *Scheduler) Replan() {
	s.init()
	select {
	case s.replan <- struct{}{}:
	default:
	}
}

// Status returns what the scheduler is doing.
func (s *Scheduler) Status() SchedulerStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func (s *Scheduler) setStatus(f func(*SchedulerStatus)) {
	s.mu.Lock()
	f(&s.status)
	st := s.status
	s.mu.Unlock()
	if s.OnStatus != nil {
		s.OnStatus(st)
	}
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now().Round(0)
	}
	return time.Now().Round(0)
}

func (s *Scheduler) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Scheduler) rand() float64 {
	if s.Rand != nil {
		return s.Rand()
	}
	return rand.Float64()
}

// jittered spreads d by ±10%.
func (s *Scheduler) jittered(d time.Duration) time.Duration {
	f := 1 - jitter + 2*jitter*s.rand()
	return time.Duration(float64(d) * f)
}

// delay is the wait before the next check after failures consecutive
// failures (0: the last check succeeded), jitter included.
func (s *Scheduler) delay(interval time.Duration, failures int) time.Duration {
	if interval <= 0 {
		interval = state.DefaultInterval
	}
	if failures == 0 {
		return s.jittered(interval)
	}
	d := min(interval, retryBase)
	for i := 1; i < failures && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(s.jittered(min(d, MaxBackoff)), MaxBackoff)
}

// Run schedules until ctx ends, then returns ctx's error. A check or
// delivery in progress is cancelled with ctx.
func (s *Scheduler) Run(ctx context.Context) error {
	s.init()
	log := s.logger()
	plan := s.readPlan(ctx, Plan{})
	now := s.now()
	planned := StartupDelay // the wait next was computed with
	if s.StartupDelay > 0 {
		planned = s.StartupDelay
	}
	next := now.Add(planned)
	var lastDeliver time.Time
	deliverAt := s.deliveryDue(plan.DeliverAt, lastDeliver)
	failures := 0
	s.setStatus(func(st *SchedulerStatus) { st.NextCheck = next })

	lastWall, lastMono := now, time.Now()
	timer := time.NewTimer(Heartbeat)
	defer timer.Stop()
	for {
		wake := next
		if !deliverAt.IsZero() && deliverAt.Before(wake) {
			wake = deliverAt
		}
		timer.Reset(min(max(wake.Sub(s.now()), 0), Heartbeat))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.checkNow:
			next, planned = s.now(), 0
		case <-s.replan:
			old := plan
			plan = s.readPlan(ctx, plan)
			deliverAt = s.deliveryDue(plan.DeliverAt, lastDeliver)
			if plan.Interval != old.Interval && failures == 0 {
				// A new interval counts from now, not from the last check.
				planned = s.delay(plan.Interval, 0)
				next = s.now().Add(planned)
			}
		case <-timer.C:
		}

		now = s.now()
		// Did the wall clock move unlike the monotonic clock? Forward: the
		// computer slept (timers stood still) or the clock was set forward.
		// Backward: the clock was set back.
		drift := now.Sub(lastWall) - time.Since(lastMono)
		lastWall, lastMono = now, time.Now()
		switch {
		case drift > jumpTolerance:
			// Check soon, but not at once: the network may still be coming up.
			log.Info("the clock jumped forward (sleep/resume?); checking soon", "jump", drift.Round(time.Second))
			next, planned = now.Add(ResumeDelay), ResumeDelay
		case drift < -jumpTolerance:
			log.Info("the clock was set back; rescheduling", "jump", drift.Round(time.Second))
			if next.Sub(now) > planned {
				next = now.Add(planned)
			}
		}
		if next.Before(plan.RetryAt) {
			next = plan.RetryAt
		}
		if st := s.Status(); !st.NextCheck.Equal(next) {
			s.setStatus(func(st *SchedulerStatus) { st.NextCheck = next })
		}

		switch {
		case !now.Before(next):
			err := s.runCheck(ctx)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				failures++
			} else {
				failures = 0
			}
			s.runDeliver(ctx)
			lastDeliver = s.now()
			plan = s.readPlan(ctx, plan)
			planned = s.delay(plan.Interval, failures)
			next = s.now().Add(planned)
			if next.Before(plan.RetryAt) {
				next = plan.RetryAt
			}
			deliverAt = s.deliveryDue(plan.DeliverAt, lastDeliver)
			s.setStatus(func(st *SchedulerStatus) {
				st.Checking, st.LastErr, st.Failures, st.NextCheck = false, err, failures, next
			})
			if err != nil {
				log.Warn("check failed", "err", err, "failures", failures, "next", next.Format(time.TimeOnly))
			} else {
				log.Info("check done", "next", next.Format(time.TimeOnly))
			}
		case !deliverAt.IsZero() && !now.Before(deliverAt):
			s.runDeliver(ctx)
			lastDeliver = s.now()
			plan = s.readPlan(ctx, plan)
			deliverAt = s.deliveryDue(plan.DeliverAt, lastDeliver)
		}
	}
}

// deliveryDue is when to run the next delivery round, given when the outbox
// has something due: never sooner than deliverRetry after the last round,
// so that work that stays due (a busy lock, another process's lease) is
// retried calmly. Zero means nothing is waiting.
func (s *Scheduler) deliveryDue(due, lastDeliver time.Time) time.Time {
	if due.IsZero() {
		return time.Time{}
	}
	if lastDeliver.IsZero() {
		return due
	}
	return later(due, lastDeliver.Add(deliverRetry))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (s *Scheduler) runCheck(ctx context.Context) error {
	s.setStatus(func(st *SchedulerStatus) { st.Checking = true })
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	if s.Check == nil {
		return nil
	}
	return s.Check(ctx)
}

func (s *Scheduler) runDeliver(ctx context.Context) {
	if s.Deliver == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	if err := s.Deliver(ctx); err != nil && ctx.Err() == nil {
		s.logger().Warn("delivery failed", "err", err)
	}
}

func (s *Scheduler) readPlan(ctx context.Context, old Plan) Plan {
	if s.Plan == nil {
		return old
	}
	p, err := s.Plan(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.logger().Warn("read the schedule from the state", "err", err)
		}
		return old
	}
	return p
}
