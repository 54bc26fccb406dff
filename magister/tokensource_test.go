package magister

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/testenv"
	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// freshToken logs in login on f through the refresh shortcut.
func freshToken(t testing.TB, f *magistertest.School, school School, login string) *Token {
	t.Helper()
	tok, err := Refresh(context.Background(), school, f.IssueRefreshToken(login))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestTokenSourceNoRefreshWhileFresh(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	school := fakeSchool(t, f)
	store := NewMemoryTokenStore()
	tok := freshToken(t, f, school, magistertest.ParentLogin)
	if err := store.Save(ctx, "k", tok); err != nil {
		t.Fatal(err)
	}
	f.ResetRequests()
	ts := NewTokenSource(school, store, t.TempDir(), "k")
	for range 3 {
		got, err := ts.AccessToken(ctx)
		if err != nil || got != tok.AccessToken {
			t.Fatalf("got %v", err)
		}
	}
	if n, _ := countRequests(f, "/connect/"); n != 0 {
		t.Errorf("%d token requests for a fresh token", n)
	}
}

func TestTokenSourceRefreshesEarly(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	school := fakeSchool(t, f)
	store := NewMemoryTokenStore()
	tok := freshToken(t, f, school, magistertest.ParentLogin)
	now := time.Now()
	// Expiring in 4 minutes: inside the 5-minute margin.
	tok.Expiry = now.Add(4 * time.Minute)
	if err := store.Save(ctx, "k", tok); err != nil {
		t.Fatal(err)
	}
	ts := NewTokenSource(school, store, t.TempDir(), "k", WithClock(func() time.Time { return now }))
	got, err := ts.AccessToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := store.Load(ctx, "k")
	if got == tok.AccessToken || stored.AccessToken != got || stored.RefreshToken == tok.RefreshToken ||
		!stored.Expiry.Equal(now.Add(time.Hour)) || stored.IDToken == "" {
		t.Errorf("not refreshed: %v", stored)
	}
	// The rotated-out refresh token is dead at the fake.
	if _, err := Refresh(ctx, school, tok.RefreshToken); !errors.Is(err, ErrLoginRequired) {
		t.Errorf("old refresh token: %v", err)
	}
}

func TestTokenSourceLoginRequired(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	school := fakeSchool(t, f)
	ts := NewTokenSource(school, NewMemoryTokenStore(), "", "nobody")
	_, err := ts.AccessToken(ctx)
	if !errors.Is(err, ErrLoginRequired) || !errors.Is(err, ErrNoToken) {
		t.Errorf("no token: %v", err)
	}
	store := NewMemoryTokenStore()
	_ = store.Save(ctx, "k", &Token{AccessToken: "a"}) // expired, no refresh token
	if _, err := NewTokenSource(school, store, "", "k").AccessToken(ctx); !errors.Is(err, ErrLoginRequired) {
		t.Errorf("no refresh token: %v", err)
	}
}

func TestTokenSourceTemporaryFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>down</html>", http.StatusBadGateway)
	}))
	defer srv.Close()
	s, _ := ParseSchool("demo")
	s, _ = s.WithBaseURL(srv.URL)
	store := NewMemoryTokenStore()
	ctx := context.Background()
	_ = store.Save(ctx, "k", &Token{RefreshToken: "r"})
	_, err := NewTokenSource(s, store, t.TempDir(), "k").AccessToken(ctx)
	var oe *OAuthError
	if !errors.As(err, &oe) || !oe.Temporary() || errors.Is(err, ErrLoginRequired) {
		t.Errorf("got %v", err)
	}
	if tok, _ := store.Load(ctx, "k"); tok.RefreshToken != "r" {
		t.Error("stored token changed by a failed refresh")
	}
}

func TestTokenSourceRefreshAccessToken(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	school := fakeSchool(t, f)
	dir := t.TempDir()
	store := NewFileTokenStore(dir)
	tok := freshToken(t, f, school, magistertest.ParentLogin)
	if err := store.Save(ctx, "k", tok); err != nil {
		t.Fatal(err)
	}
	a := NewTokenSource(school, store, dir, "k")
	b := NewTokenSource(school, store, dir, "k")
	f.ResetRequests()
	// Both were refused the same token; only the first refreshes.
	ta, err := a.RefreshAccessToken(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.RefreshAccessToken(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if ta == tok.AccessToken || ta != tb {
		t.Error("second source did not pick up the first one's refresh")
	}
	if n, _ := countRequests(f, "/connect/token"); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	// An empty rejected token forces a refresh.
	tc, err := b.RefreshAccessToken(ctx, "")
	if err != nil || tc == tb {
		t.Errorf("forced refresh: %v", err)
	}
}

func TestTokenSourceSaveAndDelete(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store := NewFileTokenStore(dir)
	ts := NewTokenSource(demoSchool(t), store, dir, "k")
	tok := sampleToken(1)
	tok.Expiry = time.Now().Add(time.Hour)
	if err := ts.Save(ctx, tok); err != nil {
		t.Fatal(err)
	}
	got, err := ts.Token(ctx)
	if err != nil || !sameToken(got, tok) {
		t.Fatalf("Token = %v, %v", got, err)
	}
	if at, err := ts.AccessToken(ctx); err != nil || at != tok.AccessToken {
		t.Errorf("AccessToken = %v", err)
	}
	if err := ts.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.AccessToken(ctx); !errors.Is(err, ErrLoginRequired) {
		t.Errorf("after delete: %v", err)
	}
}

func TestTokenSourceLockHonoursContext(t *testing.T) {
	dir := t.TempDir()
	ts := NewTokenSource(demoSchool(t), NewFileTokenStore(dir), dir, "k")
	unlock, err := lockFile(context.Background(), dir+"/"+LockFileName)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := ts.RefreshAccessToken(ctx, ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v", err)
	}
}

// TestConcurrentRefreshGoroutines: many token sources in one process, each
// with its own lock handle, all needing a refresh at once.
func TestConcurrentRefreshGoroutines(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	school := fakeSchool(t, f)
	dir := t.TempDir()
	store := NewFileTokenStore(dir)
	_ = store.Save(ctx, "k", &Token{RefreshToken: f.IssueRefreshToken(magistertest.ParentLogin)})
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		wg.Go(func() {
			at, err := NewTokenSource(school, store, dir, "k").AccessToken(ctx)
			if err != nil {
				t.Error(err)
			}
			tokens[i] = at
		})
	}
	wg.Wait()
	if n, _ := countRequests(f, "/connect/token"); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	if tokens[0] == "" || slices.ContainsFunc(tokens, func(s string) bool { return s != tokens[0] }) {
		t.Errorf("different tokens handed out: %d distinct", len(slices.Compact(slices.Sorted(slices.Values(tokens)))))
	}
}

const helperEnv = "MAGISTER_TEST_HELPER"

// TestHelperProcess is the child side of TestConcurrentRefreshProcesses. It
// does nothing in a normal test run.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		return
	}
	err := helperMain(mode, os.Getenv("MAGISTER_TEST_URL"), os.Getenv("MAGISTER_TEST_DIR"))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ok")
	os.Exit(0)
}

func helperMain(mode, base, dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := ParseSchool("fakeschool")
	if err != nil {
		return err
	}
	if s, err = s.WithBaseURL(base); err != nil {
		return err
	}
	ts := NewTokenSource(s, NewFileTokenStore(dir), dir, "k")
	c := New(s, ts)
	// Wait for the parent's start signal so all children race.
	if _, err := io.ReadFull(bufio.NewReader(os.Stdin), make([]byte, 1)); err != nil {
		return fmt.Errorf("start signal: %w", err)
	}
	switch mode {
	case "expired": // the stored access token is expired: refresh on first use
		if _, err := ts.AccessToken(ctx); err != nil {
			return err
		}
	case "refused": // the API refuses the stored access token: refresh on 401
	case "forced": // everybody forces two refreshes of their own
		for range 2 {
			if _, err := ts.RefreshAccessToken(ctx, ""); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unknown mode %q", mode)
	}
	_, err = c.Account(ctx)
	return err
}

// runHelpers starts n child processes in mode, releases them at once and
// waits for all of them.
func runHelpers(t *testing.T, n int, mode, url, dir string) {
	t.Helper()
	type child struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		out   *strings.Builder
	}
	var children []child
	for range n {
		cmd := testenv.HelperCommand("TestHelperProcess", helperEnv+"="+mode, "MAGISTER_TEST_URL="+url, "MAGISTER_TEST_DIR="+dir)
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		children = append(children, child{cmd, stdin, out})
	}
	for _, c := range children {
		_, _ = c.stdin.Write([]byte{'g'})
		c.stdin.Close()
	}
	for i, c := range children {
		if err := c.cmd.Wait(); err != nil || !strings.Contains(c.out.String(), "ok") {
			t.Errorf("%s child %d: %v\n%s", mode, i, err, c.out.String())
		}
	}
}

// TestConcurrentRefreshProcesses: six real processes share one token file
// and all need a refresh at the same moment. Refresh tokens rotate strictly
// at the fake, so a single double use would give invalid_grant.
func TestConcurrentRefreshProcesses(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	school := fakeSchool(t, f)
	dir := t.TempDir()
	store := NewFileTokenStore(dir)
	const procs = 6
	checkTokens := func(want int) {
		t.Helper()
		n, statuses := countRequests(f, "/connect/token")
		if n != want || slices.ContainsFunc(statuses, func(s int) bool { return s != http.StatusOK }) {
			t.Errorf("token requests %d %v, want %d, all 200", n, statuses, want)
		}
	}

	// Expired access token: one process refreshes, the others pick it up.
	if err := store.Save(ctx, "k", &Token{AccessToken: "old", RefreshToken: f.IssueRefreshToken(magistertest.ParentLogin)}); err != nil {
		t.Fatal(err)
	}
	runHelpers(t, procs, "expired", f.URL, dir)
	checkTokens(1)

	// The API refuses every access token: each process gets a 401; one
	// refreshes, the others see the refused token replaced.
	f.ExpireAccessTokens()
	f.ResetRequests()
	runHelpers(t, procs, "refused", f.URL, dir)
	checkTokens(1)

	// Every process forces two refreshes: twelve rotations in a row.
	f.ResetRequests()
	runHelpers(t, procs, "forced", f.URL, dir)
	checkTokens(2 * procs)

	// What is stored at the end is one valid session.
	tok, err := store.Load(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	acct, err := New(school, NewTokenSource(school, store, dir, "k")).Account(ctx)
	if err != nil || acct.FirstName != "Eva" {
		t.Fatalf("final token: %+v, %v", acct, err)
	}
	if _, err := Refresh(ctx, school, tok.RefreshToken); err != nil {
		t.Errorf("the stored refresh token is not the live one: %v", err)
	}
}
