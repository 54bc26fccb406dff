package magistertest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/testenv"
)

// wednesday is 2026-01-14 10:00 in Amsterdam (09:00 UTC), mid school year.
var wednesday = time.Date(2026, time.January, 14, 9, 0, 0, 0, time.UTC)

func startSchoolAt(t *testing.T, at time.Time) (*School, *testenv.Clock) {
	t.Helper()
	c := testenv.NewClock(at)
	return Start(t, WithClock(c.Now)), c
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type pkce struct{ verifier, challenge string }

func newPKCE() pkce {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(v))
	return pkce{v, base64.RawURLEncoding.EncodeToString(sum[:])}
}

func authorizeParams(p pkce, login string) url.Values {
	q := url.Values{
		"client_id":             {clientID},
		"redirect_uri":          {"m6loapp://oauth2redirect/"},
		"response_type":         {"code id_token"},
		"scope":                 {"openid profile offline_access magister.mobile magister.ecs"},
		"state":                 {"state-0123456789"},
		"nonce":                 {"nonce-abcdef"},
		"code_challenge":        {p.challenge},
		"code_challenge_method": {"S256"},
		"acr_values":            {"tenant:fake.magister.net"},
	}
	if login != "" {
		q.Set("login_hint", login)
	}
	return q
}

func authorize(t *testing.T, s *School, q url.Values) *http.Response {
	t.Helper()
	resp, err := noRedirect.Get(s.URL + "/connect/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// fragment parses the parameters of a m6loapp:// redirect.
func fragment(t *testing.T, location string) url.Values {
	t.Helper()
	const prefix = "m6loapp://oauth2redirect/#"
	if !strings.HasPrefix(location, prefix) {
		t.Fatalf("Location = %q, want prefix %q", location, prefix)
	}
	v, err := url.ParseQuery(strings.TrimPrefix(location, prefix))
	if err != nil {
		t.Fatalf("parse fragment: %v", err)
	}
	return v
}

// jwtClaims decodes the payload of a JWT without checking the signature.
func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("JWT has %d parts, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return claims
}

// postForm posts to /connect/token and returns the status and decoded JSON.
func postToken(t *testing.T, s *School, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.URL+"/connect/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token response: %v", err)
	}
	return resp.StatusCode, body
}

func exchangeForm(code, verifier string) url.Values {
	return url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {clientID}, "code_verifier": {verifier},
	}
}

func refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {clientID}}
}

// login runs the browser flow for an account and returns the token response.
func login(t *testing.T, s *School, account string) map[string]any {
	t.Helper()
	p := newPKCE()
	resp := authorize(t, s, authorizeParams(p, account))
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d", resp.StatusCode)
	}
	code := fragment(t, resp.Header.Get("Location")).Get("code")
	status, tok := postToken(t, s, exchangeForm(code, p.verifier))
	if status != http.StatusOK {
		t.Fatalf("code exchange: %d %v", status, tok)
	}
	return tok
}

func accessFor(t *testing.T, s *School, account string) string {
	t.Helper()
	status, tok := postToken(t, s, refreshForm(s.IssueRefreshToken(account)))
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, tok)
	}
	return tok["access_token"].(string)
}

// call does one request and returns the status and body.
func call(t *testing.T, s *School, method, token, path string, body any) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

// getJSON GETs an API path, wants 200, and decodes into v.
func getJSON(t *testing.T, s *School, token, path string, v any) {
	t.Helper()
	status, b, _ := call(t, s, http.MethodGet, token, path, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, b)
	}
}

// The shapes the tests read back, with the API's casing.
type accountResp struct {
	Persoon struct {
		ID       int    `json:"Id"`
		Roepnaam string `json:"Roepnaam"`
	} `json:"Persoon"`
	Groep []struct {
		Naam       string `json:"Naam"`
		Privileges []struct {
			Naam       string   `json:"Naam"`
			AccessType []string `json:"AccessType"`
		} `json:"Privileges"`
	} `json:"Groep"`
}

type kinderenResp struct {
	Items []struct {
		ID                 int    `json:"Id"`
		Roepnaam           string `json:"Roepnaam"`
		ZichtbaarVoorOuder bool   `json:"ZichtbaarVoorOuder"`
	} `json:"Items"`
}

type laatsteResp struct {
	Items []struct {
		KolomID      int     `json:"kolomId"`
		IngevoerdOp  string  `json:"ingevoerdOp"`
		Waarde       string  `json:"waarde"`
		Weegfactor   float64 `json:"weegfactor"`
		IsVoldoende  *bool   `json:"isVoldoende"`
		Omschrijving string  `json:"omschrijving"`
		Vak          struct {
			Code string `json:"code"`
		} `json:"vak"`
	} `json:"items"`
	TotalCount int `json:"totalCount"`
}

type afsprakenResp struct {
	Items []struct {
		ID        int     `json:"Id"`
		Start     string  `json:"Start"`
		Einde     string  `json:"Einde"`
		LesuurVan *int    `json:"LesuurVan"`
		Lokatie   *string `json:"Lokatie"`
		Status    int     `json:"Status"`
		Type      int     `json:"Type"`
		InfoType  int     `json:"InfoType"`
		Inhoud    *string `json:"Inhoud"`
		Afgerond  bool    `json:"Afgerond"`
		Vakken    []struct {
			Naam string `json:"Naam"`
		} `json:"Vakken"`
		Docenten []struct {
			Docentcode string `json:"Docentcode"`
		} `json:"Docenten"`
	} `json:"Items"`
	TotalCount int `json:"TotalCount"`
}

type mappenResp struct {
	Items []struct {
		ID              int    `json:"id"`
		Naam            string `json:"naam"`
		AantalOngelezen int    `json:"aantalOngelezen"`
		Links           struct {
			Berichten struct {
				Href string `json:"href"`
			} `json:"berichten"`
		} `json:"links"`
	} `json:"items"`
}

type berichtenResp struct {
	Items []struct {
		ID        int    `json:"id"`
		Onderwerp string `json:"onderwerp"`
		IsGelezen bool   `json:"isGelezen"`
		Afzender  struct {
			Naam string `json:"naam"`
		} `json:"afzender"`
	} `json:"items"`
	TotalCount int `json:"totalCount"`
}

// childID finds a child's person id by first name through the parent's view.
func childID(t *testing.T, s *School, parentToken, name string) int {
	t.Helper()
	var acc accountResp
	getJSON(t, s, parentToken, "/api/account", &acc)
	var k kinderenResp
	getJSON(t, s, parentToken, "/api/personen/"+itoa(acc.Persoon.ID)+"/kinderen", &k)
	for _, c := range k.Items {
		if c.Roepnaam == name {
			return c.ID
		}
	}
	t.Fatalf("no child %q", name)
	return 0
}

func itoa(n int) string { return strconv.Itoa(n) }
