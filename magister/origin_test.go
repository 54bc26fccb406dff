package magister

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// secretCatcher is a loopback server on its own port that counts requests
// carrying a bearer token or a form with a secret.
func secretCatcher(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var caught atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "" || strings.Contains(string(b), "token") || strings.Contains(r.URL.RawQuery, "token") {
			caught.Add(1)
		}
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	return srv, &caught
}

func TestTokenSourceOriginBinding(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	home := fakeSchool(t, f)
	other, caught := secretCatcher(t)
	elsewhere, err := home.WithBaseURL(other.URL)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	store := NewFileTokenStore(dir)

	// A token issued by home carries home's origins.
	tok := freshToken(t, f, home, magistertest.ParentLogin)
	if tok.APIOrigin != f.URL || tok.AccountsOrigin != f.URL {
		t.Fatalf("issued token origins %q, %q; want %q", tok.APIOrigin, tok.AccountsOrigin, f.URL)
	}
	if err := NewTokenSource(home, store, dir, "k").Save(ctx, tok); err != nil {
		t.Fatal(err)
	}
	wrong := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrWrongOrigin) || !strings.Contains(err.Error(), "issued for "+f.URL) ||
			!strings.Contains(err.Error(), "points to "+other.URL) {
			t.Errorf("%s: %v; want ErrWrongOrigin naming both servers", what, err)
		}
	}
	// Used with another school: refused, whether the access token is
	// fresh, a refresh is forced, or the token is wanted for a logout.
	ts := NewTokenSource(elsewhere, store, dir, "k")
	_, err = ts.AccessToken(ctx)
	wrong("AccessToken", err)
	_, err = ts.RefreshAccessToken(ctx, "")
	wrong("RefreshAccessToken", err)
	_, err = ts.Token(ctx)
	wrong("Token", err)
	_, err = New(elsewhere, ts).Account(ctx)
	wrong("Client.Account", err)
	wrong("Save", NewTokenSource(elsewhere, store, dir, "k2").Save(ctx, tok))
	if n := caught.Load(); n != 0 {
		t.Errorf("%d requests with a secret reached the other server", n)
	}
	if _, err := New(home, NewTokenSource(home, store, dir, "k")).Account(ctx); err != nil {
		t.Errorf("at home the login still works: %v", err)
	}
}

// TestTokenSourceAdoptsLegacyToken: a token stored without origins (by an
// older version) is bound to the school of its first use, and only if that
// school is one secrets may go to.
func TestTokenSourceAdoptsLegacyToken(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	home := fakeSchool(t, f)
	other, caught := secretCatcher(t)
	elsewhere, _ := home.WithBaseURL(other.URL)
	dir := t.TempDir()
	store := NewFileTokenStore(dir)
	legacy := &Token{RefreshToken: f.IssueRefreshToken(magistertest.ParentLogin), AccessToken: "old", Expiry: time.Unix(0, 0)}
	if err := store.Save(ctx, "k", legacy); err != nil {
		t.Fatal(err)
	}
	// A school no secret may go to never gets the legacy token.
	remote := School{Code: "demo", APIURL: "http://school.invalid", AccountsURL: "http://school.invalid"}
	if _, err := NewTokenSource(remote, store, dir, "k").AccessToken(ctx); !errors.Is(err, ErrWrongOrigin) ||
		!strings.Contains(err.Error(), "plain http is only allowed to this computer") {
		t.Errorf("legacy token for a remote http school: %v", err)
	}
	if _, err := New(home, NewTokenSource(home, store, dir, "k")).Account(ctx); err != nil {
		t.Fatalf("first use of the legacy token: %v", err)
	}
	stored, err := store.Load(ctx, "k")
	if err != nil || stored.APIOrigin != f.URL || stored.AccountsOrigin != f.URL {
		t.Fatalf("after the first use the stored token has origins %q, %q (%v); want %q", stored.APIOrigin, stored.AccountsOrigin, err, f.URL)
	}
	if _, err := NewTokenSource(elsewhere, store, dir, "k").AccessToken(ctx); !errors.Is(err, ErrWrongOrigin) {
		t.Errorf("once bound, another school: %v", err)
	}
	if n := caught.Load(); n != 0 {
		t.Errorf("%d requests with a secret reached the other server", n)
	}
}
