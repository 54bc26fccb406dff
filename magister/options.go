package magister

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"
)

// DefaultVersion is the version in the User-Agent when WithVersion is not used.
const DefaultVersion = "dev"

// Option configures a Client, a TokenSource, Exchange, Refresh and EndSession.
// Options that do not apply to a call are ignored by it.
type Option func(*config)

type config struct {
	httpClient   *http.Client
	version      string
	now          func() time.Time
	sleep        func(ctx context.Context, d time.Duration) error
	maxRateWait  time.Duration
	retries      int
	refreshEarly time.Duration
}

func newConfig(opts []Option) config {
	c := config{
		version:      DefaultVersion,
		now:          time.Now,
		sleep:        sleepContext,
		maxRateWait:  60 * time.Second,
		retries:      3,
		refreshEarly: 5 * time.Minute,
	}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	c.httpClient = guardedClient(c.httpClient)
	return c
}

// WithHTTPClient makes requests go through hc (a copy of it: its
// CheckRedirect is replaced so the bearer token never follows a redirect to
// another host). Without it a client with a 30 s overall timeout is used.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) { c.httpClient = hc }
}

// WithVersion sets the version in the User-Agent "magister-notify/<version>".
func WithVersion(v string) Option {
	return func(c *config) {
		if v != "" {
			c.version = v
		}
	}
}

// WithClock replaces time.Now, for token expiry and rate-limit deadlines.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithSleep replaces the wait between retries. sleep must return ctx.Err()
// when ctx ends first. Tests use it to record waits instead of waiting.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *config) {
		if sleep != nil {
			c.sleep = sleep
		}
	}
}

// WithMaxRateLimitWait caps how long a request waits after a 429 before it
// gives up with a *RateLimitError (default 60 s).
func WithMaxRateLimitWait(d time.Duration) Option {
	return func(c *config) {
		if d >= 0 {
			c.maxRateWait = d
		}
	}
}

// WithRetries sets how often a request is retried after a 5xx answer, an HTML
// error page or a network error, and how often it waits out a 429 (default 3).
func WithRetries(n int) Option {
	return func(c *config) {
		if n >= 0 {
			c.retries = n
		}
	}
}

// WithRefreshMargin sets how long before expiry a TokenSource refreshes the
// access token (default 5 minutes).
func WithRefreshMargin(d time.Duration) Option {
	return func(c *config) {
		if d >= 0 {
			c.refreshEarly = d
		}
	}
}

func (c *config) userAgent() string { return "magister-notify/" + c.version }

// sleepContext waits for d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// guardedClient returns a copy of base (or a default client) whose redirects
// never carry the Authorization header to another scheme, host or port, and
// that follows at most five of them.
func guardedClient(base *http.Client) *http.Client {
	var hc http.Client
	if base != nil {
		hc = *base
	} else {
		hc = http.Client{Timeout: 30 * time.Second, Transport: defaultTransport()}
	}
	hc.CheckRedirect = checkRedirect
	return &hc
}

func defaultTransport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	t = t.Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 25 * time.Second
	t.MaxIdleConnsPerHost = 4
	return t
}

var errTooManyRedirects = errors.New("stopped after 5 redirects")

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errTooManyRedirects
	}
	if !sameOrigin(req.URL, via[0].URL) {
		req.Header.Del("Authorization")
	}
	return nil
}

func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && a.Host == b.Host
}
