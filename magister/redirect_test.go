package magister

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// redirector is a loopback server on its own port (another origin) that
// records every request body it receives.
type redirector struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newRedirector(t testing.TB) *redirector {
	t.Helper()
	r := &redirector{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, req.Method+" "+req.URL.Path+" "+string(b))
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"stolen","refresh_token":"stolen","expires_in":3600}`)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *redirector) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bodies...)
}

// frontWithTokenRedirect serves fake through a proxy whose token endpoint
// answers status with a redirect to target while redirect is true.
func frontWithTokenRedirect(t testing.TB, fake *magistertest.School, status int, target string, redirect *atomic.Bool) *httptest.Server {
	t.Helper()
	u, _ := url.Parse(fake.URL)
	proxy := httputil.NewSingleHostReverseProxy(u)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/connect/token" && redirect.Load() {
			http.Redirect(w, r, target+"/connect/token", status)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front
}

// TestTokenEndpointRedirectNotFollowed: a redirect from the token endpoint
// to another origin gets neither the refresh token nor the code and PKCE
// verifier, and the stored refresh token is not used up.
func TestTokenEndpointRedirectNotFollowed(t *testing.T) {
	ctx := context.Background()
	fake := newFake(t)
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			foreign := newRedirector(t)
			var redirect atomic.Bool
			redirect.Store(true)
			front := frontWithTokenRedirect(t, fake, status, foreign.srv.URL, &redirect)
			school, _ := ParseSchool("demo")
			school, err := school.WithBaseURL(front.URL)
			if err != nil {
				t.Fatal(err)
			}

			// Refresh: the refresh token stays home.
			rt := fake.IssueRefreshToken(magistertest.ParentLogin)
			_, err = Refresh(ctx, school, rt)
			checkRedirectErr(t, "refresh", err, foreign.srv.URL)

			// Code exchange: the code and verifier stay home.
			req, _ := NewLoginRequest(school, "")
			_, err = Exchange(ctx, req, Redirect{Code: "the-code", State: req.State})
			checkRedirectErr(t, "exchange", err, foreign.srv.URL)

			// Through a TokenSource: the stored token is kept and still works.
			dir := t.TempDir()
			store := NewFileTokenStore(dir)
			if err := store.Save(ctx, "k", &Token{RefreshToken: rt, AccessToken: "old", Expiry: time.Unix(0, 0)}); err != nil {
				t.Fatal(err)
			}
			ts := NewTokenSource(school, store, dir, "k")
			_, err = New(school, ts, WithRetries(0)).Account(ctx)
			checkRedirectErr(t, "token source", err, foreign.srv.URL)

			if got := foreign.received(); len(got) != 0 {
				t.Fatalf("the other origin received %d requests: %q", len(got), got)
			}
			redirect.Store(false)
			if _, err := New(school, ts).Account(ctx); err != nil {
				t.Errorf("after the redirect stopped, the stored refresh token no longer works: %v", err)
			}
		})
	}
}

func checkRedirectErr(t *testing.T, what string, err error, foreign string) {
	t.Helper()
	if !errors.Is(err, ErrTokenRedirect) {
		t.Errorf("%s: error %v; want ErrTokenRedirect", what, err)
		return
	}
	if errors.Is(err, ErrLoginRequired) {
		t.Errorf("%s: a redirect is reported as a dead login: %v", what, err)
	}
	if !strings.Contains(err.Error(), "redirect to "+foreign) {
		t.Errorf("%s: error %q does not name where the redirect pointed (%s)", what, err, foreign)
	}
}
