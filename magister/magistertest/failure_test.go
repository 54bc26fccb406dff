package magistertest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFailCountSemantics(t *testing.T) {
	s := Start(t)
	tok := accessFor(t, s, ParentLogin)
	statuses := func(n int) []int {
		var got []int
		for range n {
			status, _, _ := call(t, s, http.MethodGet, tok, "/api/account", nil)
			got = append(got, status)
		}
		return got
	}
	tests := []struct {
		name  string
		fails []Failure
		n     int
		want  []int
	}{
		{"count 2", []Failure{{Status: 503, Count: 2}}, 3, []int{503, 503, 200}},
		{"count 0 means one", []Failure{{Status: 500}}, 2, []int{500, 200}},
		{"queued in order", []Failure{{Status: 429, Count: 1}, {Status: 502, Count: 2}}, 4, []int{429, 502, 502, 200}},
		{"zero failure clears", []Failure{{Status: 500, Count: 5}, {}}, 2, []int{200, 200}},
		{"delay alone answers normally", []Failure{{DelayMs: 1, Count: 2}, {Status: 503}}, 4, []int{200, 200, 503, 200}},
		{"garbage with status 0 is 200", []Failure{{Body: "garbage"}}, 1, []int{200}},
		{"unusable failure is ignored", []Failure{{Status: 42}, {Body: "xml"}, {Status: 500, DelayMs: -1}}, 1, []int{200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range tt.fails {
				s.Fail(f)
			}
			if got := statuses(tt.n); jsonOf(got) != jsonOf(tt.want) {
				t.Errorf("statuses %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("accounts endpoints are not affected", func(t *testing.T) {
		s.Fail(Failure{Status: 503})
		accessFor(t, s, ParentLogin) // /connect/token still answers 200
		if got := statuses(1); got[0] != 503 {
			t.Errorf("API after a token request: %d, want the queued 503", got[0])
		}
	})

	t.Run("failures come before authentication", func(t *testing.T) {
		s.Fail(Failure{Status: 502})
		if status, _, _ := call(t, s, http.MethodGet, "", "/api/account", nil); status != 502 {
			t.Errorf("status %d, want 502", status)
		}
	})
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestFailureBodies(t *testing.T) {
	s := Start(t)
	tok := accessFor(t, s, ParentLogin)
	tests := []struct {
		name        string
		f           Failure
		status      int
		retryAfter  string
		contentType string
		body        func(b []byte) bool
	}{
		{"429 default", Failure{Status: 429, SecondsLeft: 7}, 429, "", "application/json",
			func(b []byte) bool { return jsonOf(decodeMap(b)) == `{"secondsLeft":7}` }},
		{"429 json", Failure{Status: 429, SecondsLeft: 25, Body: "json"}, 429, "", "application/json",
			func(b []byte) bool {
				m := decodeMap(b)
				return m["SecondsLeft"] == float64(25) && m["Message"] == "Rate limit reached. Reset in 25 seconds."
			}},
		{"429 Retry-After", Failure{Status: 429, SecondsLeft: 3, RetryAfter: 120}, 429, "120", "application/json",
			func(b []byte) bool { return decodeMap(b)["secondsLeft"] == float64(3) }},
		{"502 html", Failure{Status: 502, Body: "html"}, 502, "", "text/html",
			func(b []byte) bool {
				return strings.HasPrefix(string(b), "<HTML><HEAD><TITLE>502 Bad Gateway</TITLE></HEAD>")
			}},
		{"503 garbage", Failure{Status: 503, Body: "garbage"}, 503, "", "application/json",
			func(b []byte) bool { return len(b) > 0 && !json.Valid(b) }},
		{"200 garbage", Failure{Body: "garbage"}, 200, "", "application/json",
			func(b []byte) bool { return len(b) > 0 && !json.Valid(b) }},
		{"500 default", Failure{Status: 500}, 500, "", "application/json",
			func(b []byte) bool { return decodeMap(b)["Message"] != nil }},
		{"503 Retry-After", Failure{Status: 503, RetryAfter: 30, Body: "html"}, 503, "30", "text/html",
			func(b []byte) bool { return strings.Contains(string(b), "503 Service Unavailable") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Fail(tt.f)
			status, b, h := call(t, s, http.MethodGet, tok, "/api/berichten/mappen/alle", nil)
			if status != tt.status || h.Get("Retry-After") != tt.retryAfter || !strings.HasPrefix(h.Get("Content-Type"), tt.contentType) || !tt.body(b) {
				t.Errorf("got %d Retry-After %q Content-Type %q body %q", status, h.Get("Retry-After"), h.Get("Content-Type"), b)
			}
		})
	}
}

func decodeMap(b []byte) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// TestDelayEndsWithTheClient drives the handler directly with a request
// whose context ends, as when a client times out: the handler must return
// although the injected delay is ten minutes, and log status 499.
func TestDelayEndsWithTheClient(t *testing.T) {
	s := newSchool(nil)
	s.URL = "http://fake.invalid"
	h := s.handler()
	s.Fail(Failure{Status: 503, DelayMs: int((10 * time.Minute).Milliseconds())})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	rec := httptest.NewRecorder()
	served := make(chan struct{})
	go func() {
		defer close(served)
		h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/account", nil))
	}()
	waitFor(t, served, "the handler to notice the client left")
	if rec.Body.Len() != 0 {
		t.Errorf("answered %d %q to a client that left", rec.Code, rec.Body)
	}
	if log := s.Requests(); len(log) != 1 || log[0].Status != 499 {
		t.Errorf("log = %+v, want one entry with status 499", log)
	}
}

// TestCloseEndsDelays shows Close does not wait for injected delays.
func TestCloseEndsDelays(t *testing.T) {
	s := newSchool(nil)
	h := s.handler()
	s.Fail(Failure{DelayMs: int((10 * time.Minute).Milliseconds())})
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/api/account", nil))
	}()
	s.Close()
	waitFor(t, done, "Close to end the delayed request")
}

// waitFor fails the test if ch is not closed within a generous bound, so a
// handler that ignores its context fails quickly instead of hanging the run.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestSlowRequestOverTheNetwork(t *testing.T) {
	s := Start(t)
	tok := accessFor(t, s, ParentLogin)
	s.Fail(Failure{DelayMs: int((10 * time.Minute).Milliseconds())})
	client := &http.Client{Timeout: 50 * time.Millisecond}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/account", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("slow request answered %d", resp.StatusCode)
	}
	// The delay was used up by that request; the next one is fine.
	if status, _, _ := call(t, s, http.MethodGet, tok, "/api/account", nil); status != 200 {
		t.Errorf("next request: %d", status)
	}
}

// TestHoldKeepsOneRequest: the held request waits for release and is then
// answered with the data as they are at that moment; other paths pass.
func TestHoldKeepsOneRequest(t *testing.T) {
	s := Start(t)
	tok := accessFor(t, s, ParentLogin)
	anna := childID(t, s, tok, "Anna")
	arrived, release := s.Hold("/cijfers/laatste")
	type answer struct {
		status int
		body   []byte
	}
	got := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/personen/"+itoa(anna)+"/cijfers/laatste?top=1", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- answer{}
			return
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		got <- answer{resp.StatusCode, []byte(b.String())}
	}()
	waitFor(t, arrived, "the held request to arrive")
	if status, _, _ := call(t, s, http.MethodGet, tok, "/api/account", nil); status != http.StatusOK {
		t.Errorf("another path while one is held: status %d", status)
	}
	if _, err := s.AddGrade(GradeSpec{Child: "Anna", Value: "9,5", Weight: 1, Description: "held"}); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-got:
		t.Fatalf("answered before release: %d", a.status)
	default:
	}
	release()
	release() // a second call does nothing
	a := <-got
	if a.status != http.StatusOK || !strings.Contains(string(a.body), `"held"`) {
		t.Errorf("after release: %d %s; want 200 with the grade added while it was held", a.status, a.body)
	}
	// The hold is used up: the next request is answered at once.
	if status, _, _ := call(t, s, http.MethodGet, tok, "/api/personen/"+itoa(anna)+"/cijfers/laatste", nil); status != http.StatusOK {
		t.Errorf("next request: %d", status)
	}
}
