package magister

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Tokens supplies access tokens to a Client. *TokenSource implements it.
type Tokens interface {
	// AccessToken returns an access token that is valid for a while.
	AccessToken(ctx context.Context) (string, error)
	// RefreshAccessToken is called after rejected was answered with 401.
	// It returns a different, fresh token (refreshing if nobody else did
	// already) or an error matching ErrLoginRequired.
	RefreshAccessToken(ctx context.Context, rejected string) (string, error)
}

// Client reads one account's data from a school's API. It is safe for
// concurrent use. It caches the account and the children for its lifetime,
// so a steady-state check of one child costs one request per kind of data.
type Client struct {
	school School
	tokens Tokens
	cfg    config

	mu        sync.Mutex
	account   *Account
	children  map[int][]Child
	inboxPath string // from the folder list, once read
}

// New returns a client for school that authenticates with tokens.
func New(school School, tokens Tokens, opts ...Option) *Client {
	return &Client{school: school, tokens: tokens, cfg: newConfig(opts), children: map[int][]Child{}}
}

// School is the school the client talks to.
func (c *Client) School() School { return c.school }

// StatusError is an API answer with an unexpected HTTP status, after any
// retries.
type StatusError struct {
	// Endpoint is the method and path pattern.
	Endpoint string
	Status   int
}

// Error names the endpoint and the status.
func (e *StatusError) Error() string {
	return fmt.Sprintf("magister: %s: status %d %s", e.Endpoint, e.Status, http.StatusText(e.Status))
}

// PageError is an HTML page where JSON was expected, still there after the
// retries: a gateway's or a maintenance page, which Magister's proxies send
// even with status 200. Like a 5xx it means the API is not answering right
// now, not that one endpoint changed its format (that is a *DecodeError), so
// asking the same server for more is pointless until later.
type PageError struct {
	// Endpoint is the method and path pattern.
	Endpoint string
	Status   int
}

// Error names the endpoint and the status the page came with.
func (e *PageError) Error() string {
	return fmt.Sprintf("magister: %s: an HTML page instead of JSON (status %d %s)", e.Endpoint, e.Status, http.StatusText(e.Status))
}

// ErrRateLimited matches every *RateLimitError.
var ErrRateLimited = errors.New("magister: rate limited")

// RateLimitError is a 429 that could not be waited out: the wait exceeded
// the cap or the context's deadline, or the limit persisted. RetryAfter is
// how long Magister asked to wait; a scheduler should honour it.
type RateLimitError struct {
	Endpoint   string
	RetryAfter time.Duration
}

// Error names the endpoint and the wait Magister asked for.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("magister: %s: rate limited, retry after %s", e.Endpoint, e.RetryAfter.Round(time.Second))
}

// Unwrap makes errors.Is(err, ErrRateLimited) work.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// maxBody bounds a response body; Magister lists are far smaller.
const maxBody = 16 << 20

// get performs a GET with retries and hands the body of a 200 answer to
// decode. endpoint names the request in errors (no ids, no query).
func (c *Client) get(ctx context.Context, endpoint, path string, query url.Values, decode func([]byte) error) error {
	u := c.school.APIURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var (
		refreshed bool
		failures  int // 5xx, HTML pages, network errors
		rateWaits int
	)
	for {
		if err := ctx.Err(); err != nil {
			return wrapErr(endpoint, err)
		}
		access, err := c.tokens.AccessToken(ctx)
		if err != nil {
			return wrapErr(endpoint, err)
		}
		status, header, body, err := c.do(ctx, u, access)
		if err != nil {
			if ctx.Err() != nil {
				return wrapErr(endpoint, ctx.Err())
			}
			if failures >= c.cfg.retries {
				return wrapErr(endpoint, err)
			}
			failures++
			if err := c.cfg.sleep(ctx, c.backoff(failures)); err != nil {
				return wrapErr(endpoint, err)
			}
			continue
		}
		switch {
		case status == http.StatusOK && !looksLikeHTML(header, body):
			if err := decode(body); err != nil {
				return &DecodeError{Endpoint: endpoint, Err: err}
			}
			return nil

		case status == http.StatusUnauthorized:
			if refreshed {
				return fmt.Errorf("magister: %s: access token refused after a refresh: %w", endpoint, ErrLoginRequired)
			}
			refreshed = true
			if _, err := c.tokens.RefreshAccessToken(ctx, access); err != nil {
				return wrapErr(endpoint, err)
			}

		case status == http.StatusTooManyRequests:
			wait := c.rateLimitWait(header, body, rateWaits)
			if rateWaits >= c.cfg.retries || wait > c.cfg.maxRateWait || pastDeadline(ctx, time.Now().Add(wait)) {
				return &RateLimitError{Endpoint: endpoint, RetryAfter: wait}
			}
			rateWaits++
			if err := c.cfg.sleep(ctx, wait); err != nil {
				return wrapErr(endpoint, err)
			}

		case status >= 500 || status == http.StatusOK || status == http.StatusRequestTimeout:
			// 5xx, a gateway's HTML page with 200, or 408: try again.
			if failures >= c.cfg.retries {
				if status == http.StatusOK {
					return &PageError{Endpoint: endpoint, Status: status}
				}
				return &StatusError{Endpoint: endpoint, Status: status}
			}
			failures++
			if err := c.cfg.sleep(ctx, c.backoff(failures)); err != nil {
				return wrapErr(endpoint, err)
			}

		default:
			return &StatusError{Endpoint: endpoint, Status: status}
		}
	}
}

// do sends one request and reads the whole body.
func (c *Client) do(ctx context.Context, u, access string) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.userAgent())
	resp, err := c.cfg.httpClient.Do(req)
	if err != nil {
		return 0, nil, nil, scrubURLError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, nil, scrubURLError(err)
	}
	if len(body) > maxBody {
		return 0, nil, nil, errors.New("response larger than 16 MiB")
	}
	return resp.StatusCode, resp.Header, body, nil
}

// backoff is the wait before retry n (1-based) after a server error:
// 1 s, 2 s, 4 s, … capped at 30 s, plus up to 50 % jitter.
func (c *Client) backoff(n int) time.Duration {
	d := time.Second << min(n-1, 5)
	d = min(d, 30*time.Second)
	return d + time.Duration(rand.Int64N(int64(d)/2+1))
}

// rateLimitWait picks the wait after a 429: Retry-After, else the body's
// secondsLeft/SecondsLeft plus one second, else 2 s, 4 s, 8 s, ….
func (c *Client) rateLimitWait(h http.Header, body []byte, n int) time.Duration {
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(t.Sub(c.cfg.now()), 0)
		}
	}
	var rl struct {
		SecondsLeft *flexInt `json:"secondsLeft"`
	}
	if json.Unmarshal(body, &rl) == nil && rl.SecondsLeft != nil && *rl.SecondsLeft >= 0 {
		return time.Duration(*rl.SecondsLeft+1) * time.Second
	}
	return 2 * time.Second << min(n, 5)
}

func pastDeadline(ctx context.Context, t time.Time) bool {
	dl, ok := ctx.Deadline()
	return ok && t.After(dl)
}

// looksLikeHTML spots the gateway error pages Magister sometimes sends.
func looksLikeHTML(h http.Header, body []byte) bool {
	if strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "text/html") {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

// endpointError prefixes an error with the endpoint, without repeating the
// "magister: " of an inner error from this package.
type endpointError struct {
	endpoint string
	err      error
}

func wrapErr(endpoint string, err error) error { return &endpointError{endpoint, err} }

func (e *endpointError) Error() string {
	return "magister: " + e.endpoint + ": " + strings.TrimPrefix(e.err.Error(), "magister: ")
}

func (e *endpointError) Unwrap() error { return e.err }

func idPath(format string, id int) string {
	return strings.Replace(format, "{id}", strconv.Itoa(id), 1)
}

// getAs is get for a decoder that returns what it read: every endpoint's
// method fetches its value this way instead of capturing it in a closure.
func getAs[T any](ctx context.Context, c *Client, endpoint, path string, query url.Values, decode func([]byte) (T, error)) (T, error) {
	var v T
	err := c.get(ctx, endpoint, path, query, func(b []byte) (err error) {
		v, err = decode(b)
		return err
	})
	return v, err
}

// getByID is getAs for an API path pattern with one "{id}" in it, such as
// "/api/personen/{id}/afspraken": the path gets id, and errors name the
// endpoint "GET " + pattern, without the id.
func getByID[T any](ctx context.Context, c *Client, pattern string, id int, query url.Values, decode func([]byte) (T, error)) (T, error) {
	return getAs(ctx, c, "GET "+pattern, idPath(pattern, id), query, decode)
}
