package magister

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

func TestAuthorizeURL(t *testing.T) {
	s, _ := ParseSchool("vsvonh")
	req, err := NewLoginRequest(s, "jan")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(req.AuthorizeURL())
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme+"://"+u.Host+u.Path != "https://accounts.magister.net/connect/authorize" {
		t.Errorf("endpoint %v", u)
	}
	if strings.Contains(u.RawQuery, "+") {
		t.Errorf("spaces encoded as +: %s", u.RawQuery)
	}
	q := u.Query()
	sum := sha256.Sum256([]byte(req.Verifier))
	want := map[string]string{
		"client_id":             "M6LOAPP",
		"redirect_uri":          "m6loapp://oauth2redirect/",
		"response_type":         "code id_token",
		"scope":                 "openid profile offline_access magister.mobile magister.ecs",
		"state":                 req.State,
		"nonce":                 req.Nonce,
		"code_challenge":        base64.RawURLEncoding.EncodeToString(sum[:]),
		"code_challenge_method": "S256",
		"acr_values":            "tenant:vsvonh.magister.net",
		"prompt":                "select_account",
		"login_hint":            "jan",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(q) != len(want) {
		t.Errorf("extra parameters: %v", q)
	}
	if n := len(req.Verifier); n < 43 || n > 128 {
		t.Errorf("verifier length %d", n)
	}
	if len(req.State) < 16 || len(req.Nonce) < 16 || req.CreatedAt.IsZero() {
		t.Errorf("weak request %+v", *req)
	}
	other, _ := NewLoginRequest(s, "")
	if other.Verifier == req.Verifier || other.State == req.State || other.Nonce == req.Nonce {
		t.Error("two requests share random values")
	}
	if strings.Contains(other.AuthorizeURL(), "login_hint") {
		t.Error("login_hint sent without a hint")
	}
	if _, err := NewLoginRequest(School{}, ""); err == nil {
		t.Error("NewLoginRequest accepted an empty school")
	}
}

func TestParseRedirect(t *testing.T) {
	tests := []struct {
		in      string
		want    Redirect
		wantErr error
	}{
		{in: "m6loapp://oauth2redirect/#code=C1&id_token=a.b.c&scope=openid%20profile&state=S1&session_state=x",
			want: Redirect{Code: "C1", IDToken: "a.b.c", Scope: "openid profile", State: "S1", SessionState: "x"}},
		{in: "m6loapp://oauth2redirect/?code=C2&state=S2", want: Redirect{Code: "C2", State: "S2"}},
		{in: "  \"m6loapp://oauth2redirect/#code=C3&state=S3\"\n", want: Redirect{Code: "C3", State: "S3"}},
		{in: "m6loapp://oauth2redirect/?foo=1#code=C4&state=S4", want: Redirect{Code: "C4", State: "S4"}},
		{in: "m6loapp://oauth2redirect/?code=Q&state=QS#code=F&state=FS", want: Redirect{Code: "F", State: "FS"}},
		{in: "code=C5&state=S5", want: Redirect{Code: "C5", State: "S5"}},
		{in: "#code=C6&state=S6", want: Redirect{Code: "C6", State: "S6"}},
		{in: "ABCDEF0123456789", want: Redirect{Code: "ABCDEF0123456789", bareCode: true}},
		{in: "m6loapp://oauth2redirect/#error=access_denied&error_description=User%20cancelled", wantErr: &AuthorizeError{}},
		{in: "m6loapp://oauth2redirect/?error=login_required", wantErr: &AuthorizeError{}},
		{in: "m6loapp://oauth2redirect/#state=S7", wantErr: ErrNoCode},
		{in: "", wantErr: ErrNoCode},
		{in: "not a code", wantErr: ErrNoCode},
		{in: "m6loapp://oauth2redirect/#code=%zz", wantErr: ErrNoCode},
	}
	for _, tt := range tests {
		got, err := ParseRedirect(tt.in)
		switch want := tt.wantErr.(type) {
		case nil:
			if err != nil || got != tt.want {
				t.Errorf("ParseRedirect(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		case *AuthorizeError:
			var ae *AuthorizeError
			if !errors.As(err, &ae) || ae.Code == "" {
				t.Errorf("ParseRedirect(%q) = %v; want an *AuthorizeError", tt.in, err)
			}
		default:
			if !errors.Is(err, want) {
				t.Errorf("ParseRedirect(%q) = %+v, %v; want %v", tt.in, got, err, want)
			}
		}
	}
	_, err := ParseRedirect("m6loapp://oauth2redirect/#error=access_denied&error_description=User%20cancelled")
	if err == nil || !strings.Contains(err.Error(), "access_denied") {
		t.Errorf("error text %v", err)
	}
}

func TestLoginFlow(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	school := fakeSchool(t, f)
	for _, tc := range []struct{ login, wantFirst string }{{magistertest.StudentLogin, "Sem"}, {magistertest.ParentLogin, "Eva"}} {
		t.Run(tc.login, func(t *testing.T) {
			req, err := NewLoginRequest(school, tc.login)
			if err != nil {
				t.Fatal(err)
			}
			red, err := ParseRedirect(magistertest.SignIn(t, req.AuthorizeURL()))
			if err != nil {
				t.Fatal(err)
			}
			if red.IDToken == "" || red.State != req.State {
				t.Fatalf("redirect %v", red)
			}
			tok, err := Exchange(ctx, req, red)
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken == "" || tok.RefreshToken == "" || tok.IDToken == "" || tok.Expiry.IsZero() {
				t.Fatalf("token %v", tok)
			}
			// The code is single-use.
			if _, err := Exchange(ctx, req, red); !errors.Is(err, ErrLoginRequired) {
				t.Errorf("second exchange: %v", err)
			}
			dir := t.TempDir()
			ts := NewTokenSource(school, NewFileTokenStore(dir), dir, "k")
			if err := ts.Save(ctx, tok); err != nil {
				t.Fatal(err)
			}
			acct, err := New(school, ts).Account(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if acct.FirstName != tc.wantFirst {
				t.Errorf("logged in as %+v", acct)
			}
		})
	}
}

func TestLoginFlowPersistedRequest(t *testing.T) {
	// --print-url stores the request as JSON; --redirect-url reads it back.
	ctx := context.Background()
	f := magistertest.Start(t)
	req, err := NewLoginRequest(fakeSchool(t, f), "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := jsonRoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	loc := magistertest.SignIn(t, req.AuthorizeURL())
	// The query form and a bare code work too.
	red, err := ParseRedirect(strings.Replace(loc, "#", "?", 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Exchange(ctx, b, red); err != nil {
		t.Fatalf("exchange with a persisted request: %v", err)
	}
	req2, _ := NewLoginRequest(fakeSchool(t, f), "")
	red2, _ := ParseRedirect(magistertest.SignIn(t, req2.AuthorizeURL()))
	bare, err := ParseRedirect(red2.Code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Exchange(ctx, req2, bare); err != nil {
		t.Fatalf("exchange with a bare code: %v", err)
	}
}

func TestLoginRejects(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	school := fakeSchool(t, f)
	start := func() (*LoginRequest, Redirect) {
		req, err := NewLoginRequest(school, "")
		if err != nil {
			t.Fatal(err)
		}
		red, err := ParseRedirect(magistertest.SignIn(t, req.AuthorizeURL()))
		if err != nil {
			t.Fatal(err)
		}
		return req, red
	}
	t.Run("wrong state", func(t *testing.T) {
		req, red := start()
		red.State = "forged"
		if _, err := Exchange(ctx, req, red); !errors.Is(err, ErrStateMismatch) {
			t.Errorf("got %v", err)
		}
		red.State = ""
		if _, err := Exchange(ctx, req, red); !errors.Is(err, ErrStateMismatch) {
			t.Errorf("missing state: got %v", err)
		}
	})
	t.Run("wrong nonce", func(t *testing.T) {
		req, red := start()
		other := *req
		other.Nonce = "not-the-nonce"
		if _, err := Exchange(ctx, &other, red); !errors.Is(err, ErrNonceMismatch) {
			t.Errorf("got %v", err)
		}
		red.IDToken = "garbage"
		if _, err := Exchange(ctx, req, red); !errors.Is(err, ErrNonceMismatch) {
			t.Errorf("garbage id_token: got %v", err)
		}
	})
	t.Run("wrong verifier", func(t *testing.T) {
		req, red := start()
		other := *req
		other.Verifier = strings.Repeat("x", 64)
		_, err := Exchange(ctx, &other, red)
		var oe *OAuthError
		if !errors.As(err, &oe) || oe.Code != "invalid_grant" || !errors.Is(err, ErrLoginRequired) {
			t.Errorf("got %v", err)
		}
		if strings.Contains(err.Error(), red.Code) {
			t.Error("code in error text")
		}
	})
	t.Run("no refresh tokens before this test", func(t *testing.T) {
		if n, _ := countRequests(f, "/connect/token"); n != 1 {
			t.Errorf("%d token requests; the state and nonce checks must not reach the server", n)
		}
	})
}

func TestRefreshErrors(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	school := fakeSchool(t, f)
	rt := f.IssueRefreshToken(magistertest.ParentLogin)
	tok, err := Refresh(ctx, school, rt)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == rt || tok.RefreshToken == "" {
		t.Error("refresh token did not rotate")
	}
	_, err = Refresh(ctx, school, rt) // used once already
	var oe *OAuthError
	if !errors.Is(err, ErrLoginRequired) || !errors.As(err, &oe) || oe.Temporary() || oe.Code != "invalid_grant" {
		t.Errorf("reused refresh token: %v", err)
	}
	if !strings.Contains(err.Error(), "invalid_grant: login required") || strings.Contains(err.Error(), rt) {
		t.Errorf("error text %q", err)
	}
	if _, err := Refresh(ctx, school, " "); !errors.Is(err, ErrLoginRequired) {
		t.Errorf("empty refresh token: %v", err)
	}

	// 5xx, 429 and 408 from the token endpoint are temporary.
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusRequestTimeout} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
		}))
		s, _ := school.WithBaseURL(srv.URL)
		_, err := Refresh(ctx, s, "x")
		srv.Close()
		if !errors.As(err, &oe) || !oe.Temporary() || errors.Is(err, ErrLoginRequired) {
			t.Errorf("status %d: %v", status, err)
		}
	}
	// A network error is temporary as well.
	srv := httptest.NewServer(http.NotFoundHandler())
	s, _ := school.WithBaseURL(srv.URL)
	srv.Close()
	if _, err := Refresh(ctx, s, "x"); !errors.As(err, &oe) || !oe.Temporary() {
		t.Errorf("closed server: %v", err)
	}
}

func TestEndSession(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Path + "?" + r.URL.RawQuery
		http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
	}))
	defer srv.Close()
	s, _ := ParseSchool("demo")
	s, _ = s.WithBaseURL(srv.URL)
	if err := EndSession(context.Background(), s, "id.tok.en"); err != nil {
		t.Fatal(err)
	}
	if got != "/connect/endsession?id_token_hint=id.tok.en" {
		t.Errorf("request %q", got)
	}
	srv.Close()
	err := EndSession(context.Background(), s, "secret.id.token")
	if err == nil || strings.Contains(err.Error(), "secret.id.token") {
		t.Errorf("error %v", err)
	}
}
