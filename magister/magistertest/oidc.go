package magistertest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

const (
	clientID     = "M6LOAPP"
	redirectURI  = "m6loapp://oauth2redirect/"
	defaultScope = "openid profile offline_access magister.mobile magister.ecs"
	accessTTL    = time.Hour
	codeTTL      = 5 * time.Minute
)

type authCode struct {
	login, challenge, nonce, scope string
	expires                        time.Time
}

type accessToken struct {
	login   string
	expires time.Time
	expired bool // set by ExpireAccessTokens
}

type refreshToken struct {
	login, scope string
	used         bool // strict rotation: one use only
	revoked      bool
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// randomHex returns n random bytes as upper-case hex, like Magister's opaque
// refresh tokens.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return strings.ToUpper(hex.EncodeToString(b))
}

// fakeJWT builds an unsigned-looking JWT: nobody verifies the signature.
func fakeJWT(claims map[string]any) string {
	enc := base64.RawURLEncoding
	payload, _ := json.Marshal(claims) // maps of plain values always marshal
	return enc.EncodeToString([]byte(`{"alg":"RS256","kid":"magistertest","typ":"JWT"}`)) + "." +
		enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte("magistertest-not-signed"))
}

func (s *School) idToken(acc *account, nonce string, now time.Time) string {
	claims := map[string]any{
		"iss": s.URL, "aud": clientID, "sub": acc.uuid, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(accessTTL).Unix(), "auth_time": now.Unix(), "idp": "local", "amr": []string{"pwd"},
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	return fakeJWT(claims)
}

// handleAuthorize signs in at once (the fake has no login page) and redirects
// to the app's custom scheme with the code in the fragment.
func (s *School) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := func(desc string) {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", desc})
	}
	respTypes := strings.Fields(q.Get("response_type"))
	scopes := strings.Fields(q.Get("scope"))
	challenge := q.Get("code_challenge")
	switch {
	case q.Get("client_id") != clientID:
		bad("unknown client_id")
		return
	case q.Get("redirect_uri") != redirectURI:
		bad("redirect_uri does not match the client")
		return
	case !slices.Contains(respTypes, "code") || slices.ContainsFunc(respTypes, func(t string) bool { return t != "code" && t != "id_token" }):
		bad("response_type must be code or code id_token")
		return
	case !slices.Contains(scopes, "openid") || !slices.Contains(scopes, "offline_access"):
		bad("scope must include openid and offline_access")
		return
	case q.Get("code_challenge_method") != "S256":
		bad("code_challenge_method must be S256")
		return
	case !validChallenge(challenge):
		bad("code_challenge must be base64url(SHA-256(verifier)) without padding")
		return
	case slices.Contains(respTypes, "id_token") && q.Get("nonce") == "":
		bad("nonce is required when an id_token is requested")
		return
	}

	login := q.Get("login_hint")
	s.mu.Lock()
	acc, ok := s.accounts[login]
	if !ok {
		acc = s.accounts[ParentLogin]
	}
	now := s.now()
	code := randomHex(32)
	s.codes[code] = &authCode{login: acc.login, challenge: challenge, nonce: q.Get("nonce"),
		scope: strings.Join(scopes, " "), expires: now.Add(codeTTL)}
	idt := s.idToken(acc, q.Get("nonce"), now)
	s.mu.Unlock()

	frag := []string{"code=" + fragEscape(code)}
	if slices.Contains(respTypes, "id_token") {
		frag = append(frag, "id_token="+fragEscape(idt))
	}
	frag = append(frag, "scope="+fragEscape(strings.Join(scopes, " ")))
	if st := q.Get("state"); st != "" {
		frag = append(frag, "state="+fragEscape(st))
	}
	frag = append(frag, "session_state=x")
	w.Header().Set("Location", redirectURI+"#"+strings.Join(frag, "&"))
	w.WriteHeader(http.StatusFound)
}

func fragEscape(v string) string { return strings.ReplaceAll(url.QueryEscape(v), "+", "%20") }

func validChallenge(c string) bool {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil && len(b) == sha256.Size
}

// validVerifier checks RFC 7636: 43 to 128 unreserved characters.
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, c := range v {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', strings.ContainsRune("-._~", c):
		default:
			return false
		}
	}
	return true
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
}

func (s *School) handleToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "body must be application/x-www-form-urlencoded"})
		return
	}
	f := r.PostForm
	if f.Get("client_id") != clientID {
		writeJSON(w, http.StatusBadRequest, oauthError{Error: "invalid_client"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	invalidGrant := func() { writeJSON(w, http.StatusBadRequest, oauthError{Error: "invalid_grant"}) }
	switch f.Get("grant_type") {
	case "authorization_code":
		code := f.Get("code")
		c, ok := s.codes[code]
		// A code is consumed by any attempt, right or wrong, as IdentityServer does.
		delete(s.codes, code)
		verifier := f.Get("code_verifier")
		if !ok || now.After(c.expires) || f.Get("redirect_uri") != redirectURI || !validVerifier(verifier) {
			invalidGrant()
			return
		}
		sum := sha256.Sum256([]byte(verifier))
		if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(c.challenge)) != 1 {
			invalidGrant()
			return
		}
		writeJSON(w, http.StatusOK, s.issueTokensLocked(s.accounts[c.login], c.scope, c.nonce, now))
	case "refresh_token":
		rt, ok := s.refresh[f.Get("refresh_token")]
		if !ok || rt.used || rt.revoked {
			invalidGrant()
			return
		}
		rt.used = true
		writeJSON(w, http.StatusOK, s.issueTokensLocked(s.accounts[rt.login], rt.scope, "", now))
	case "":
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "grant_type is missing"})
	default:
		writeJSON(w, http.StatusBadRequest, oauthError{Error: "unsupported_grant_type"})
	}
}

func (s *School) issueTokensLocked(acc *account, scope, nonce string, now time.Time) tokenResponse {
	access := fakeJWT(map[string]any{
		"iss": s.URL, "aud": "magister.mobile", "client_id": clientID, "sub": acc.uuid,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(accessTTL).Unix(),
		"jti": randomHex(16), "scope": strings.Fields(scope),
	})
	s.access[access] = &accessToken{login: acc.login, expires: now.Add(accessTTL)}
	refresh := s.newRefreshLocked(acc.login, scope)
	return tokenResponse{
		AccessToken: access, IDToken: s.idToken(acc, nonce, now), RefreshToken: refresh,
		TokenType: "Bearer", ExpiresIn: int(accessTTL / time.Second), Scope: scope,
	}
}

func (s *School) newRefreshLocked(login, scope string) string {
	t := randomHex(32)
	s.refresh[t] = &refreshToken{login: login, scope: scope}
	return t
}

// IssueRefreshToken returns a valid, unused refresh token for a seeded
// account (ParentLogin or StudentLogin), skipping the browser flow. It
// returns "" for an unknown login.
func (s *School) IssueRefreshToken(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[login]; !ok {
		return ""
	}
	return s.newRefreshLocked(login, defaultScope)
}

// ExpireAccessTokens makes every access token issued so far answer 401
// "SecurityToken Expired". Tokens issued afterwards work.
func (s *School) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.access {
		t.expired = true
	}
}

// RevokeRefreshTokens makes every refresh token issued so far answer 400
// invalid_grant, as after a password change or a revoked session.
func (s *School) RevokeRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.refresh {
		t.revoked = true
	}
}

// authenticate returns the account behind the request's bearer token.
// Callers hold s.mu.
func (s *School) authenticateLocked(r *http.Request) (*account, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return nil, false
	}
	t, ok := s.access[strings.TrimSpace(h[len(prefix):])]
	if !ok || t.expired || !s.now().Before(t.expires) {
		return nil, false
	}
	return s.accounts[t.login], true
}
