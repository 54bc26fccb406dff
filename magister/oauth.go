package magister

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The mobile-app client every third-party Magister app uses.
const (
	// ClientID is the public OIDC client (no secret, PKCE).
	ClientID = "M6LOAPP"
	// RedirectURI is the custom-scheme redirect; the trailing slash matters.
	RedirectURI = "m6loapp://oauth2redirect/"
	// Scope is the scope requested at login; offline_access yields the
	// refresh token.
	Scope = "openid profile offline_access magister.mobile magister.ecs"
)

var (
	// ErrLoginRequired means the stored session is gone (no token, a dead
	// or used refresh token, or an access token refused right after a
	// refresh): the user has to log in again.
	ErrLoginRequired = errors.New("log in again: magister-notify login")
	// ErrStateMismatch means the redirect's state is not the one sent.
	ErrStateMismatch = errors.New("magister: login: state does not match; start the login again")
	// ErrNonceMismatch means the id_token's nonce is not the one sent.
	ErrNonceMismatch = errors.New("magister: login: id_token nonce does not match; start the login again")
	// ErrNoCode means a redirect URL carried neither a code nor an error.
	ErrNoCode = errors.New("magister: login: no code in the redirect URL")
)

// LoginRequest is one pending browser login: the PKCE verifier, state and
// nonce to check the answer against. Its fields are exported and JSON-able so
// a caller can persist a pending login between two commands.
type LoginRequest struct {
	School    School    `json:"school"`
	LoginHint string    `json:"loginHint,omitempty"`
	Verifier  string    `json:"verifier"`
	State     string    `json:"state"`
	Nonce     string    `json:"nonce"`
	CreatedAt time.Time `json:"createdAt"`
}

// NewLoginRequest starts a login for school, with fresh random PKCE verifier
// (64 characters), state and nonce. loginHint (the username) is optional.
func NewLoginRequest(school School, loginHint string) (*LoginRequest, error) {
	if school.AccountsURL == "" || school.Code == "" {
		return nil, fmt.Errorf("%w: empty school", ErrInvalidSchool)
	}
	return &LoginRequest{
		School:    school,
		LoginHint: strings.TrimSpace(loginHint),
		Verifier:  randomURLSafe(48), // 64 characters, RFC 7636 allows 43–128
		State:     randomURLSafe(24),
		Nonce:     randomHex(16),
		CreatedAt: time.Now().UTC(),
	}, nil
}

// String describes r without the verifier.
func (r LoginRequest) String() string {
	return fmt.Sprintf("magister.LoginRequest{school:%s created:%s}", r.School.Code, r.CreatedAt.Format(time.RFC3339))
}

// CodeChallenge is base64url(SHA-256(verifier)) without padding (S256).
func (r *LoginRequest) CodeChallenge() string {
	sum := sha256.Sum256([]byte(r.Verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// AuthorizeURL is the address to open in the browser.
func (r *LoginRequest) AuthorizeURL() string {
	q := url.Values{}
	q.Set("client_id", ClientID)
	q.Set("redirect_uri", RedirectURI)
	q.Set("response_type", "code id_token")
	q.Set("scope", Scope)
	q.Set("state", r.State)
	q.Set("nonce", r.Nonce)
	q.Set("code_challenge", r.CodeChallenge())
	q.Set("code_challenge_method", "S256")
	q.Set("acr_values", r.School.Tenant())
	q.Set("prompt", "select_account")
	if r.LoginHint != "" {
		q.Set("login_hint", r.LoginHint)
	}
	return r.School.AccountsURL + "/connect/authorize?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// Redirect is what the browser was sent to after the login.
type Redirect struct {
	Code         string
	State        string
	IDToken      string
	Scope        string
	SessionState string
	// bareCode is set when the user pasted only the code: there is no
	// state to check.
	bareCode bool
}

// String describes r without the code and id_token.
func (r Redirect) String() string {
	return fmt.Sprintf("magister.Redirect{code:%s id_token:%s state:%t}", redacted(r.Code), redacted(r.IDToken), r.State != "")
}

// AuthorizeError is an error=… answer from the identity provider in the
// redirect, such as access_denied.
type AuthorizeError struct {
	Code        string
	Description string
}

// Error names the OAuth error code (and a shortened description).
func (e *AuthorizeError) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("magister: login refused: %s (%s)", e.Code, truncate(e.Description, 120))
	}
	return "magister: login refused: " + e.Code
}

// ParseRedirect reads the final m6loapp://oauth2redirect/ address the user
// copied: parameters in the fragment (what Magister sends) or the query, or
// the bare code alone. An error=… answer is returned as an *AuthorizeError.
func ParseRedirect(s string) (Redirect, error) {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, `"'<>`)
	s = strings.TrimSpace(s)
	if s == "" {
		return Redirect{}, ErrNoCode
	}
	// Parameters may sit in the fragment (what Magister sends), the query,
	// or both; the fragment wins because url.Values.Get takes the first.
	var params string
	base, frag, hasFrag := strings.Cut(s, "#")
	_, query, hasQuery := strings.Cut(base, "?")
	switch {
	case hasFrag || hasQuery:
		params = strings.Trim(frag+"&"+query, "&")
	case strings.Contains(s, "="):
		params = s
	default:
		if !isCodeText(s) || len(s) < minBareCode {
			return Redirect{}, fmt.Errorf("%w: not a URL and not a code", ErrNoCode)
		}
		return Redirect{Code: s, bareCode: true}, nil
	}
	v, err := url.ParseQuery(params)
	if err != nil {
		return Redirect{}, fmt.Errorf("%w: cannot read the parameters", ErrNoCode)
	}
	if e := v.Get("error"); e != "" {
		return Redirect{}, &AuthorizeError{Code: truncate(e, 60), Description: v.Get("error_description")}
	}
	r := Redirect{
		Code:         v.Get("code"),
		State:        v.Get("state"),
		IDToken:      v.Get("id_token"),
		Scope:        v.Get("scope"),
		SessionState: v.Get("session_state"),
	}
	if r.Code == "" {
		return Redirect{}, ErrNoCode
	}
	return r, nil
}

// minBareCode is the shortest text taken as a bare authorization code.
// Magister's codes are 64 hexadecimal digits; a short word pasted by
// mistake ("garbage", "ja") is not sent to Magister as one.
const minBareCode = 16

func isCodeText(s string) bool {
	if len(s) > 4096 {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.ContainsRune("-._~", c):
		default:
			return false
		}
	}
	return true
}

// Exchange checks the redirect against req (state, and the nonce in the
// id_token: only its payload is decoded, as no client can verify the
// signature) and trades the code for tokens.
func Exchange(ctx context.Context, req *LoginRequest, r Redirect, opts ...Option) (*Token, error) {
	if req == nil {
		return nil, errors.New("magister: login: no pending login request")
	}
	if r.Code == "" {
		return nil, ErrNoCode
	}
	if !r.bareCode && r.State != req.State {
		return nil, ErrStateMismatch
	}
	if r.IDToken != "" {
		if err := checkNonce(r.IDToken, req.Nonce, true); err != nil {
			return nil, err
		}
	}
	cfg := newConfig(opts)
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {r.Code},
		"redirect_uri":  {RedirectURI},
		"client_id":     {ClientID},
		"code_verifier": {req.Verifier},
	}
	tok, err := tokenRequest(ctx, &cfg, req.School, form, "code exchange")
	if err != nil {
		return nil, err
	}
	if tok.IDToken != "" {
		if err := checkNonce(tok.IDToken, req.Nonce, false); err != nil {
			return nil, err
		}
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("magister: code exchange: no refresh_token in the answer (offline_access not granted)")
	}
	return tok, nil
}

// Refresh trades a refresh token for new tokens. Refresh tokens rotate: the
// old one is dead afterwards, so store the result before anything else (a
// TokenSource does). A rejected refresh token gives an error that matches
// ErrLoginRequired; network trouble, 408, 429 and 5xx give a temporary
// *OAuthError. Refresh is also how an exported refresh token is imported.
func Refresh(ctx context.Context, school School, refreshToken string, opts ...Option) (*Token, error) {
	refreshToken = strings.TrimSpace(refreshToken)
	if refreshToken == "" {
		return nil, fmt.Errorf("magister: token refresh: no refresh token: %w", ErrLoginRequired)
	}
	cfg := newConfig(opts)
	return refresh(ctx, &cfg, school, refreshToken)
}

func refresh(ctx context.Context, cfg *config, school School, refreshToken string) (*Token, error) {
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
		"client_id":     {ClientID},
	}
	tok, err := tokenRequest(ctx, cfg, school, form, "token refresh")
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken == "" {
		// Not seen from Magister, but keep the session alive if it happens.
		tok.RefreshToken = refreshToken
	}
	return tok, nil
}

// ErrTokenRedirect means the token endpoint answered with a redirect. It is
// never followed: Go would send the form (the refresh token, or the code and
// the PKCE verifier) again to wherever the redirect points.
var ErrTokenRedirect = errors.New("magister: the token endpoint answered with a redirect")

// OAuthError is a failed request to the token endpoint.
type OAuthError struct {
	// Op is "code exchange" or "token refresh".
	Op string
	// Status is the HTTP status, 0 for a network error.
	Status int
	// Code is the OAuth error code such as invalid_grant, if any.
	Code string
	// Description is the server's error_description. It is not part of
	// Error(), in case a server echoes something secret.
	Description string
	// Location is the origin (scheme://host:port) a redirect pointed to;
	// set with Status 3xx.
	Location string
	err      error
}

// Temporary reports whether trying again later may work: network errors,
// 408, 429 and 5xx. A redirect is neither temporary nor a dead grant (the
// secrets were not sent anywhere). Everything else (invalid_grant, other
// 4xx) means the grant is dead and matches ErrLoginRequired.
func (e *OAuthError) Temporary() bool {
	if e.Code == "invalid_grant" {
		return false
	}
	return e.Status == 0 || e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

func (e *OAuthError) redirected() bool { return e.Status >= 300 && e.Status < 400 }

// deadGrant reports whether the grant was refused for good.
func (e *OAuthError) deadGrant() bool { return !e.Temporary() && !e.redirected() }

// Error names the operation, the status and the OAuth error code, and for a
// dead grant ends with ErrLoginRequired's text.
func (e *OAuthError) Error() string {
	var b strings.Builder
	b.WriteString("magister: ")
	b.WriteString(e.Op)
	switch {
	case e.Status == 0 && e.err != nil:
		b.WriteString(": ")
		b.WriteString(e.err.Error())
	case e.redirected():
		fmt.Fprintf(&b, ": the token endpoint answered %d with a redirect to %s; not followed, so nothing secret was sent there", e.Status, e.Location)
	default:
		b.WriteString(": status ")
		b.WriteString(strconv.Itoa(e.Status))
		if e.Code != "" {
			b.WriteString(" ")
			b.WriteString(e.Code)
		}
	}
	if e.deadGrant() {
		b.WriteString(": ")
		b.WriteString(ErrLoginRequired.Error())
	}
	return b.String()
}

// Unwrap gives ErrLoginRequired for a dead grant, ErrTokenRedirect for a
// redirect, else the network error.
func (e *OAuthError) Unwrap() []error {
	var errs []error
	if e.deadGrant() {
		errs = append(errs, ErrLoginRequired)
	}
	if e.redirected() {
		errs = append(errs, ErrTokenRedirect)
	}
	if e.err != nil {
		errs = append(errs, e.err)
	}
	return errs
}

type tokenResponse struct {
	AccessToken  string   `json:"access_token"`
	IDToken      string   `json:"id_token"`
	RefreshToken string   `json:"refresh_token"`
	TokenType    string   `json:"token_type"`
	ExpiresIn    flexInt  `json:"expires_in"`
	Scope        flexText `json:"scope"`
	Error        string   `json:"error"`
	ErrorDesc    string   `json:"error_description"`
}

const maxTokenBody = 1 << 20

func tokenRequest(ctx context.Context, cfg *config, school School, form url.Values, op string) (*Token, error) {
	// The school normally passed this rule when it was made; a School
	// built by hand, or read back from a changed file, is checked here
	// before anything secret is sent.
	if err := school.checkOrigins(); err != nil {
		return nil, fmt.Errorf("magister: %s: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, school.AccountsURL+"/connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("magister: %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", cfg.userAgent())
	// Never follow a redirect: the form holds the secrets, and Go sends it
	// again on a 307 or 308, to any host.
	hc := *cfg.httpClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return nil, &OAuthError{Op: op, err: scrubURLError(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, &OAuthError{Op: op, Status: resp.StatusCode, Location: redirectOrigin(resp)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBody+1))
	if err != nil {
		return nil, &OAuthError{Op: op, err: scrubURLError(err)}
	}
	var tr tokenResponse
	decErr := json.Unmarshal(body, &tr)
	if resp.StatusCode != http.StatusOK {
		e := &OAuthError{Op: op, Status: resp.StatusCode}
		if decErr == nil {
			e.Code = truncate(tr.Error, 60)
			e.Description = tr.ErrorDesc
		}
		return nil, e
	}
	if len(body) > maxTokenBody || decErr != nil || tr.AccessToken == "" {
		return nil, &OAuthError{Op: op, Status: resp.StatusCode, Code: "malformed_response", err: errors.New("malformed token response")}
	}
	expiresIn := time.Duration(tr.ExpiresIn) * time.Second
	if expiresIn <= 0 {
		expiresIn = time.Hour
	}
	api, accounts := school.origins()
	return &Token{
		AccessToken:    tr.AccessToken,
		RefreshToken:   tr.RefreshToken,
		IDToken:        tr.IDToken,
		TokenType:      tr.TokenType,
		Scope:          string(tr.Scope),
		Expiry:         cfg.now().Add(expiresIn),
		APIOrigin:      api,
		AccountsOrigin: accounts,
	}, nil
}

// redirectOrigin is the origin a redirect answer points to, for error
// messages: never a path or query, which may carry anything.
func redirectOrigin(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil || loc.Host == "" {
		return "an unreadable address"
	}
	return loc.Scheme + "://" + loc.Host
}

// checkNonce decodes the id_token payload and compares its nonce claim.
// With required, a missing nonce is a mismatch.
func checkNonce(idToken, nonce string, required bool) error {
	claims, err := IDTokenClaims(idToken)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNonceMismatch, err)
	}
	got, _ := claims["nonce"].(string)
	if got == "" && !required {
		return nil
	}
	if got != nonce {
		return ErrNonceMismatch
	}
	return nil
}

// IDTokenClaims decodes the payload of a JWT without verifying it. Use it for
// display (sub, name) only, never for trust decisions beyond the nonce check.
func IDTokenClaims(jwt string) (map[string]any, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, errors.New("id_token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, errors.New("id_token payload is not base64url")
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil || claims == nil {
		return nil, errors.New("id_token payload is not a JSON object")
	}
	return claims, nil
}

// EndSessionURL is the logout address for an id_token.
func EndSessionURL(school School, idToken string) string {
	return school.AccountsURL + "/connect/endsession?" + url.Values{"id_token_hint": {idToken}}.Encode()
}

// EndSession tells the identity provider to end the login session of
// idToken. Redirects are not followed; any 2xx or 3xx answer counts as done.
func EndSession(ctx context.Context, school School, idToken string, opts ...Option) error {
	if err := school.checkOrigins(); err != nil {
		return fmt.Errorf("magister: end session: %w", err)
	}
	cfg := newConfig(opts)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, EndSessionURL(school, idToken), nil)
	if err != nil {
		return errors.New("magister: end session: bad request")
	}
	req.Header.Set("User-Agent", cfg.userAgent())
	hc := *cfg.httpClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("magister: end session: %w", scrubURLError(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("magister: end session: status %d", resp.StatusCode)
	}
	return nil
}

// scrubURLError drops the query from a *url.Error so a secret in a URL never
// reaches an error string.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		u := ue.URL
		if i := strings.IndexAny(u, "?#"); i >= 0 {
			u = u[:i]
		}
		return &url.Error{Op: ue.Op, URL: u, Err: ue.Err}
	}
	return err
}

func randomURLSafe(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
