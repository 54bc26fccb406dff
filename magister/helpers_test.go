package magister

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// fakeSchool is the School for a fake's base URL.
func fakeSchool(t testing.TB, f *magistertest.School) School {
	t.Helper()
	s, err := ParseSchool("fakeschool")
	if err != nil {
		t.Fatal(err)
	}
	if s, err = s.WithBaseURL(f.URL); err != nil {
		t.Fatal(err)
	}
	return s
}

// demoSchool is the real-Magister School of code "demo"; nothing in a test
// ever reaches it.
func demoSchool(t testing.TB) School {
	t.Helper()
	s, err := ParseSchool("demo")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sleepRecorder replaces the client's waits: it records them and returns at
// once, so backoff tests never wait.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

func (r *sleepRecorder) got() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

// loggedIn stores a token for login (with an access token that is already
// expired, so the first call refreshes) and returns a client over it.
type loggedIn struct {
	fake   *magistertest.School
	school School
	dir    string
	store  *FileTokenStore
	ts     *TokenSource
	client *Client
	sleeps *sleepRecorder
}

func logIn(t testing.TB, f *magistertest.School, login string, opts ...Option) *loggedIn {
	t.Helper()
	school := fakeSchool(t, f)
	dir := t.TempDir()
	store := NewFileTokenStore(dir)
	rt := f.IssueRefreshToken(login)
	if rt == "" {
		t.Fatalf("no refresh token for %q", login)
	}
	if err := store.Save(context.Background(), login, &Token{RefreshToken: rt, AccessToken: "stale", Expiry: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	rec := &sleepRecorder{}
	opts = append([]Option{WithSleep(rec.sleep), WithVersion("test")}, opts...)
	ts := NewTokenSource(school, store, dir, login, opts...)
	return &loggedIn{fake: f, school: school, dir: dir, store: store, ts: ts, client: New(school, ts, opts...), sleeps: rec}
}

// family reads the account c is logged in as and the children it may read,
// failing the test on an error: how the tests that read a child's data
// begin.
func family(t testing.TB, c *Client) (Account, []Child) {
	t.Helper()
	ctx := context.Background()
	acct, err := c.Account(ctx)
	if err != nil {
		t.Fatal(err)
	}
	children, err := c.Children(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	return acct, children
}

// accountDuring logs login in on a new fake school, has the fake fail as
// failure says, and reads the account with ctx: how the tests of retries
// and rate limits begin. It returns the login (its fake and the waits) and
// what Account returned.
func accountDuring(t testing.TB, ctx context.Context, login string, failure magistertest.Failure) (*loggedIn, Account, error) {
	t.Helper()
	li := logIn(t, magistertest.Start(t), login)
	li.fake.Fail(failure)
	acct, err := li.client.Account(ctx)
	return li, acct, err
}

// countRequests counts logged requests whose path starts with prefix.
func countRequests(f *magistertest.School, prefix string) (n int, statuses []int) {
	for _, r := range magistertest.RequestsTo(f, prefix) {
		statuses = append(statuses, r.Status)
	}
	return len(statuses), statuses
}
