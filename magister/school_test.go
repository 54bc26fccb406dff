package magister

import (
	"errors"
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
		"http://127.0.0.1:8080":      "http://127.0.0.1:8080",
		"http://127.0.0.1:8080/":     "http://127.0.0.1:8080",
		"https://fake.example/base/": "https://fake.example/base",
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
}
