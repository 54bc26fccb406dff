package notifier

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/magister-notify/magister-notify/state"
)

// The outbox is worked in three kinds of Update, and no sink ever runs while
// the state lock is held:
//
//  1. claim: entries that are due and not leased by a live deliverer get
//     our lease;
//  2. show (no lock): the sinks get them;
//  3. ack, after every notification shown: the sinks that have an entry are
//     added to Entry.Done, an entry every sink has moves to the history
//     (every configured sink, for a one-off deliverer), and our other leases
//     are renewed. A final release records failures (with
//     backoff) and frees what we did not finish.
//
// A deliverer that crashes leaves its leases to expire; the entries are then
// claimed again, and only the notification between a show and its ack is
// repeated. A deliverer that is stopped (its context cancelled, as Ctrl-C
// and SIGTERM do) releases its leases at once, a send it cut short included.

// DefaultLease is how long a claim is valid without being renewed.
const DefaultLease = 2 * time.Minute

// Retry backoff after a failed delivery: FirstRetry, doubling per attempt,
// at most MaxRetry.
const (
	FirstRetry = 30 * time.Second
	MaxRetry   = time.Hour
)

// errUnchanged ends an Update that found nothing to change, so nothing is written.
var errUnchanged = errors.New("notifier: nothing to change")

// retryDelay is the wait after the attempts-th failed attempt (1 = first).
func retryDelay(attempts int) time.Duration {
	d := FirstRetry
	for i := 1; i < attempts && d < MaxRetry; i++ {
		d *= 2
	}
	return min(d, MaxRetry)
}

// newOwner is a lease owner id unique to this process and deliverer.
func newOwner() string {
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%d-%s", os.Getpid(), hex.EncodeToString(b[:]))
}

// claimable reports whether e may be claimed by owner at now, leases aside from
// owner's own.
func claimable(e *state.Entry, owner string, now time.Time) bool {
	if now.Before(e.NotBefore) || now.Before(e.NextAttempt) {
		return false
	}
	return e.LeaseOwner == "" || e.LeaseOwner == owner || !now.Before(e.LeaseUntil)
}

// pendingSinks are the names in sinks that e has not reached yet.
func pendingSinks(e *state.Entry, sinks []string) []string {
	var out []string
	for _, s := range sinks {
		if !slices.Contains(e.Done, s) {
			out = append(out, s)
		}
	}
	return out
}

// moveToHistory moves the outbox entry at i to the history as delivered at now.
func moveToHistory(s *state.State, i int, now time.Time) {
	e := s.Outbox[i]
	e.Delivered = now
	e.LeaseOwner, e.LeaseUntil = "", time.Time{}
	e.NextAttempt, e.LastError = time.Time{}, ""
	s.History = append(s.History, e)
	s.Outbox = slices.Delete(s.Outbox, i, i+1)
}

// outboxIndex finds the entry id in the outbox.
func outboxIndex(s *state.State, id string) int {
	return slices.IndexFunc(s.Outbox, func(e state.Entry) bool { return e.ID == id })
}

// lastErrorLimit bounds Entry.LastError.
const lastErrorLimit = 200

// shortError is err as one short line for Entry.LastError.
func shortError(err error) string {
	return shorten(strings.Join(strings.Fields(err.Error()), " "), lastErrorLimit)
}

// PendingFailures describes the outbox entries waiting for a retry after a
// failed delivery, one line per distinct error, for `status`: "desktop: show
// notification: … (2 waiting, 3 attempts, next try 14:05)".
func PendingFailures(s state.State) []string {
	type agg struct {
		n, attempts int
		next        time.Time
	}
	var order []string
	byErr := map[string]*agg{}
	for _, e := range s.Outbox {
		if e.LastError == "" {
			continue
		}
		a := byErr[e.LastError]
		if a == nil {
			a = &agg{}
			byErr[e.LastError] = a
			order = append(order, e.LastError)
		}
		a.n++
		a.attempts = max(a.attempts, e.Attempts)
		if a.next.IsZero() || e.NextAttempt.Before(a.next) {
			a.next = e.NextAttempt
		}
	}
	out := make([]string, 0, len(order))
	for _, msg := range order {
		a := byErr[msg]
		attempts := "1 attempt"
		if a.attempts != 1 {
			attempts = fmt.Sprintf("%d attempts", a.attempts)
		}
		line := fmt.Sprintf("%s (%d waiting, %s", msg, a.n, attempts)
		if !a.next.IsZero() {
			line += ", next try " + a.next.Local().Format("15:04")
		}
		out = append(out, line+")")
	}
	return out
}
