// Package account signs accounts in and out of Magister and opens the
// logged-in client of each: the browser login (start, complete, wait), a
// login from a refresh token, logout, and a cache of clients that share one
// token store. The state records who is signed in; the tokens live in the
// keyring or dir/tokens.json, never in the state.
package account

import (
	"context"
	"fmt"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

// SchoolOf is where acct's Magister lives: its school, or the base URL it
// was logged in with (the fake school).
func SchoolOf(acct state.Account) (magister.School, error) {
	school, err := magister.ParseSchool(acct.School)
	if err != nil {
		return magister.School{}, err
	}
	if acct.BaseURL != "" {
		school, err = school.WithBaseURL(acct.BaseURL)
		if err != nil {
			return magister.School{}, fmt.Errorf("account: %s: base_url in the state file: %w", acct.Key, err)
		}
	}
	return school, nil
}

// Clients opens logged-in Magister clients for accounts whose tokens live
// in dir (the keyring, or dir/tokens.json). Clients are cached for the
// opener's lifetime, so a long-running tray reuses connections.
type Clients struct {
	Dir     string
	Options []magister.Option
	// UsedFallback is set once the tokens turned out to live in
	// dir/tokens.json because no keyring works here.
	UsedFallback bool
	store        magister.TokenStore
	clients      map[string]*magister.Client
}

// Open returns the client of acct (for notifier.Checker.Open, through
// notifier.Sources).
func (a *Clients) Open(_ context.Context, acct state.Account) (*magister.Client, error) {
	if c, ok := a.clients[acct.Key]; ok {
		return c, nil
	}
	school, err := SchoolOf(acct)
	if err != nil {
		return nil, err
	}
	ts, err := a.TokenSource(school, acct.Key)
	if err != nil {
		return nil, err
	}
	c := magister.New(school, ts, a.Options...)
	if a.clients == nil {
		a.clients = map[string]*magister.Client{}
	}
	a.clients[acct.Key] = c
	return c, nil
}

// TokenSource returns the token source of the login stored under key.
func (a *Clients) TokenSource(school magister.School, key string) (*magister.TokenSource, error) {
	if a.store == nil {
		store, fallback, err := magister.OpenTokenStore(a.Dir)
		if err != nil {
			return nil, fmt.Errorf("account: open the token store: %w", err)
		}
		a.store, a.UsedFallback = store, fallback
	}
	return magister.NewTokenSource(school, a.store, a.Dir, key, a.Options...), nil
}
