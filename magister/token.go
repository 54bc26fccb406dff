package magister

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Token is what the identity provider hands out at login and refresh. Its
// secrets never show when it is printed, logged or marshalled to JSON: String,
// GoString, LogValue and MarshalJSON all redact them. Token stores use their
// own encoding.
type Token struct {
	// AccessToken is the bearer token for /api requests (about 1 hour).
	AccessToken string
	// RefreshToken gets a new access token; it rotates on every use.
	RefreshToken string
	// IDToken is the OIDC id_token, kept for the end-session (logout) call.
	IDToken string
	// TokenType is normally "Bearer".
	TokenType string
	// Scope is the space-separated granted scope.
	Scope string
	// Expiry is when AccessToken stops working.
	Expiry time.Time
	// APIOrigin and AccountsOrigin (scheme://host[:port]) are where the
	// token was issued for: the school's API, which gets the access token,
	// and the identity provider, which gets the refresh and id tokens.
	// Exchange and Refresh fill them in; a TokenSource sends the token
	// nowhere else.
	APIOrigin, AccountsOrigin string
}

// ExpiresWithin reports whether the access token is missing or expires
// within d of now.
func (t *Token) ExpiresWithin(now time.Time, d time.Duration) bool {
	return t == nil || t.AccessToken == "" || !now.Add(d).Before(t.Expiry)
}

// String describes t without its secrets.
func (t Token) String() string {
	return fmt.Sprintf("magister.Token{access:%s refresh:%s id:%s expiry:%s}",
		redacted(t.AccessToken), redacted(t.RefreshToken), redacted(t.IDToken), t.Expiry.UTC().Format(time.RFC3339))
}

// GoString is String, so %#v does not print secrets either.
func (t Token) GoString() string { return t.String() }

// Format makes every fmt verb print String, so %v, %+v, %s and %#v of a Token
// value or pointer never print secrets.
func (t Token) Format(f fmt.State, verb rune) { _, _ = fmt.Fprint(f, t.String()) }

// LogValue is the slog form of t, without secrets.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("hasAccessToken", t.AccessToken != ""),
		slog.Bool("hasRefreshToken", t.RefreshToken != ""),
		slog.Time("expiry", t.Expiry),
	)
}

// MarshalJSON writes only what is safe to show: whether the secrets are
// present, the scope and the expiry.
func (t Token) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		HasAccessToken  bool      `json:"hasAccessToken"`
		HasRefreshToken bool      `json:"hasRefreshToken"`
		HasIDToken      bool      `json:"hasIdToken"`
		Scope           string    `json:"scope,omitempty"`
		Expiry          time.Time `json:"expiry"`
	}{t.AccessToken != "", t.RefreshToken != "", t.IDToken != "", t.Scope, t.Expiry})
}

func redacted(s string) string {
	if s == "" {
		return "none"
	}
	return "redacted"
}

// storedToken is the encoding token stores use. It is the only place the
// secrets are serialised.
type storedToken struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	IDToken      string    `json:"id_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Scope        string    `json:"scope,omitempty"`
	Expiry       time.Time `json:"expiry"`
	// Tokens stored before the origins were recorded have none; see
	// TokenSource for how they are adopted.
	APIOrigin      string `json:"api_origin,omitempty"`
	AccountsOrigin string `json:"accounts_origin,omitempty"`
}

func toStored(t *Token) storedToken {
	return storedToken{t.AccessToken, t.RefreshToken, t.IDToken, t.TokenType, t.Scope, t.Expiry, t.APIOrigin, t.AccountsOrigin}
}

func (s storedToken) token() *Token {
	return &Token{s.AccessToken, s.RefreshToken, s.IDToken, s.TokenType, s.Scope, s.Expiry, s.APIOrigin, s.AccountsOrigin}
}

// clone returns a copy so callers cannot change a cached token.
func (t *Token) clone() *Token {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
