package magister

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// LockFileName is the lock file a TokenSource refreshes under, in its dir.
const LockFileName = "tokens.lock"

// TokenSource hands out valid access tokens for one stored login and
// refreshes them when needed. Refresh tokens rotate, so a refresh is a locked
// transaction on dir/tokens.lock: lock, re-load, refresh only if still
// needed, save, unlock. Any number of TokenSources in any number of
// processes sharing the store and dir never use a refresh token twice.
// It is safe for concurrent use and implements Tokens.
type TokenSource struct {
	school   School
	store    TokenStore
	key      string
	lockPath string
	cfg      config

	mu  sync.Mutex
	tok *Token
}

// NewTokenSource returns a source for the token stored under key. dir holds
// the lock file (created 0700 if missing); an empty dir means in-process
// locking only, for single-process demos and tests.
func NewTokenSource(school School, store TokenStore, dir, key string, opts ...Option) *TokenSource {
	ts := &TokenSource{school: school, store: store, key: key, cfg: newConfig(opts)}
	if dir != "" {
		ts.lockPath = filepath.Join(dir, LockFileName)
	}
	return ts
}

// AccessToken returns an access token valid for at least the refresh margin
// (5 minutes by default), refreshing it if needed. Without a stored login, or
// with a dead refresh token, the error matches ErrLoginRequired.
func (ts *TokenSource) AccessToken(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if !ts.stale(ts.tok) {
		return ts.tok.AccessToken, nil
	}
	// Another process may have refreshed already: a cheap unlocked look.
	if t, err := ts.store.Load(ctx, ts.key); err == nil && !ts.stale(t) {
		ts.tok = t
		return t.AccessToken, nil
	}
	t, err := ts.refresh(ctx, func(cur *Token) bool { return ts.stale(cur) })
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// RefreshAccessToken is for an access token the API refused (401): it
// returns the stored token if another refresh already replaced rejected, and
// refreshes otherwise. An empty rejected forces a refresh.
func (ts *TokenSource) RefreshAccessToken(ctx context.Context, rejected string) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, err := ts.refresh(ctx, func(cur *Token) bool {
		return rejected == "" || cur.AccessToken == rejected || ts.stale(cur)
	})
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// Token returns a copy of the current token (loading it if needed), without
// refreshing. It is for callers that need the id_token (logout).
func (ts *TokenSource) Token(ctx context.Context) (*Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, err := ts.store.Load(ctx, ts.key)
	if err != nil {
		return nil, ts.loadErr(err)
	}
	ts.tok = t
	return t.clone(), nil
}

// Save stores tok (from a login or an imported refresh token) under the
// lock, so it cannot be overwritten by a refresh running at the same time.
func (ts *TokenSource) Save(ctx context.Context, tok *Token) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	unlock, err := ts.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := ts.store.Save(ctx, ts.key, tok); err != nil {
		return err
	}
	ts.tok = tok.clone()
	return nil
}

// Delete removes the stored token under the lock (logout).
func (ts *TokenSource) Delete(ctx context.Context) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	unlock, err := ts.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	ts.tok = nil
	return ts.store.Delete(ctx, ts.key)
}

func (ts *TokenSource) stale(t *Token) bool {
	return t.ExpiresWithin(ts.cfg.now(), ts.cfg.refreshEarly)
}

func (ts *TokenSource) loadErr(err error) error {
	if errors.Is(err, ErrNoToken) {
		return fmt.Errorf("%w: %w", ErrNoToken, ErrLoginRequired)
	}
	return err
}

// refresh is the locked transaction. ts.mu is held by the caller.
func (ts *TokenSource) refresh(ctx context.Context, needed func(*Token) bool) (*Token, error) {
	unlock, err := ts.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	cur, err := ts.store.Load(ctx, ts.key)
	if err != nil {
		return nil, ts.loadErr(err)
	}
	if !needed(cur) {
		ts.tok = cur
		return cur, nil
	}
	if cur.RefreshToken == "" {
		return nil, fmt.Errorf("magister: token refresh: no refresh token stored: %w", ErrLoginRequired)
	}
	nt, err := refresh(ctx, &ts.cfg, ts.school, cur.RefreshToken)
	if err != nil {
		return nil, err
	}
	if nt.IDToken == "" {
		nt.IDToken = cur.IDToken
	}
	// From here the old refresh token is dead: keep the new one in memory
	// even if saving fails, so this process at least goes on working.
	ts.tok = nt
	if err := ts.store.Save(ctx, ts.key, nt); err != nil {
		return nil, fmt.Errorf("magister: save refreshed token: %w", err)
	}
	return nt, nil
}

// lock takes the cross-process token lock.
func (ts *TokenSource) lock(ctx context.Context) (func(), error) {
	if ts.lockPath == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(filepath.Dir(ts.lockPath), 0o700); err != nil {
		return nil, fmt.Errorf("magister: token lock: %w", err)
	}
	return lockFile(ctx, ts.lockPath)
}
