package magister

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrInvalidSchool reports a school code or base URL that cannot be used.
var ErrInvalidSchool = errors.New("magister: invalid school")

// accountsURL is the identity provider for every school.
const accountsURL = "https://accounts.magister.net"

// isSchoolCode reports whether c is 1 to 63 of a-z, 0-9 and "-": the
// first label of <code>.magister.net. (A loop rather than a regexp, which
// every run of the program would compile at start-up.)
func isSchoolCode(c string) bool {
	if len(c) == 0 || len(c) > 63 {
		return false
	}
	for _, r := range []byte(c) {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// School says where a school's API and the identity provider live. The zero
// value is not usable; build one with ParseSchool and, for the fake school,
// WithBaseURL.
type School struct {
	// Code is the school's sub-domain of magister.net, e.g. "vsvonh".
	Code string `json:"code"`
	// APIURL is the API base without a trailing slash, e.g.
	// https://vsvonh.magister.net; API paths start with /api/.
	APIURL string `json:"apiUrl"`
	// AccountsURL is the identity provider base without a trailing slash.
	AccountsURL string `json:"accountsUrl"`
}

// ParseSchool validates a school code and returns the real Magister endpoints
// for it. The code is lower-cased and must match ^[a-z0-9-]{1,63}$. For
// convenience a pasted host or URL ("vsvonh.magister.net",
// "https://vsvonh.magister.net/") is reduced to its code first; the API URL is
// only ever https://<code>.magister.net.
func ParseSchool(code string) (School, error) {
	c := strings.ToLower(strings.TrimSpace(code))
	c = strings.TrimPrefix(c, "https://")
	c = strings.TrimSuffix(c, "/")
	c = strings.TrimSuffix(c, ".magister.net")
	if !isSchoolCode(c) {
		return School{}, fmt.Errorf("%w code %q: use the part before .magister.net (letters, digits and -)", ErrInvalidSchool, truncate(code, 80))
	}
	return School{
		Code:        c,
		APIURL:      "https://" + c + ".magister.net",
		AccountsURL: accountsURL,
	}, nil
}

// Tenant is the value of acr_values in the authorize request and names the
// school's host, e.g. "tenant:vsvonh.magister.net".
func (s School) Tenant() string { return "tenant:" + s.Code + ".magister.net" }

// WithBaseURL returns s with both the API and the accounts endpoints moved to
// base, as the fake school serves them (<base>/connect/..., <base>/api/...).
// The sign-in secrets will go there, so base must be a Magister server
// (https://<school>.magister.net) or this computer (http or https to
// 127.0.0.1, localhost or [::1], where the fake school runs), without user
// info, query or fragment. The caller stores the result with the account.
func (s School) WithBaseURL(base string) (School, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil {
		return School{}, fmt.Errorf("%w base URL: %v", ErrInvalidSchool, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return School{}, fmt.Errorf("%w base URL %q: scheme must be http or https", ErrInvalidSchool, truncate(base, 80))
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return School{}, fmt.Errorf("%w base URL %q: want scheme://host[:port][/path]", ErrInvalidSchool, truncate(base, 80))
	}
	if err := checkDestination(u); err != nil {
		return School{}, fmt.Errorf("%w base URL %q: %v", ErrInvalidSchool, truncate(base, 80), err)
	}
	b := u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/")
	s.APIURL = b
	s.AccountsURL = b
	return s, nil
}

// checkDestination says whether sign-in secrets may be sent to u: https to
// a Magister host, or anything on this computer (the fake school).
func checkDestination(u *url.URL) error {
	host := strings.ToLower(u.Hostname())
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	code, magisterHost := strings.CutSuffix(host, ".magister.net")
	switch {
	case u.Scheme == "http":
		return errors.New("plain http is only allowed to this computer (http://127.0.0.1:PORT, http://localhost:PORT or http://[::1]:PORT, for the fake school); Magister itself is https://<school>.magister.net")
	case !magisterHost || !isSchoolCode(code) || (u.Port() != "" && u.Port() != "443"):
		return errors.New("sign-in secrets are only sent to https://<school>.magister.net, or to this computer for the fake school")
	}
	return nil
}

// origins are the origins (scheme://host[:port]) of the API and of the
// identity provider: where the access token and the refresh token go.
func (s School) origins() (api, accounts string) {
	return originOf(s.APIURL), originOf(s.AccountsURL)
}

// checkOrigins applies checkDestination to both of s's endpoints.
func (s School) checkOrigins() error {
	for _, base := range []string{s.APIURL, s.AccountsURL} {
		u, err := url.Parse(base)
		if err != nil || u.Host == "" {
			return fmt.Errorf("%w: endpoint %q", ErrInvalidSchool, truncate(base, 80))
		}
		if err := checkDestination(u); err != nil {
			return fmt.Errorf("%w %q: %v", ErrInvalidSchool, truncate(base, 80), err)
		}
	}
	return nil
}

// originOf is scheme://host[:port] of a URL, lower-cased; "" if it has none.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// truncate shortens s for error messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
