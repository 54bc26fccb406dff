package magistertest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Failure describes how the next API requests (/api/...) misbehave. Requests
// to /connect/ and /_fake/ are never affected.
type Failure struct {
	// Status is the HTTP status to answer, e.g. 429, 500, 502 or 503. Zero
	// with an empty Body means "answer normally" (after DelayMs).
	Status int `json:"status"`
	// Count is how many requests fail this way; zero or less means one.
	Count int `json:"count"`
	// SecondsLeft goes into a 429 body: {"secondsLeft":S}, or with Body
	// "json" the older {"Message":…,"SecondsLeft":S}.
	SecondsLeft int `json:"secondsLeft"`
	// RetryAfter, when positive, is sent as the Retry-After header.
	RetryAfter int `json:"retryAfter"`
	// Body picks the body: "" (the status's usual JSON), "json", "html" (a
	// gateway error page) or "garbage" (bytes that are not JSON; with Status
	// zero they come with 200 OK).
	Body string `json:"body"`
	// DelayMs holds each request this long before answering. The delay ends
	// early when the client gives up (its request context) or the school closes.
	DelayMs int `json:"delayMs"`
}

// failureBodies are the Body values Failure understands.
var failureBodies = map[string]bool{"": true, "json": true, "html": true, "garbage": true}

func (f Failure) validate() error {
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		return fmt.Errorf("magistertest: failure status %d: %w", f.Status, ErrInvalid)
	}
	if !failureBodies[f.Body] {
		return fmt.Errorf("magistertest: failure body %q (want html, garbage, json or empty): %w", f.Body, ErrInvalid)
	}
	if f.DelayMs < 0 || f.SecondsLeft < 0 || f.RetryAfter < 0 {
		return fmt.Errorf("magistertest: negative failure field: %w", ErrInvalid)
	}
	return nil
}

func (f Failure) isZero() bool { return f.Status == 0 && f.Body == "" && f.DelayMs == 0 }

// Fail queues a failure: the next f.Count API requests (one if Count ≤ 0)
// answer as f describes; later calls queue behind earlier ones. A Failure with
// no Status, Body or DelayMs clears the queue. A Failure Fail cannot use (a
// status outside 200–599, an unknown Body, a negative number) is ignored;
// POST /_fake/fail answers 400 for it.
func (s *School) Fail(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.isZero() {
		s.failures = nil
		return
	}
	if f.validate() != nil {
		return
	}
	if f.Count <= 0 {
		f.Count = 1
	}
	s.failures = append(s.failures, f)
}

// takeFailure pops one request's worth of the queued failure.
func (s *School) takeFailure() (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) == 0 {
		return Failure{}, false
	}
	f := s.failures[0]
	s.failures[0].Count--
	if s.failures[0].Count <= 0 {
		s.failures = s.failures[1:]
	}
	return f, true
}

// injectFailure applies a queued failure to r. It reports whether it answered
// (or the client left), in which case the normal handler must not run.
func (s *School) injectFailure(w http.ResponseWriter, r *http.Request) bool {
	f, ok := s.takeFailure()
	if !ok {
		return false
	}
	if f.DelayMs > 0 && !s.wait(r.Context(), time.Duration(f.DelayMs)*time.Millisecond) {
		return true
	}
	if (f.Status == 0 || f.Status == http.StatusOK) && f.Body == "" {
		return false
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	switch {
	case f.Body == "garbage":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("{\"items\":[{\"kolomId\":7\x00\xff\xfe<<truncated"))
	case f.Body == "html":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		text := fmt.Sprintf("%d %s", status, http.StatusText(status))
		fmt.Fprintf(w, "<HTML><HEAD><TITLE>%s</TITLE></HEAD><BODY><H1>%s</H1><HR>magistertest</BODY></HTML>\n", text, text)
	case status == http.StatusTooManyRequests && f.Body == "json":
		writeJSON(w, status, struct {
			Message     string `json:"Message"`
			SecondsLeft int    `json:"SecondsLeft"`
		}{fmt.Sprintf("Rate limit reached. Reset in %d seconds.", f.SecondsLeft), f.SecondsLeft})
	case status == http.StatusTooManyRequests:
		writeJSON(w, status, struct {
			SecondsLeft int `json:"secondsLeft"`
		}{f.SecondsLeft})
	default:
		writeJSON(w, status, struct {
			Message string `json:"Message"`
		}{"An error has occurred."})
	}
	return true
}

// hold is one request kept waiting by Hold.
type hold struct {
	path        string
	arrived     chan struct{}
	release     chan struct{}
	releaseOnce sync.Once
}

// Hold keeps the next API request whose path contains path waiting:
// arrived is closed when it comes in, and it is answered (with the data as
// they are then) once release is called, the client gives up or the school
// closes. A test uses it to stop one process in the middle of a check, at a
// known request, while another process runs. Calling release before the
// request arrives lets it through; calling it again does nothing.
func (s *School) Hold(path string) (arrived <-chan struct{}, release func()) {
	h := &hold{path: path, arrived: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	s.holds = append(s.holds, h)
	s.mu.Unlock()
	return h.arrived, func() { h.releaseOnce.Do(func() { close(h.release) }) }
}

// waitHold keeps r waiting if a Hold matches it. It reports whether r may
// go on (false: the client left or the school closed).
func (s *School) waitHold(r *http.Request) bool {
	s.mu.Lock()
	var h *hold
	for i, c := range s.holds {
		if strings.Contains(r.URL.Path, c.path) {
			h = c
			s.holds = slices.Delete(s.holds, i, i+1)
			break
		}
	}
	s.mu.Unlock()
	if h == nil {
		return true
	}
	close(h.arrived)
	select {
	case <-h.release:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}
