package magistertest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Seeded accounts, usable as login_hint on /connect/authorize and with
// [School.IssueRefreshToken]. The people are fictitious.
const (
	// ParentLogin is a parent of two visible children, Anna and Daan (and of
	// one child hidden from the parent, Lotte). It is the default account.
	ParentLogin = "ouder"
	// StudentLogin is a student account, Sem.
	StudentLogin = "sem"
)

// School is a running fake Magister school. All its methods are safe for
// concurrent use; one mutex guards all of its data.
type School struct {
	// URL is the base URL, http://127.0.0.1:port, of both the accounts
	// endpoints (/connect/...) and the API (/api/...).
	URL string

	now    func() time.Time
	logger *slog.Logger
	loc    *time.Location

	ts        *httptest.Server // from New
	hs        *http.Server     // from Listen
	done      chan struct{}    // closed by Close, ends injected delays
	closeOnce sync.Once

	mu       sync.Mutex
	accounts map[string]*account // by login
	students []*student
	subjects []*subject
	seq      map[string]int // deterministic id counters
	codes    map[string]*authCode
	access   map[string]*accessToken
	refresh  map[string]*refreshToken
	failures []Failure
	holds    []*hold
	requests []Request
	// itemJSON keeps the JSON of list items by everything they are made
	// of (see listJSON).
	itemJSON map[any][]byte
}

// Option configures a School.
type Option func(*config)

type config struct {
	now    func() time.Time
	logger *slog.Logger
}

// WithClock sets the school's clock. The seeded timetable, grades and messages
// are placed relative to now() at start-up, new grades and messages get
// now() as their time, and tokens expire by it. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithLogger logs one line per request (method, path, status) to l. Tokens,
// codes and other secrets are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

func newSchool(opts []Option) *School {
	c := config{now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	s := &School{
		now:     c.now,
		logger:  c.logger,
		loc:     amsterdam(),
		done:    make(chan struct{}),
		seq:     map[string]int{},
		codes:   map[string]*authCode{},
		access:  map[string]*accessToken{},
		refresh: map[string]*refreshToken{},
	}
	s.seed()
	return s
}

// New starts a seeded fake school on a loopback port (httptest.NewServer).
// Call Close when done, typically with t.Cleanup(s.Close).
func New(opts ...Option) *School {
	s := newSchool(opts)
	s.ts = httptest.NewServer(s.handler())
	s.URL = s.ts.URL
	return s
}

// InProcessURL is the URL of a school made by NewInProcess. Nothing listens
// there: requests reach the school only through its Transport.
const InProcessURL = "http://127.0.0.1:9"

// NewInProcess makes a seeded fake school that serves no network at all:
// clients reach it through Transport, which calls its handler directly.
// Long simulations (a whole school year of checks) use it to run in seconds.
func NewInProcess(opts ...Option) *School {
	s := newSchool(opts)
	s.URL = InProcessURL
	return s
}

// Transport is an http.RoundTripper that serves each request with the
// school's handler in the calling goroutine, as a server would answer it.
func (s *School) Transport() http.RoundTripper { return handlerTransport{s.handler()} }

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if r.Body == nil {
		r.Body = http.NoBody
	}
	r.RequestURI = r.URL.RequestURI()
	r.RemoteAddr = "127.0.0.1:1"
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// Listen starts a seeded fake school on addr, such as "127.0.0.1:0", for a
// stand-alone process. It serves until Close.
func Listen(addr string, opts ...Option) (*School, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("magistertest: listen %s: %w", addr, err)
	}
	s := newSchool(opts)
	s.URL = baseURL(ln.Addr())
	s.hs = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && s.logger != nil {
			s.logger.Error("magistertest: serve", "err", err)
		}
	}()
	return s, nil
}

// baseURL turns a listener address into a URL a client can dial, replacing an
// unspecified host (":0", "[::]:0") with 127.0.0.1.
func baseURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}).String()
}

// Close stops the server. Requests held by an injected delay end at once.
func (s *School) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		if s.ts != nil {
			s.ts.Close()
		}
		if s.hs != nil {
			_ = s.hs.Close()
		}
	})
}

func (s *School) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /connect/authorize", s.handleAuthorize)
	mux.HandleFunc("POST /connect/token", s.handleToken)
	mux.Handle("/api/", s.apiHandler())
	mux.Handle("/_fake/", s.fakeHandler())
	return s.logRequests(mux)
}

// nextID hands out deterministic ids per kind, starting at base.
func (s *School) nextID(kind string, base int) int {
	if s.seq[kind] == 0 {
		s.seq[kind] = base
	}
	s.seq[kind]++
	return s.seq[kind]
}

// Request is one entry of the request log. It never holds a token, code or
// other secret: Path has no query, and Query has secret values redacted.
type Request struct {
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Query  string    `json:"query,omitempty"`
	Status int       `json:"status"` // 499 when the client went away during an injected delay
	Time   time.Time `json:"time"`   // by the school's clock, when the request arrived
}

// secretParams are query parameters whose values the request log redacts.
var secretParams = map[string]bool{
	"code": true, "code_verifier": true, "code_challenge": true, "state": true, "nonce": true,
	"id_token": true, "id_token_hint": true, "access_token": true, "refresh_token": true,
	"login_hint": true, "session_state": true,
}

func redactQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	out := url.Values{}
	for k, vs := range q {
		for _, v := range vs {
			if secretParams[k] {
				v = "REDACTED"
			}
			out.Add(k, v)
		}
	}
	return out.Encode()
}

// Requests returns a copy of the request log, oldest first. Requests to
// /_fake/ are not logged.
func (s *School) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests empties the request log.
func (s *School) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// clientGone marks a request whose client left before an answer was written.
const clientGone = 499

func (s *School) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isFakePath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		at := s.now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
			if r.Context().Err() != nil {
				status = clientGone
			}
		}
		entry := Request{Method: r.Method, Path: r.URL.Path, Query: redactQuery(r.URL.Query()), Status: status, Time: at}
		s.mu.Lock()
		s.requests = append(s.requests, entry)
		s.mu.Unlock()
		if s.logger != nil {
			s.logger.Info("request", "method", entry.Method, "path", entry.Path, "status", entry.Status)
		}
	})
}

func isFakePath(p string) bool { return strings.HasPrefix(p, "/_fake/") }

// wait sleeps for d unless the request's context or the server ends first;
// it reports whether the full delay passed.
func (s *School) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}
