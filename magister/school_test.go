package magister

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSchool(t *testing.T) {
	tests := []struct {
		in       string
		wantCode string
		wantErr  bool
	}{
		{"vsvonh", "vsvonh", false},
		{"VSVonh", "vsvonh", false},
		{"  school-1 ", "school-1", false},
		{"vsvonh.magister.net", "vsvonh", false},
		{"https://vsvonh.magister.net/", "vsvonh", false},
		{"a", "a", false},
		{"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123", false},
		{"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234", "", true}, // 64 characters
		{"", "", true},
		{"school_1", "", true},
		{"evil.com/x", "", true},
		{"vsvonh.magister.net.evil.com", "", true},
		{"http://vsvonh.magister.net", "", true},
		{"sch ool", "", true},
		{"école", "", true},
		{"a@b", "", true},
	}
	for _, tt := range tests {
		s, err := ParseSchool(tt.in)
		if tt.wantErr {
			if err == nil || !errors.Is(err, ErrInvalidSchool) {
				t.Errorf("ParseSchool(%q) = %+v, %v; want ErrInvalidSchool", tt.in, s, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSchool(%q): %v", tt.in, err)
			continue
		}
		want := School{Code: tt.wantCode, APIURL: "https://" + tt.wantCode + ".magister.net", AccountsURL: "https://accounts.magister.net"}
		if s != want {
			t.Errorf("ParseSchool(%q) = %+v, want %+v", tt.in, s, want)
		}
	}
}

func TestWithBaseURL(t *testing.T) {
	s, err := ParseSchool("demo")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"http://127.0.0.1:8080":           "http://127.0.0.1:8080",
		"http://127.0.0.1:8080/":          "http://127.0.0.1:8080",
		"http://localhost:8080/base/":     "http://localhost:8080/base",
		"http://[::1]:8080":               "http://[::1]:8080",
		"https://127.0.0.2:8443":          "https://127.0.0.2:8443",
		"https://vsvonh.magister.net/":    "https://vsvonh.magister.net",
		"https://VSVONH.magister.net:443": "https://VSVONH.magister.net:443",
	} {
		got, err := s.WithBaseURL(in)
		if err != nil || got.APIURL != want || got.AccountsURL != want || got.Code != "demo" || got.Tenant() != "tenant:demo.magister.net" {
			t.Errorf("WithBaseURL(%q) = %+v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "ftp://x", "file:///etc/passwd", "http://", "http://u:p@host", "http://h/?q=1", "http://h/#f", "javascript:alert(1)", "127.0.0.1:80"} {
		if got, err := s.WithBaseURL(bad); err == nil || !errors.Is(err, ErrInvalidSchool) {
			t.Errorf("WithBaseURL(%q) = %+v, %v; want an error", bad, got, err)
		}
	}
	// Sign-in secrets go to Magister or to this computer, nowhere else.
	for bad, why := range map[string]string{
		"http://10.0.0.5:8080":              "plain http is only allowed to this computer",
		"http://demo.magister.net":          "plain http is only allowed to this computer",
		"http://fake.example/base/":         "plain http is only allowed to this computer",
		"https://fake.example/base/":        "only sent to https://<school>.magister.net",
		"https://magister.net.evil.example": "only sent to https://<school>.magister.net",
		"https://a.b.magister.net":          "only sent to https://<school>.magister.net",
		"https://demo.magister.net:8443":    "only sent to https://<school>.magister.net",
		"https://localhost.example":         "only sent to https://<school>.magister.net",
	} {
		got, err := s.WithBaseURL(bad)
		if !errors.Is(err, ErrInvalidSchool) || !strings.Contains(err.Error(), why) {
			t.Errorf("WithBaseURL(%q) = %+v, %v; want an error saying %q", bad, got, err, why)
		}
	}
}
