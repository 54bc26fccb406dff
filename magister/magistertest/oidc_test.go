package magistertest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAuthorizeRedirectsWithCodeInFragment(t *testing.T) {
	s := Start(t)
	p := newPKCE()
	resp := authorize(t, s, authorizeParams(p, ""))
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d, want 302", resp.StatusCode)
	}
	f := fragment(t, resp.Header.Get("Location"))
	if f.Get("code") == "" || f.Get("session_state") == "" {
		t.Errorf("fragment %v lacks code or session_state", f)
	}
	if got := f.Get("state"); got != "state-0123456789" {
		t.Errorf("state = %q, want it echoed", got)
	}
	if !strings.Contains(f.Get("scope"), "offline_access") {
		t.Errorf("scope = %q", f.Get("scope"))
	}
	claims := jwtClaims(t, f.Get("id_token"))
	if claims["nonce"] != "nonce-abcdef" || claims["iss"] != s.URL || claims["aud"] != "M6LOAPP" {
		t.Errorf("id_token claims = %v", claims)
	}
	for _, k := range []string{"sub", "exp", "iat"} {
		if _, ok := claims[k]; !ok {
			t.Errorf("id_token lacks %q", k)
		}
	}
}

func TestAuthorizeRejectsBadRequests(t *testing.T) {
	s := Start(t)
	p := newPKCE()
	tests := []struct {
		name, key, value string
	}{
		{"client", "client_id", "M6-school.magister.net"},
		{"redirect without slash", "redirect_uri", "m6loapp://oauth2redirect"},
		{"plain challenge method", "code_challenge_method", "plain"},
		{"no offline_access", "scope", "openid profile"},
		{"challenge not a hash", "code_challenge", "short"},
		{"implicit", "response_type", "id_token token"},
		{"no nonce", "nonce", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authorizeParams(p, "")
			q.Set(tt.key, tt.value)
			if resp := authorize(t, s, q); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", resp.StatusCode)
			}
		})
	}
	t.Run("plain code without id_token needs no nonce", func(t *testing.T) {
		q := authorizeParams(p, "")
		q.Set("response_type", "code")
		q.Del("nonce")
		resp := authorize(t, s, q)
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("status = %d, want 302", resp.StatusCode)
		}
		if f := fragment(t, resp.Header.Get("Location")); f.Has("id_token") {
			t.Errorf("id_token sent although only code was asked for")
		}
	})
}

func TestLoginHintSelectsAccount(t *testing.T) {
	s := Start(t)
	for hint, want := range map[string]string{"": "Eva", ParentLogin: "Eva", StudentLogin: "Sem", "someone.else": "Eva"} {
		tok := login(t, s, hint)
		var acc accountResp
		getJSON(t, s, tok["access_token"].(string), "/api/account", &acc)
		if acc.Persoon.Roepnaam != want {
			t.Errorf("login_hint %q: signed in as %q, want %q", hint, acc.Persoon.Roepnaam, want)
		}
	}
}

func TestCodeExchange(t *testing.T) {
	s := Start(t)
	code := func(p pkce) string {
		return fragment(t, authorize(t, s, authorizeParams(p, "")).Header.Get("Location")).Get("code")
	}

	t.Run("right verifier", func(t *testing.T) {
		p := newPKCE()
		c := code(p)
		status, tok := postToken(t, s, exchangeForm(c, p.verifier))
		if status != http.StatusOK {
			t.Fatalf("status %d: %v", status, tok)
		}
		for _, k := range []string{"access_token", "id_token", "refresh_token", "scope"} {
			if s, _ := tok[k].(string); s == "" {
				t.Errorf("%s missing in %v", k, tok)
			}
		}
		if tok["token_type"] != "Bearer" || tok["expires_in"] != float64(3600) {
			t.Errorf("token_type/expires_in = %v/%v", tok["token_type"], tok["expires_in"])
		}
		if n := jwtClaims(t, tok["id_token"].(string))["nonce"]; n != "nonce-abcdef" {
			t.Errorf("id_token nonce = %v", n)
		}
		// A code is single-use.
		if status, body := postToken(t, s, exchangeForm(c, p.verifier)); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("second use: %d %v, want 400 invalid_grant", status, body)
		}
	})

	t.Run("wrong verifier", func(t *testing.T) {
		p := newPKCE()
		c := code(p)
		if status, body := postToken(t, s, exchangeForm(c, newPKCE().verifier)); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Fatalf("wrong verifier: %d %v, want 400 invalid_grant", status, body)
		}
		// The failed attempt consumed the code.
		if status, _ := postToken(t, s, exchangeForm(c, p.verifier)); status != http.StatusBadRequest {
			t.Errorf("code after a failed attempt: status %d, want 400", status)
		}
	})

	t.Run("wrong redirect_uri", func(t *testing.T) {
		p := newPKCE()
		f := exchangeForm(code(p), p.verifier)
		f.Set("redirect_uri", "http://localhost/")
		if status, body := postToken(t, s, f); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("got %d %v", status, body)
		}
	})

	t.Run("wrong client", func(t *testing.T) {
		p := newPKCE()
		f := exchangeForm(code(p), p.verifier)
		f.Set("client_id", "other")
		if status, body := postToken(t, s, f); status != http.StatusBadRequest || body["error"] != "invalid_client" {
			t.Errorf("got %d %v", status, body)
		}
	})

	t.Run("unknown grant", func(t *testing.T) {
		f := url.Values{"grant_type": {"password"}, "client_id": {clientID}}
		if status, body := postToken(t, s, f); status != http.StatusBadRequest || body["error"] != "unsupported_grant_type" {
			t.Errorf("got %d %v", status, body)
		}
	})
}

func TestCodeExpiresAfterFiveMinutes(t *testing.T) {
	s, clock := startSchoolAt(t, wednesday)
	p := newPKCE()
	c := fragment(t, authorize(t, s, authorizeParams(p, "")).Header.Get("Location")).Get("code")
	clock.Advance(5*time.Minute + time.Second)
	if status, body := postToken(t, s, exchangeForm(c, p.verifier)); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("expired code: %d %v, want 400 invalid_grant", status, body)
	}
}

func TestRefreshTokensRotateStrictly(t *testing.T) {
	s := Start(t)
	first := login(t, s, "")
	rt1 := first["refresh_token"].(string)

	status, second := postToken(t, s, refreshForm(rt1))
	if status != http.StatusOK {
		t.Fatalf("first refresh: %d %v", status, second)
	}
	rt2 := second["refresh_token"].(string)
	if rt2 == rt1 {
		t.Fatal("refresh token did not rotate")
	}
	if _, ok := jwtClaims(t, second["id_token"].(string))["nonce"]; ok {
		t.Error("refreshed id_token carries a nonce")
	}
	if status, body := postToken(t, s, refreshForm(rt1)); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("reused refresh token: %d %v, want 400 invalid_grant", status, body)
	}
	status, third := postToken(t, s, refreshForm(rt2))
	if status != http.StatusOK {
		t.Fatalf("refresh with the new token: %d %v", status, third)
	}
	var acc accountResp
	getJSON(t, s, third["access_token"].(string), "/api/account", &acc)
	if acc.Persoon.Roepnaam != "Eva" {
		t.Errorf("refreshed token signs in as %q", acc.Persoon.Roepnaam)
	}
	if status, body := postToken(t, s, refreshForm("NOT-A-TOKEN")); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("unknown refresh token: %d %v", status, body)
	}
}

func TestRevokeRefreshTokens(t *testing.T) {
	s := Start(t)
	rt := s.IssueRefreshToken(StudentLogin)
	access := accessFor(t, s, StudentLogin)
	s.RevokeRefreshTokens()
	if status, body := postToken(t, s, refreshForm(rt)); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("revoked refresh token: %d %v, want 400 invalid_grant", status, body)
	}
	// Access tokens stay valid until they expire, and a new login works.
	if status, _, _ := call(t, s, http.MethodGet, access, "/api/account", nil); status != http.StatusOK {
		t.Errorf("access token after revoke: %d", status)
	}
	accessFor(t, s, StudentLogin)
	if s.IssueRefreshToken("nobody") != "" {
		t.Error("IssueRefreshToken for an unknown login returned a token")
	}
}

func TestExpiredAccessTokenAnswers401(t *testing.T) {
	s, clock := startSchoolAt(t, wednesday)
	rt := s.IssueRefreshToken(ParentLogin)
	status, tok := postToken(t, s, refreshForm(rt))
	if status != http.StatusOK {
		t.Fatal(status)
	}
	access := tok["access_token"].(string)
	want401 := func(why, token string) {
		t.Helper()
		status, body, _ := call(t, s, http.MethodGet, token, "/api/account", nil)
		if status != http.StatusUnauthorized || string(body) != "SecurityToken Expired" {
			t.Errorf("%s: %d %q, want 401 SecurityToken Expired", why, status, body)
		}
	}
	if status, _, _ := call(t, s, http.MethodGet, access, "/api/account", nil); status != http.StatusOK {
		t.Fatalf("fresh token: %d", status)
	}
	s.ExpireAccessTokens()
	want401("after ExpireAccessTokens", access)
	want401("no token", "")
	want401("unknown token", "abc.def.ghi")

	status, tok = postToken(t, s, refreshForm(tok["refresh_token"].(string)))
	if status != http.StatusOK {
		t.Fatal(status)
	}
	fresh := tok["access_token"].(string)
	if status, _, _ := call(t, s, http.MethodGet, fresh, "/api/account", nil); status != http.StatusOK {
		t.Fatalf("token issued after expiry: %d", status)
	}
	clock.Advance(time.Hour)
	want401("after an hour", fresh)
}
