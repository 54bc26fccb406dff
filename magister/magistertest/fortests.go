package magistertest

// What tests of other packages share about the school: starting one for a
// test, the browser's part of a sign-in, and the other origin a token
// endpoint may redirect to. The
// demo in the release binary uses none of it, so the linker leaves it out;
// the file imports nothing the rest of the package does not (not even
// package testing), so that it adds nothing to the binary either.

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
)

// TB is the part of testing.TB the helpers below use; a *testing.T or
// *testing.B is one.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Start starts a fake school on loopback, as [New] does, that closes when
// the test ends.
func Start(tb TB, opts ...Option) *School {
	tb.Helper()
	s := New(opts...)
	tb.Cleanup(s.Close)
	return s
}

// RequestsTo returns the requests s logged whose path starts with prefix,
// oldest first: how a test counts what reached the school's API ("/api/").
// It is a function, not a method, so that the binary does not carry its
// name in School's method table.
func RequestsTo(s *School, prefix string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// SignIn does what a browser does with the address of a sign-in: it asks
// for authorizeURL without following the redirect, and returns the
// m6loapp:// address the school sends the browser on to (the fake signs in
// at once, without a page). Anything else than that redirect fails the test.
func SignIn(tb TB, authorizeURL string) string {
	tb.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authorizeURL)
	if err != nil {
		tb.Fatalf("authorize: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		tb.Fatalf("authorize: status %d, want %d", resp.StatusCode, http.StatusFound)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, redirectURI+"#") {
		tb.Fatalf("authorize: Location %q, want prefix %q", loc, redirectURI+"#")
	}
	return loc
}

// TrapRequest is what reached a [TokenTrap].
type TrapRequest struct {
	Method, Path  string
	Authorization string // the header
	Body          string
}

// TokenTrap is a loopback server on a port of its own (another origin than
// the school) that answers every request as a token endpoint would and
// records what reached it: where a test sends a redirect to see that no
// secret follows it.
type TokenTrap struct {
	URL string

	mu   sync.Mutex
	seen []TrapRequest
}

// NewTokenTrap starts a TokenTrap that stops when the test ends.
func NewTokenTrap(tb TB) *TokenTrap {
	tb.Helper()
	trap := &TokenTrap{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		trap.mu.Lock()
		trap.seen = append(trap.seen, TrapRequest{r.Method, r.URL.Path, r.Header.Get("Authorization"), string(b)})
		trap.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"stolen","refresh_token":"stolen","expires_in":3600}`)
	}))
	tb.Cleanup(srv.Close)
	trap.URL = srv.URL
	return trap
}

// Requests returns what reached the trap, oldest first.
func (trap *TokenTrap) Requests() []TrapRequest {
	trap.mu.Lock()
	defer trap.mu.Unlock()
	return append([]TrapRequest(nil), trap.seen...)
}

// Front serves a school on a port of its own, as a proxy in front of it
// would. While Redirect is set, its token endpoint answers with a redirect
// to the token endpoint of another origin.
type Front struct {
	URL      string
	Redirect atomic.Bool
}

// NewFront starts a Front for s that stops when the test ends; its
// redirects have the given status and point to target's /connect/token.
func NewFront(tb TB, s *School, status int, target string) *Front {
	tb.Helper()
	school := s.handler()
	f := &Front{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/connect/token" && f.Redirect.Load() {
			http.Redirect(w, r, target+"/connect/token", status)
			return
		}
		school.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}
