package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinary builds magister-fake, runs it as a real process, signs in
// through the token shortcut and stops it with SIGTERM.
func TestBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "magister-fake")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--seed-now", "2026-01-14T10:00:00+01:00")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{}) // closed after Wait, which sets waitErr
	var waitErr error
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, stdout) // keep the pipe drained until exit
		waitErr = cmd.Wait()
		close(exited)
	}()
	var base string
	select {
	case base = <-lines:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		t.Fatalf("no URL on stdout; stderr: %s", stderr.String())
	}
	if u, err := url.Parse(base); err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "0" {
		t.Fatalf("first line %q is not a loopback base URL", base)
	}

	// The token shortcut, then the refresh grant, then the API.
	resp, err := http.Post(base+"/_fake/refresh-token", "application/json", strings.NewReader(`{"login":"ouder"}`))
	if err != nil {
		t.Fatal(err)
	}
	var rt struct {
		RefreshToken string `json:"refresh_token"`
	}
	decodeBody(t, resp, &rt)
	resp, err = http.PostForm(base+"/connect/token", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt.RefreshToken}, "client_id": {"M6LOAPP"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	decodeBody(t, resp, &tok)

	get := func(path string, v any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		decodeBody(t, resp, v)
	}
	var acc struct {
		Persoon struct {
			ID       int    `json:"Id"`
			Roepnaam string `json:"Roepnaam"`
		} `json:"Persoon"`
	}
	get("/api/account", &acc)
	if acc.Persoon.Roepnaam != "Eva" {
		t.Errorf("signed in as %q, want the parent Eva", acc.Persoon.Roepnaam)
	}
	// --seed-now placed the timetable around 2026-01-14.
	var kids struct {
		Items []struct {
			ID int `json:"Id"`
		} `json:"Items"`
	}
	get(fmt.Sprintf("/api/personen/%d/kinderen", acc.Persoon.ID), &kids)
	var day struct {
		Items []struct {
			Start string `json:"Start"`
		} `json:"Items"`
	}
	get(fmt.Sprintf("/api/personen/%d/afspraken?van=2026-01-14&tot=2026-01-14", kids.Items[0].ID), &day)
	if len(day.Items) == 0 || !strings.HasPrefix(day.Items[0].Start, "2026-01-14T07:30:00") {
		t.Errorf("lessons on the seeded day: %+v", day.Items)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("exit after SIGTERM: %v; stderr: %s", waitErr, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("still running 30 s after SIGTERM")
	}
	if strings.Contains(stderr.String(), rt.RefreshToken) || strings.Contains(stderr.String(), tok.AccessToken) {
		t.Error("stderr shows a token")
	}
}

func decodeBody(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: %d %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", resp.Request.URL.Path, err)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--bogus"},
		{"--seed-now", "yesterday"},
		{"extra"},
		{"--addr", "256.0.0.1:0"},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, &stdout, &stderr); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
		if stdout.Len() != 0 {
			t.Errorf("run(%q) wrote %q to stdout", args, stdout.String())
		}
	}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, io.Discard, &stderr); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "-seed-now") {
		t.Errorf("-h: err %v, usage %q", err, stderr.String())
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--seed-now", "2026-01-14", "-v"}, pw, io.Discard) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSpace(line)
	resp, err := http.Get(base + "/api/account")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/account without a token: %d, want 401", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	if _, err := http.Get(base + "/api/account"); err == nil {
		t.Error("still serving after cancel")
	}
}

func TestParseSeedNow(t *testing.T) {
	got, err := parseSeedNow("2026-01-14")
	if want := time.Date(2026, 1, 14, 9, 0, 0, 0, time.UTC); err != nil || !got.Equal(want) {
		t.Errorf("date: %v %v, want %v", got, err, want)
	}
	got, err = parseSeedNow("2026-06-01T12:00:00Z")
	if want := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC); err != nil || !got.Equal(want) {
		t.Errorf("RFC 3339: %v %v", got, err)
	}
}
