package magister

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// TestTokenEndpointRedirectNotFollowed: a redirect from the token endpoint
// to another origin gets neither the refresh token nor the code and PKCE
// verifier, and the stored refresh token is not used up.
func TestTokenEndpointRedirectNotFollowed(t *testing.T) {
	ctx := context.Background()
	fake := magistertest.Start(t)
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			foreign := magistertest.NewTokenTrap(t)
			front := magistertest.NewFront(t, fake, status, foreign.URL)
			front.Redirect.Store(true)
			school, _ := ParseSchool("demo")
			school, err := school.WithBaseURL(front.URL)
			if err != nil {
				t.Fatal(err)
			}

			// Refresh: the refresh token stays home.
			rt := fake.IssueRefreshToken(magistertest.ParentLogin)
			_, err = Refresh(ctx, school, rt)
			checkRedirectErr(t, "refresh", err, foreign.URL)

			// Code exchange: the code and verifier stay home.
			req, _ := NewLoginRequest(school, "")
			_, err = Exchange(ctx, req, Redirect{Code: "the-code", State: req.State})
			checkRedirectErr(t, "exchange", err, foreign.URL)

			// Through a TokenSource: the stored token is kept and still works.
			dir := t.TempDir()
			store := NewFileTokenStore(dir)
			if err := store.Save(ctx, "k", &Token{RefreshToken: rt, AccessToken: "old", Expiry: time.Unix(0, 0)}); err != nil {
				t.Fatal(err)
			}
			ts := NewTokenSource(school, store, dir, "k")
			_, err = New(school, ts, WithRetries(0)).Account(ctx)
			checkRedirectErr(t, "token source", err, foreign.URL)

			if got := foreign.Requests(); len(got) != 0 {
				t.Fatalf("the other origin received %d requests: %+v", len(got), got)
			}
			front.Redirect.Store(false)
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
