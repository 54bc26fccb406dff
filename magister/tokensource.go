package magister

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// LockFileName is the lock file a TokenSource refreshes under, in its dir.
const LockFileName = "tokens.lock"

// ErrWrongOrigin means a stored login was issued for another server than the
// school it would be sent to (its base URL was changed since): nothing is
// sent.
var ErrWrongOrigin = errors.New("magister: the stored login is not sent to this server")

// TokenSource hands out valid access tokens for one stored login and
// refreshes them when needed. Refresh tokens rotate, so a refresh is a locked
// transaction on dir/tokens.lock: lock, re-load, refresh only if still
// needed, save, unlock. Any number of TokenSources in any number of
// processes sharing the store and dir never use a refresh token twice.
//
// A refresh is only made when its result can be kept: room for it is set
// aside in dir first, and a result the store cannot take waits in a rescue
// file in dir until it can (see StoreError).
//
// A token is only ever handed out or sent for the school it was issued for
// (Token.APIOrigin and AccountsOrigin); any other gives ErrWrongOrigin. A
// token stored before origins were recorded is bound, at its first use, to
// the school it is used with, provided that school passes the rule of
// WithBaseURL (a Magister host or this computer).
// It is safe for concurrent use and implements Tokens.
type TokenSource struct {
	school   School
	store    TokenStore
	key      string
	dir      string
	lockPath string
	cfg      config

	mu  sync.Mutex
	tok *Token
}

// NewTokenSource returns a source for the token stored under key. dir holds
// the lock file (created 0700 if missing) and any rescue files; an empty dir
// means in-process locking only and no rescue, for single-process demos and
// tests.
func NewTokenSource(school School, store TokenStore, dir, key string, opts ...Option) *TokenSource {
	ts := &TokenSource{school: school, store: store, key: key, dir: dir, cfg: newConfig(opts)}
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
	// A token from a rescue file goes the locked way, to be taken into
	// the store.
	if t, rescued, err := ts.load(ctx); err == nil && !rescued && !ts.stale(t) && ts.checkOrigin(t) == nil {
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
	t, _, err := ts.load(ctx)
	if err != nil {
		return nil, err
	}
	if err := ts.bind(t); err != nil {
		return nil, err
	}
	ts.tok = t
	return t.clone(), nil
}

// Save stores tok (from a login or an imported refresh token) under the
// lock, so it cannot be overwritten by a refresh running at the same time.
func (ts *TokenSource) Save(ctx context.Context, tok *Token) error {
	return ts.replace(ctx, func() error {
		tok = tok.clone()
		if err := ts.bind(tok); err != nil {
			return err
		}
		if err := ts.store.Save(ctx, ts.key, tok); err != nil {
			return err
		}
		ts.tok = tok
		return nil
	})
}

// Delete removes the stored token under the lock (logout).
func (ts *TokenSource) Delete(ctx context.Context) error {
	return ts.replace(ctx, func() error {
		ts.tok = nil
		return ts.store.Delete(ctx, ts.key)
	})
}

// replace runs change, which puts a new login in the store or takes it
// out, holding ts.mu and the lock that refreshes take, so that no refresh
// running at the same time can write an older token over it. When change
// succeeds the rescue files go: what they hold is superseded.
func (ts *TokenSource) replace(ctx context.Context, change func() error) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	unlock, err := ts.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := change(); err != nil {
		return err
	}
	ts.dropRescues()
	return nil
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
	cur, err := ts.loadLocked(ctx)
	if err != nil {
		return nil, err
	}
	legacy := cur.APIOrigin == "" && cur.AccountsOrigin == ""
	if err := ts.bind(cur); err != nil {
		return nil, err
	}
	if legacy {
		// Record the binding at once, so a later change of the school's
		// address cannot take the token along. Best effort: if it cannot
		// be saved now, the next use binds it the same way.
		_ = ts.store.Save(ctx, ts.key, cur)
	}
	if !needed(cur) {
		ts.tok = cur
		return cur, nil
	}
	if cur.RefreshToken == "" {
		return nil, fmt.Errorf("magister: token refresh: no refresh token stored: %w", ErrLoginRequired)
	}
	var res *reservation
	if ts.dir != "" {
		if res, err = reserve(ts.dir); err != nil {
			return nil, &StoreError{Dir: ts.dir, Err: err}
		}
	}
	nt, err := refresh(ctx, &ts.cfg, ts.school, cur.RefreshToken)
	if err != nil {
		if res != nil {
			res.discard()
		}
		return nil, err
	}
	if nt.IDToken == "" {
		nt.IDToken = cur.IDToken
	}
	// From here the old refresh token is dead: keep the new one in memory
	// even if saving fails, so this process at least goes on working.
	ts.tok = nt
	if err := ts.keep(ctx, res, cur, nt); err != nil {
		return nil, err
	}
	return nt, nil
}

// keep stores nt, which replaced spent: durably in the reservation first,
// then in the store. ts.mu and the lock are held.
func (ts *TokenSource) keep(ctx context.Context, res *reservation, spent, nt *Token) error {
	if res == nil {
		if err := ts.store.Save(ctx, ts.key, nt); err != nil {
			return fmt.Errorf("magister: save refreshed token: %w", err)
		}
		return nil
	}
	fillErr := res.fill(rescueRecord{Version: 1, Key: ts.key, Replaces: fingerprint(spent.RefreshToken), Token: toStored(nt)})
	saveErr := ts.store.Save(ctx, ts.key, nt)
	switch {
	case saveErr == nil:
		res.discard()
		ts.dropRescues() // the store holds the newest now
		return nil
	case fillErr == nil:
		res.keep()
		return &StoreError{Dir: ts.dir, Rescue: res.path, Err: saveErr}
	}
	res.discard()
	return &StoreError{Dir: ts.dir, Err: saveErr, lost: fillErr}
}

// load returns the stored token, or the newest token of the rescue files
// that continue it (rescued is then true). It takes no lock and changes
// nothing.
func (ts *TokenSource) load(ctx context.Context) (t *Token, rescued bool, err error) {
	t, err = ts.store.Load(ctx, ts.key)
	if err != nil {
		return nil, false, ts.loadErr(err)
	}
	if ts.dir == "" {
		return t, false, nil
	}
	files, _ := readRescues(ts.dir, ts.key)
	if len(files) == 0 {
		return t, false, nil
	}
	newest, chain, _ := followRescues(t, files)
	return newest, len(chain) > 0, nil
}

// loadLocked is load under the lock: a token found in a rescue file is
// saved in the store, and rescue files that are no longer needed are
// removed. A store that still cannot take it leaves the rescue in place.
func (ts *TokenSource) loadLocked(ctx context.Context) (*Token, error) {
	t, err := ts.store.Load(ctx, ts.key)
	if err != nil {
		return nil, ts.loadErr(err)
	}
	if ts.dir == "" {
		return t, nil
	}
	files, junk := readRescues(ts.dir, ts.key)
	newest, chain, stale := followRescues(t, files)
	removeAll(junk, stale)
	if len(chain) > 0 && ts.store.Save(ctx, ts.key, newest) == nil {
		removeAll(chain)
	}
	return newest, nil
}

// dropRescues removes every rescue file of ts's key. The lock is held.
func (ts *TokenSource) dropRescues() {
	if ts.dir == "" {
		return
	}
	files, _ := readRescues(ts.dir, ts.key)
	for _, f := range files {
		_ = os.Remove(f.path)
	}
}

// checkOrigin reports whether t was issued for ts's school.
func (ts *TokenSource) checkOrigin(t *Token) error {
	api, accounts := ts.school.origins()
	if t.APIOrigin == api && t.AccountsOrigin == accounts {
		return nil
	}
	issued := t.APIOrigin
	if t.AccountsOrigin != t.APIOrigin {
		issued += " (sign-in at " + t.AccountsOrigin + ")"
	}
	if issued == "" {
		issued = "an unknown server"
	}
	return fmt.Errorf("%w: it was issued for %s, but this account now points to %s; nothing was sent", ErrWrongOrigin, issued, api)
}

// bind checks t's origins against ts's school. A token without origins
// (stored by an older version) is given the school's, if the school is one
// secrets may go to at all.
func (ts *TokenSource) bind(t *Token) error {
	if t.APIOrigin == "" && t.AccountsOrigin == "" {
		if err := ts.school.checkOrigins(); err != nil {
			return fmt.Errorf("%w: it does not record which server it was issued for, and %s", ErrWrongOrigin,
				strings.TrimPrefix(err.Error(), "magister: "))
		}
		t.APIOrigin, t.AccountsOrigin = ts.school.origins()
	}
	return ts.checkOrigin(t)
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
