package tray

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/magister-notify/magister-notify/state"
)

// fakeJobs records when the scheduler checked and delivered, by the bubble's
// clock (time.Now inside synctest, which only moves when everything waits).
type fakeJobs struct {
	mu        sync.Mutex
	checks    []time.Time
	delivers  []time.Time
	fail      func(n int) error // the error of check n (0-based)
	plan      Plan
	planCalls int
	block     chan struct{} // when set, Check waits for it
	running   int
	maxRun    int
}

func (f *fakeJobs) Check(ctx context.Context) error {
	f.mu.Lock()
	n := len(f.checks)
	f.checks = append(f.checks, time.Now())
	f.running++
	f.maxRun = max(f.maxRun, f.running)
	block, fail := f.block, f.fail
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
		}
	}
	f.mu.Lock()
	f.running--
	f.mu.Unlock()
	if fail != nil {
		return fail(n)
	}
	return nil
}

func (f *fakeJobs) Deliver(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delivers = append(f.delivers, time.Now())
	return nil
}

func (f *fakeJobs) Plan(context.Context) (Plan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.planCalls++
	return f.plan, nil
}

func (f *fakeJobs) setPlan(p Plan) {
	f.mu.Lock()
	f.plan = p
	f.mu.Unlock()
}

func (f *fakeJobs) checkTimes() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.checks...)
}

func (f *fakeJobs) deliverTimes() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.delivers...)
}

// wallClock is the injected wall clock: the bubble's time plus an offset a
// test moves to play a sleep/resume or a clock change.
type wallClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *wallClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *wallClock) jump(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// start runs a scheduler over jobs in the bubble and returns it and a stop
// function that ends it and waits for Run to return.
func start(t *testing.T, jobs *fakeJobs, clock *wallClock, rnd func() float64) (*Scheduler, func()) {
	t.Helper()
	s := &Scheduler{Check: jobs.Check, Deliver: jobs.Deliver, Plan: jobs.Plan, Now: clock.Now, Rand: rnd}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return s, func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	}
}

func gaps(ts []time.Time) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(ts); i++ {
		out = append(out, ts[i].Sub(ts[i-1]))
	}
	return out
}

func TestSchedulerStartupCheckThenIntervalWithJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		jobs := &fakeJobs{plan: Plan{Interval: 15 * time.Minute}}
		// Alternate the extremes of the jitter, then the middle.
		seq := []float64{0, 0.999999, 0.5}
		i := 0
		rnd := func() float64 { v := seq[i%len(seq)]; i++; return v }
		t0 := time.Now()
		_, stop := start(t, jobs, &wallClock{}, rnd)
		time.Sleep(3 * time.Hour)
		stop()

		checks := jobs.checkTimes()
		if len(checks) < 10 {
			t.Fatalf("%d checks in 3 hours, want about 12", len(checks))
		}
		if first := checks[0].Sub(t0); first != StartupDelay {
			t.Errorf("first check after %v, want %v", first, StartupDelay)
		}
		lo, hi := 13*time.Minute+30*time.Second, 16*time.Minute+30*time.Second
		sawLo, sawHi := false, false
		for i, g := range gaps(checks) {
			if g < lo || g > hi {
				t.Errorf("gap %d is %v, outside 15m ±10%% [%v, %v]", i, g, lo, hi)
			}
			sawLo = sawLo || g == lo
			sawHi = sawHi || g > hi-time.Second
		}
		if !sawLo || !sawHi {
			t.Errorf("the jitter extremes were not used: %v", gaps(checks))
		}
		// A delivery round follows every check.
		if d := jobs.deliverTimes(); len(d) != len(checks) {
			t.Errorf("%d deliveries for %d checks", len(d), len(checks))
		}
	})
}

func TestSchedulerRandomJitterStaysInBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		jobs := &fakeJobs{plan: Plan{Interval: 5 * time.Minute}}
		_, stop := start(t, jobs, &wallClock{}, nil) // the real random source
		time.Sleep(10 * time.Hour)
		stop()
		g := gaps(jobs.checkTimes())
		if len(g) < 100 {
			t.Fatalf("only %d checks", len(g)+1)
		}
		distinct := map[time.Duration]bool{}
		for _, d := range g {
			if d < 4*time.Minute+30*time.Second || d > 5*time.Minute+30*time.Second {
				t.Fatalf("gap %v outside 5m ±10%%", d)
			}
			distinct[d] = true
		}
		if len(distinct) < len(g)/2 {
			t.Errorf("only %d distinct gaps in %d: no jitter?", len(distinct), len(g))
		}
	})
}

func TestSchedulerBacksOffExponentiallyToAnHour(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		failing := true
		jobs := &fakeJobs{plan: Plan{Interval: 15 * time.Minute}, fail: func(int) error {
			mu.Lock()
			defer mu.Unlock()
			if failing {
				return errors.New("magister unreachable")
			}
			return nil
		}}
		s, stop := start(t, jobs, &wallClock{}, func() float64 { return 0.5 }) // no jitter
		time.Sleep(StartupDelay + (1+2+4+8+16+32+60+60)*time.Minute + time.Second)
		if st := s.Status(); st.Failures != 9 || st.LastErr == nil {
			t.Errorf("status after 9 failures: %+v", st)
		}
		mu.Lock()
		failing = false
		mu.Unlock()
		time.Sleep(61*time.Minute + 15*time.Minute)
		stop()
		want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60, 15}
		got := gaps(jobs.checkTimes())
		if len(got) < len(want) {
			t.Fatalf("gaps %v, want %v minutes", got, want)
		}
		for i, w := range want {
			if got[i] != w*time.Minute {
				t.Errorf("gap %d = %v, want %v (all: %v)", i, got[i], w*time.Minute, got)
			}
		}
	})
}

func TestSchedulerBackoffNeverExceedsAnHourWithJitter(t *testing.T) {
	s := &Scheduler{Rand: func() float64 { return 0.999999 }}
	for n := 1; n < 20; n++ {
		if d := s.delay(15*time.Minute, n); d > MaxBackoff {
			t.Fatalf("delay after %d failures = %v", n, d)
		}
	}
	// The first retry waits no longer than a short interval itself.
	s.Rand = func() float64 { return 0.5 }
	if d := s.delay(20*time.Second, 1); d != 20*time.Second {
		t.Errorf("first retry with a 20s interval waits %v", d)
	}
	if d := s.delay(0, 0); d != state.DefaultInterval {
		t.Errorf("zero interval waits %v, want the default", d)
	}
}

func TestSchedulerHonoursRetryAtEvenForCheckNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := &wallClock{}
		retryAt := clock.Now().Add(3 * time.Hour).Round(0)
		jobs := &fakeJobs{plan: Plan{Interval: 15 * time.Minute}}
		jobs.fail = func(n int) error {
			if n == 0 {
				jobs.plan.RetryAt = retryAt // the check recorded Magister's 429 (under jobs.mu)
				return errors.New("rate limited")
			}
			return nil
		}
		s, stop := start(t, jobs, clock, func() float64 { return 0.5 })
		time.Sleep(time.Hour)
		s.CheckNow()
		time.Sleep(time.Minute)
		if n := len(jobs.checkTimes()); n != 1 {
			t.Fatalf("%d checks before RetryAt (after Check now), want 1", n)
		}
		if st := s.Status(); !st.NextCheck.Equal(retryAt) {
			t.Errorf("NextCheck %v, want RetryAt %v", st.NextCheck, retryAt)
		}
		time.Sleep(2*time.Hour + time.Second)
		stop()
		checks := jobs.checkTimes()
		if len(checks) < 2 {
			t.Fatal("no check after RetryAt")
		}
		if at := checks[1].Add(clock.offset); at.Before(retryAt) || at.After(retryAt.Add(time.Second)) {
			t.Errorf("second check at %v, want at RetryAt %v", at, retryAt)
		}
	})
}

func TestSchedulerNeverOverlapsAndMergesCheckNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		block := make(chan struct{})
		jobs := &fakeJobs{plan: Plan{Interval: 15 * time.Minute}, block: block}
		s, stop := start(t, jobs, &wallClock{}, nil)
		time.Sleep(StartupDelay)
		synctest.Wait()
		if !s.Status().Checking {
			t.Fatal("the start-up check is not running")
		}
		for range 5 {
			s.CheckNow()
			time.Sleep(10 * time.Second)
		}
		if n := len(jobs.checkTimes()); n != 1 {
			t.Fatalf("%d checks started while one ran", n)
		}
		jobs.mu.Lock()
		jobs.block = nil
		jobs.mu.Unlock()
		close(block)
		synctest.Wait()
		stop()
		checks := jobs.checkTimes()
		if len(checks) != 2 {
			t.Fatalf("%d checks: the five Check now requests should merge into one", len(checks))
		}
		if jobs.maxRun != 1 {
			t.Errorf("%d checks ran at once", jobs.maxRun)
		}
	})
}

func TestSchedulerCheckNowIsImmediate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		jobs := &fakeJobs{plan: Plan{Interval: 15 * time.Minute}}
		s, stop := start(t, jobs, &wallClock{}, nil)
		time.Sleep(5 * time.Minute)
		asked := time.Now()
		s.CheckNow()
		synctest.Wait()
		stop()
		checks := jobs.checkTimes()
		if len(checks) != 2 || !checks[1].Equal(asked) {
			t.Fatalf("checks %v; want the second at %v", checks, asked)
		}
	})
}

func TestSchedulerChecksSoonAfterResume(t *testing.T) {
	// A long sleep (every deadline passed) and a short one (the next check
	// was still far off) both lead to one catch-up check, soon but not at
	// once.
	for _, sleep := range []time.Duration{3 * time.Hour, 5 * time.Minute} {
		t.Run(sleep.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				clock := &wallClock{}
				jobs := &fakeJobs{plan: Plan{Interval: 15 * time.Minute}}
				_, stop := start(t, jobs, clock, func() float64 { return 0.5 })
				time.Sleep(time.Minute) // the start-up check is done
				// The computer sleeps: the wall clock jumps, the monotonic
				// clock (and every timer) stood still.
				clock.jump(sleep)
				resumed := time.Now()
				time.Sleep(5 * time.Minute)
				stop()
				checks := jobs.checkTimes()
				if len(checks) != 2 {
					t.Fatalf("%d checks after the resume, want exactly one catch-up check (no flood): %v", len(checks)-1, checks)
				}
				if after := checks[1].Sub(resumed); after < ResumeDelay || after > Heartbeat+ResumeDelay {
					t.Errorf("catch-up check %v after the resume, want within [%v, %v]", after, ResumeDelay, Heartbeat+ResumeDelay)
				}
			})
		})
	}
}

func TestSchedulerClockSetBackDoesNotStall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := &wallClock{}
		jobs := &fakeJobs{plan: Plan{Interval: 15 * time.Minute}}
		_, stop := start(t, jobs, clock, func() float64 { return 0.5 })
		time.Sleep(time.Minute)
		clock.jump(-5 * time.Hour)
		time.Sleep(16 * time.Minute)
		stop()
		if n := len(jobs.checkTimes()); n != 2 {
			t.Fatalf("%d checks in 17 minutes after the clock went back 5h, want 2", n)
		}
	})
}

func TestSchedulerDeliversWhenHoldEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := &wallClock{}
		end := clock.Now().Add(40 * time.Minute).Round(0) // quiet hours end
		jobs := &fakeJobs{plan: Plan{Interval: 2 * time.Hour, DeliverAt: end}}
		_, stop := start(t, jobs, clock, func() float64 { return 0.5 })
		time.Sleep(StartupDelay + time.Second)
		if n := len(jobs.deliverTimes()); n != 1 {
			t.Fatalf("%d deliveries after the start-up check", n)
		}
		time.Sleep(39 * time.Minute)
		synctest.Wait()
		jobs.setPlan(Plan{Interval: 2 * time.Hour}) // what the delivery will leave
		time.Sleep(2 * time.Minute)
		d := jobs.deliverTimes()
		if len(d) != 2 || !d[1].Equal(end) {
			t.Fatalf("deliveries at %v, want the second at the end of quiet hours %v", d, end)
		}
		time.Sleep(30 * time.Minute)
		stop()
		if n := len(jobs.checkTimes()); n != 1 {
			t.Errorf("%d checks; delivering must not need a check", n)
		}
		if n := len(jobs.deliverTimes()); n != 2 {
			t.Errorf("%d deliveries with an empty outbox", n)
		}
	})
}

func TestSchedulerReplanPicksUpANewInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		jobs := &fakeJobs{plan: Plan{Interval: 2 * time.Hour}}
		s, stop := start(t, jobs, &wallClock{}, func() float64 { return 0.5 })
		time.Sleep(time.Minute)
		jobs.setPlan(Plan{Interval: 10 * time.Minute})
		s.Replan()
		changed := time.Now()
		time.Sleep(11 * time.Minute)
		stop()
		checks := jobs.checkTimes()
		if len(checks) != 2 || checks[1].Sub(changed) != 10*time.Minute {
			t.Fatalf("checks %v; want one 10 minutes after the change at %v", checks, changed)
		}
	})
}

func TestSchedulerReportsStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var seen []SchedulerStatus
		jobs := &fakeJobs{plan: Plan{Interval: 15 * time.Minute}, fail: func(int) error { return errors.New("down") }}
		s := &Scheduler{Check: jobs.Check, Deliver: jobs.Deliver, Plan: jobs.Plan, Rand: func() float64 { return 0.5 },
			OnStatus: func(st SchedulerStatus) { mu.Lock(); seen = append(seen, st); mu.Unlock() }}
		ctx, cancel := context.WithCancel(context.Background())
		go s.Run(ctx)
		time.Sleep(StartupDelay + time.Second)
		cancel()
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		var checking, failed bool
		for _, st := range seen {
			checking = checking || st.Checking
			failed = failed || (st.Failures == 1 && st.LastErr != nil && !st.Checking && !st.NextCheck.IsZero())
		}
		if !checking || !failed {
			t.Errorf("status updates %+v: want one while checking and one after the failure", seen)
		}
	})
}
