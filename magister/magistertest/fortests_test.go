package magistertest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// fatalRecorder is a TB that records Fatalf instead of ending the test, to
// see that a helper fails where it should.
type fatalRecorder struct {
	testing.TB
	fatals []string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

func TestSignIn(t *testing.T) {
	s := Start(t)
	loc := SignIn(t, s.URL+"/connect/authorize?"+authorizeParams(newPKCE(), StudentLogin).Encode())
	if code := fragment(t, loc).Get("code"); code == "" {
		t.Errorf("SignIn = %q; want a redirect with a code", loc)
	}

	// A request the school refuses fails the test.
	q := authorizeParams(newPKCE(), "")
	q.Set("client_id", "other")
	rec := &fatalRecorder{TB: t}
	SignIn(rec, s.URL+"/connect/authorize?"+q.Encode())
	if len(rec.fatals) == 0 || !strings.Contains(rec.fatals[0], "status 400") {
		t.Errorf("SignIn of a refused request failed with %q; want the status", rec.fatals)
	}
}

func TestFrontRedirectsTokenRequestsToTheTrap(t *testing.T) {
	s := Start(t)
	trap := NewTokenTrap(t)
	front := NewFront(t, s, http.StatusPermanentRedirect, trap.URL)
	post := func(base string) *http.Response {
		t.Helper()
		resp, err := noRedirect.PostForm(base+"/connect/token", refreshForm(s.IssueRefreshToken(ParentLogin)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	if resp := post(front.URL); resp.StatusCode != http.StatusOK {
		t.Errorf("token request through the front: status %d; want the school's 200", resp.StatusCode)
	}
	front.Redirect.Store(true)
	resp := post(front.URL)
	if want := trap.URL + "/connect/token"; resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
		t.Errorf("token request while redirecting: %d to %q; want %d to %q",
			resp.StatusCode, resp.Header.Get("Location"), http.StatusPermanentRedirect, want)
	}
	if got := trap.Requests(); len(got) != 0 {
		t.Errorf("the trap saw %+v before anything was sent to it", got)
	}

	req, _ := http.NewRequest(http.MethodPost, trap.URL+"/connect/token", strings.NewReader(url.Values{"code": {"c"}}.Encode()))
	req.Header.Set("Authorization", "Bearer a")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := TrapRequest{Method: http.MethodPost, Path: "/connect/token", Authorization: "Bearer a", Body: "code=c"}
	if got := trap.Requests(); len(got) != 1 || got[0] != want {
		t.Errorf("trap.Requests() = %+v; want [%+v]", got, want)
	}
}

func TestRequestsTo(t *testing.T) {
	s := Start(t)
	accessFor(t, s, ParentLogin)
	if n := len(RequestsTo(s, "/api/")); n != 0 {
		t.Errorf("%d API requests before any; want 0", n)
	}
	token := RequestsTo(s, "/connect/token")
	if len(token) != 1 || token[0].Path != "/connect/token" {
		t.Errorf("RequestsTo(/connect/token) = %+v; want the one token request", token)
	}
}
