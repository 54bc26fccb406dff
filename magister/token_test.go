package magister

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func jsonRoundTrip(req *LoginRequest) (*LoginRequest, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var out LoginRequest
	err = json.Unmarshal(b, &out)
	return &out, err
}

func TestTokenNeverPrinted(t *testing.T) {
	tok := &Token{AccessToken: "ACCESS-SECRET", RefreshToken: "REFRESH-SECRET", IDToken: "ID-SECRET", Scope: "openid", Expiry: time.Unix(1e9, 0)}
	var outs []string
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		outs = append(outs, fmt.Sprintf(format, tok), fmt.Sprintf(format, *tok))
	}
	outs = append(outs, fmt.Sprint(tok), fmt.Sprint([]*Token{tok}), fmt.Sprintf("%v", struct{ T *Token }{tok}))
	b, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(struct{ T Token }{*tok})
	outs = append(outs, string(b), string(b2))
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("x", "token", tok, "value", *tok)
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("x", "token", tok)
	outs = append(outs, logBuf.String())
	red := Redirect{Code: "CODE-SECRET", IDToken: "ID-SECRET", State: "s"}
	outs = append(outs, fmt.Sprintf("%v %+v %s", red, red, red))
	req := LoginRequest{Verifier: "VERIFIER-SECRET"}
	outs = append(outs, fmt.Sprintf("%v %s", req, &req))
	for _, o := range outs {
		if strings.Contains(o, "SECRET") {
			t.Errorf("secret printed: %s", o)
		}
	}
	if !strings.Contains(string(b), `"hasRefreshToken":true`) {
		t.Errorf("json %s", b)
	}
}

func TestExpiresWithin(t *testing.T) {
	now := time.Date(2026, 1, 9, 8, 0, 0, 0, time.UTC)
	var nilTok *Token
	for _, tc := range []struct {
		tok  *Token
		want bool
	}{
		{nilTok, true},
		{&Token{Expiry: now.Add(time.Hour)}, true}, // no access token
		{&Token{AccessToken: "a", Expiry: now.Add(time.Hour)}, false},
		{&Token{AccessToken: "a", Expiry: now.Add(5 * time.Minute)}, true},
		{&Token{AccessToken: "a", Expiry: now.Add(5*time.Minute + time.Second)}, false},
		{&Token{AccessToken: "a", Expiry: now.Add(-time.Hour)}, true},
	} {
		if got := tc.tok.ExpiresWithin(now, 5*time.Minute); got != tc.want {
			t.Errorf("%v: ExpiresWithin = %v", tc.tok, got)
		}
	}
}
