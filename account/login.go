package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/magister-notify/magister-notify/internal/atomicfile"
	"github.com/magister-notify/magister-notify/internal/filelock"
	"github.com/magister-notify/magister-notify/internal/plainfile"
	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

// A pending browser login lives beside the state, in its own 0600 file: the
// PKCE verifier is a secret for those few minutes and the state file holds
// none. login.lock makes completing it happen exactly once, whether the
// address arrives pasted or through the m6loapp:// handler.
const (
	// PendingLoginName is the file in the state directory that holds a
	// started login; it disappears when the login completes.
	PendingLoginName = "pending-login.json"
	loginLockName    = "login.lock"
	// PendingLoginTTL is how long a started login can be completed.
	PendingLoginTTL = 10 * time.Minute
)

// Errors of completing a login. They name what happened; the CLI adds what
// the user can do about it.
var (
	ErrNoPendingLogin = errors.New("account: no sign-in is waiting to be completed (it was completed already, or never started)")
	ErrLoginExpired   = errors.New("account: the sign-in was started more than 10 minutes ago and has expired")
	ErrForeignLogin   = errors.New("account: the address belongs to another sign-in (its state does not match)")
	// ErrLoginSuperseded is returned by WaitLogin when another login was
	// started while it waited.
	ErrLoginSuperseded = errors.New("account: another sign-in was started meanwhile")
	// ErrLoginNotCompleted is returned by WaitLogin when the pending login
	// went away without adding an account.
	ErrLoginNotCompleted = errors.New("account: the sign-in was not completed (it expired or failed)")
	// ErrDamagedPending means the file of the pending login cannot be read;
	// it is removed, so the login has to start again.
	ErrDamagedPending = errors.New("account: the pending sign-in is damaged")
	// ErrLoginBusy means another process is completing a login right now.
	ErrLoginBusy = errors.New("account: another sign-in is being completed right now")
)

// StartLogin begins a browser login and remembers it in dir until it is
// completed or expires. The returned request's AuthorizeURL is what the user
// opens.
func StartLogin(ctx context.Context, dir string, school magister.School, loginHint string) (*magister.LoginRequest, error) {
	req, err := magister.NewLoginRequest(school, loginHint)
	if err != nil {
		return nil, err
	}
	unlock, err := lockLogin(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	data, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, PendingLoginName), data, 0o600); err != nil {
		return nil, fmt.Errorf("account: remember the pending login: %w", err)
	}
	return req, nil
}

// CompleteLogin finishes the pending login with the address the browser was
// sent to (m6loapp://oauth2redirect/#code=…), a query form, or a bare code:
// it exchanges the code, finds the account and its children, stores the
// tokens and adds the account to the state.
func CompleteLogin(ctx context.Context, st *state.Store, clients *Clients, redirect string, now time.Time) (state.Account, error) {
	r, err := magister.ParseRedirect(redirect)
	if err != nil {
		return state.Account{}, err
	}
	unlock, err := lockLogin(ctx, st.Dir())
	if err != nil {
		return state.Account{}, err
	}
	defer unlock()
	path := filepath.Join(st.Dir(), PendingLoginName)
	req, err := readPending(st.Dir())
	if err != nil {
		if errors.Is(err, ErrDamagedPending) {
			os.Remove(path)
		}
		return state.Account{}, err
	}
	if now.Sub(req.CreatedAt) > PendingLoginTTL {
		os.Remove(path)
		return state.Account{}, ErrLoginExpired
	}
	if r.State != "" && r.State != req.State {
		return state.Account{}, ErrForeignLogin
	}
	tok, err := magister.Exchange(ctx, req, r, clients.Options...)
	if err != nil {
		return state.Account{}, err
	}
	acct, err := addAccount(ctx, st, clients, req.School, tok, now)
	if err != nil {
		return state.Account{}, err
	}
	os.Remove(path)
	return acct, nil
}

// ImportRefreshToken logs in with a refresh token exported from another
// Magister app.
func ImportRefreshToken(ctx context.Context, st *state.Store, clients *Clients, school magister.School, refreshToken string, now time.Time) (state.Account, error) {
	tok, err := magister.Refresh(ctx, school, refreshToken, clients.Options...)
	if err != nil {
		return state.Account{}, err
	}
	return addAccount(ctx, st, clients, school, tok, now)
}

// addAccount discovers who tok belongs to, stores tok under the account's
// key and records the account (keeping the settings and seen items of a
// child that was there before).
func addAccount(ctx context.Context, st *state.Store, clients *Clients, school magister.School, tok *magister.Token, now time.Time) (state.Account, error) {
	mem := magister.NewMemoryTokenStore()
	const tmpKey = "login"
	if err := mem.Save(ctx, tmpKey, tok); err != nil {
		return state.Account{}, err
	}
	client := magister.New(school, magister.NewTokenSource(school, mem, st.Dir(), tmpKey, clients.Options...), clients.Options...)
	me, err := client.Account(ctx)
	if err != nil {
		return state.Account{}, err
	}
	kids, err := client.Children(ctx, me)
	if err != nil {
		return state.Account{}, err
	}
	latest, err := mem.Load(ctx, tmpKey) // a refresh may have rotated it
	if err != nil {
		return state.Account{}, err
	}
	acct := state.Account{
		Key:      school.Code + "/" + strconv.Itoa(me.ID),
		School:   school.Code,
		PersonID: me.ID,
		Name:     me.FirstName,
		IsParent: me.IsParent,
		Added:    now,
		SignedIn: now,
	}
	if school.APIURL != "https://"+school.Code+".magister.net" {
		acct.BaseURL = school.APIURL
	}
	for _, k := range kids {
		acct.Children = append(acct.Children, state.Child{ID: k.ID, FirstName: k.FirstName})
	}
	ts, err := clients.TokenSource(school, acct.Key)
	if err != nil {
		return state.Account{}, err
	}
	if err := ts.Save(ctx, latest); err != nil {
		return state.Account{}, fmt.Errorf("account: store the login: %w", err)
	}
	err = st.Update(ctx, func(s *state.State) error {
		i := s.AccountIndex(acct.Key)
		if i < 0 {
			s.Accounts = append(s.Accounts, acct)
			return nil
		}
		old := s.Accounts[i]
		acct.Added, acct.Seen = old.Added, old.Seen
		for ci := range acct.Children {
			for _, oc := range old.Children {
				if oc.ID == acct.Children[ci].ID {
					acct.Children[ci].Muted, acct.Children[ci].Privacy, acct.Children[ci].Seen = oc.Muted, oc.Privacy, oc.Seen
				}
			}
		}
		s.Accounts[i] = acct
		return nil
	})
	return acct, err
}

// Logout forgets the account with key: its tokens, its state and what was
// seen. Notifications already waiting for it are dropped with it.
func Logout(ctx context.Context, st *state.Store, clients *Clients, key string) (state.Account, error) {
	var acct state.Account
	err := st.Update(ctx, func(s *state.State) error {
		i := s.AccountIndex(key)
		if i < 0 {
			return fmt.Errorf("account: no account %q is logged in", key)
		}
		acct = s.Accounts[i]
		s.Accounts = append(s.Accounts[:i], s.Accounts[i+1:]...)
		kept := s.Outbox[:0]
		for _, e := range s.Outbox {
			if e.Account != key {
				kept = append(kept, e)
			}
		}
		s.Outbox = kept
		return nil
	})
	if err != nil {
		return state.Account{}, err
	}
	school, err := SchoolOf(acct)
	if err != nil {
		return acct, err
	}
	ts, err := clients.TokenSource(school, key)
	if err != nil {
		return acct, err
	}
	if tok, err := ts.Token(ctx); err == nil && tok.IDToken != "" {
		// Best effort: end the session at Magister too.
		magister.EndSession(ctx, school, tok.IDToken, clients.Options...)
	}
	if err := ts.Delete(ctx); err != nil && !errors.Is(err, magister.ErrNoToken) {
		return acct, fmt.Errorf("account: forget the tokens: %w", err)
	}
	return acct, nil
}

// LogoutAll signs every account out, whatever the state still knows: it
// forgets the accounts in the state with the notifications waiting for them,
// ends their sessions at Magister where it can, and removes every stored
// login it can find — those of the accounts in the state and in damaged
// state files moved aside, in the keyring, and every login in the token
// file. It returns the accounts it signed out and the keys of the stored
// logins it removed.
func LogoutAll(ctx context.Context, st *state.Store, clients *Clients) ([]state.Account, []string, error) {
	var gone []state.Account
	err := st.Update(ctx, func(s *state.State) error {
		gone = s.Accounts
		s.Accounts = nil
		kept := s.Outbox[:0]
		for _, e := range s.Outbox {
			if findKey(gone, e.Account) < 0 {
				kept = append(kept, e)
			}
		}
		s.Outbox = kept
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var keys []string
	for _, acct := range gone {
		keys = append(keys, acct.Key)
		if school, err := SchoolOf(acct); err == nil {
			if ts, err := clients.TokenSource(school, acct.Key); err == nil {
				if tok, err := ts.Token(ctx); err == nil && tok.IDToken != "" {
					// Best effort: end the session at Magister too.
					magister.EndSession(ctx, school, tok.IDToken, clients.Options...)
				}
			}
		}
	}
	older, err := st.QuarantinedAccounts()
	if err != nil {
		return gone, nil, err
	}
	for _, acct := range older {
		keys = append(keys, acct.Key)
	}
	forgot, err := magister.ForgetTokens(ctx, st.Dir(), keys)
	if err != nil {
		return gone, forgot, fmt.Errorf("account: forget the tokens: %w", err)
	}
	return gone, forgot, nil
}

func findKey(accts []state.Account, key string) int {
	for i, a := range accts {
		if a.Key == key {
			return i
		}
	}
	return -1
}

func lockLogin(ctx context.Context, dir string) (func(), error) {
	unlock, err := filelock.Lock(ctx, filepath.Join(dir, loginLockName), 2*time.Minute)
	if err != nil {
		return nil, fmt.Errorf("%w (%w)", ErrLoginBusy, err)
	}
	return unlock, nil
}

// PendingLogin returns the login waiting to be completed in dir, if any.
func PendingLogin(dir string) (*magister.LoginRequest, bool) {
	req, err := readPending(dir)
	return req, err == nil
}

// maxPendingLogin is the largest pending login read; one takes well under
// a kilobyte.
const maxPendingLogin = 64 << 10

// readPending reads the pending login: ErrNoPendingLogin when there is none,
// another error when the file cannot be read or decoded.
func readPending(dir string) (*magister.LoginRequest, error) {
	data, err := plainfile.ReadFile(filepath.Join(dir, PendingLoginName), maxPendingLogin)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoPendingLogin
	}
	if errors.Is(err, plainfile.ErrTooLarge) {
		return nil, fmt.Errorf("%w (%v)", ErrDamagedPending, err)
	}
	if err != nil {
		return nil, err
	}
	var req magister.LoginRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrDamagedPending, err)
	}
	return &req, nil
}

// WaitLogin waits until the pending login req is completed by another
// process (the m6loapp:// handler) and returns the account it added. It
// polls the pending file, which completion removes, every poll.
func WaitLogin(ctx context.Context, st *state.Store, req *magister.LoginRequest, poll time.Duration) (state.Account, error) {
	deadline := req.CreatedAt.Add(PendingLoginTTL)
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if cur, ok := PendingLogin(st.Dir()); !ok || cur.State != req.State {
			var acct state.Account
			found := false
			err := st.View(ctx, func(s state.State) error {
				for _, a := range s.Accounts {
					if !a.SignedIn.Before(req.CreatedAt.Add(-time.Second)) && a.School == req.School.Code && (!found || a.SignedIn.After(acct.SignedIn)) {
						acct, found = a, true
					}
				}
				return nil
			})
			if err != nil {
				return state.Account{}, err
			}
			if found {
				return acct, nil
			}
			if ok {
				return state.Account{}, ErrLoginSuperseded
			}
			return state.Account{}, ErrLoginNotCompleted
		}
		if time.Now().After(deadline) {
			return state.Account{}, ErrLoginExpired
		}
		select {
		case <-ctx.Done():
			return state.Account{}, ctx.Err()
		case <-t.C:
		}
	}
}
