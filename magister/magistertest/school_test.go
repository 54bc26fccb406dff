package magistertest

import (
	"net"
	"net/http"
	"testing"
)

func TestListen(t *testing.T) {
	s, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp := authorize(t, s, authorizeParams(newPKCE(), ""))
	if resp.StatusCode != http.StatusFound {
		t.Errorf("authorize on a Listen school: %d", resp.StatusCode)
	}
	s.Close()
	s.Close() // idempotent
	if _, err := http.Get(s.URL + "/api/account"); err == nil {
		t.Error("still serving after Close")
	}
	if _, err := Listen("127.0.0.1:-1"); err == nil {
		t.Error("Listen on a bad address succeeded")
	}
}

func TestBaseURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"[::]:8080":      "http://127.0.0.1:8080",
		"0.0.0.0:80":     "http://127.0.0.1:80",
		"[::1]:9000":     "http://[::1]:9000",
	} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := baseURL(a); got != want {
			t.Errorf("baseURL(%s) = %s, want %s", addr, got, want)
		}
	}
}
