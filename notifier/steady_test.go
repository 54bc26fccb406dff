package notifier

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister"
)

// TestSteadyStateCheckFileWork holds a check that finds nothing new, and the
// delivery round after it, to their budget of state file work: the check's
// own read, its transaction's read and write, and nothing for delivery when
// the outbox is empty.
func TestSteadyStateCheckFileWork(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, ams)
	src := &memSource{grades: map[int][]magister.Grade{1: {grade(1, "7,5")}, 2: {grade(50, "6,0")}}}
	c := newChecker(t, src, now, parentState)
	sinks, err := ParseSinks([]string{"jsonl:" + filepath.Join(t.TempDir(), "out.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	d := &Deliverer{Store: c.Store, Sinks: sinks, Now: func() time.Time { return now }}
	ctx := context.Background()
	round := func() *DeliveryReport {
		t.Helper()
		rep, err := c.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Err != nil {
			t.Fatal(rep.Err)
		}
		dr, err := d.DeliverAfter(ctx, rep)
		if err != nil {
			t.Fatal(err)
		}
		return dr
	}
	round() // the baseline
	decodes0, writes0 := c.Store.IOCounts()
	round()
	decodes, writes := c.Store.IOCounts()
	decodes, writes = decodes-decodes0, writes-writes0
	t.Logf("steady-state check and delivery: %d decodes, %d writes", decodes, writes)
	if decodes > 2 {
		t.Errorf("a steady-state check decoded the state %d times, want at most 2", decodes)
	}
	if writes > 1 {
		t.Errorf("a steady-state check wrote the state %d times, want at most 1", writes)
	}

	// Something new is still delivered right after the check.
	src.grades[1] = append(src.grades[1], grade(2, "8,0"))
	if dr := round(); dr.Delivered != 1 {
		t.Errorf("the round after a new grade delivered %d, want 1", dr.Delivered)
	}
}
