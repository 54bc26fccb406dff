package magister

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"
)

// TestTokenRequestsOnTheWire pins what the code exchange and the refresh
// send to /connect/token: the public client's form, no client
// authentication, our User-Agent, and the tokens read back from the answer.
func TestTokenRequestsOnTheWire(t *testing.T) {
	var mu sync.Mutex
	var forms []url.Values
	var headers []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		mu.Lock()
		forms, headers = append(forms, form), append(headers, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"at","refresh_token":"rt2","id_token":"","token_type":"Bearer","expires_in":"1800","scope":"openid profile"}`)
	}))
	defer srv.Close()
	school, _ := ParseSchool("demo")
	school, err := school.WithBaseURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req, err := NewLoginRequest(school, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Exchange(ctx, req, Redirect{Code: "the-code", State: req.State}, WithVersion("test")); err != nil {
		t.Fatal(err)
	}
	tok, err := Refresh(ctx, school, "rt1", WithVersion("test"))
	if err != nil {
		t.Fatal(err)
	}

	want := []url.Values{
		{"grant_type": {"authorization_code"}, "code": {"the-code"}, "redirect_uri": {RedirectURI},
			"client_id": {ClientID}, "code_verifier": {req.Verifier}},
		{"grant_type": {"refresh_token"}, "refresh_token": {"rt1"}, "client_id": {ClientID}},
	}
	if !reflect.DeepEqual(forms, want) {
		t.Errorf("forms sent = %v\nwant %v", forms, want)
	}
	for i, h := range headers {
		if got := h.Get("Authorization"); got != "" {
			t.Errorf("request %d sent Authorization %q; the public client has no secret", i, got)
		}
		if got := h.Get("User-Agent"); got != "magister-notify/test" {
			t.Errorf("request %d User-Agent = %q, want magister-notify/test", i, got)
		}
	}
	if tok.AccessToken != "at" {
		t.Errorf("AccessToken = %q, want at", tok.AccessToken)
	}
	if tok.RefreshToken != "rt2" {
		t.Errorf("RefreshToken = %q, want the rotated rt2", tok.RefreshToken)
	}
	if tok.Scope != "openid profile" {
		t.Errorf("Scope = %q, want %q", tok.Scope, "openid profile")
	}
	if left := time.Until(tok.Expiry); left < 29*time.Minute || left > 30*time.Minute {
		t.Errorf("token expires in %v, want the answer's 30m (expires_in sent as a string)", left)
	}
}
