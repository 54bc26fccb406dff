//go:build !windows

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// The tests here run every command as a separate process (cliProcess):
// what they prove is about files and modes a real process leaves behind.

type procResult struct {
	code           int
	stdout, stderr string
	maxRSS         int64 // bytes
}

// cli runs one command line as a process with extra environment variables.
func cli(t *testing.T, env []string, args ...string) procResult {
	t.Helper()
	cmd := cliProcess(args...)
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%v: %v", args, err)
	}
	r := procResult{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return r
}

// victimFile is a file outside the state directory that a planted link
// points at; it must never change.
func victimFile(t *testing.T) (path string, unchanged func() string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(path, []byte("victim"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	return path, func() string {
		data, _ := os.ReadFile(path)
		fi, _ := os.Stat(path)
		if string(data) != "victim" || fi.Mode().Perm() != 0o644 {
			return "victim file now holds " + strings.TrimSpace(string(data)) + " with mode " + fi.Mode().Perm().String()
		}
		return ""
	}
}

// octal writes a mode as chmod takes it: 1777, 0755.
func octal(m os.FileMode) string {
	n := uint32(m.Perm())
	if m&os.ModeSticky != 0 {
		n |= 0o1000
	}
	return fmt.Sprintf("%04o", n)
}

func dirMode(t *testing.T, dir string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode() & (os.ModePerm | os.ModeSticky | os.ModeSetgid)
}

// TestPlantedLinksAreNeverFollowed (issue 11, item 7): links planted at the
// temporary names the state, the tokens and the pending sign-in were once
// written to do not make a sign-in write the state, the refresh token or the
// PKCE verifier into the file they name.
func TestPlantedLinksAreNeverFollowed(t *testing.T) {
	noKeyring(t)
	school := magistertest.New()
	t.Cleanup(school.Close)
	dir := t.TempDir()
	victim, unchanged := victimFile(t)
	for _, name := range []string{"state.json.tmp", "tokens.json.tmp", "pending-login.json.tmp"} {
		if err := os.Symlink(victim, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	r := cli(t, nil, "--state-dir", dir, "login", "--school", "demo", "--base-url", school.URL, "--print-url")
	if r.code != 0 {
		t.Fatalf("login --print-url: %d %s", r.code, r.stderr)
	}
	if bad := unchanged(); bad != "" {
		t.Fatalf("starting a sign-in wrote through a planted link: %s", bad)
	}
	r = cli(t, nil, "--state-dir", dir, "login", "--redirect-url", browserLogin(t, strings.TrimSpace(r.stdout)))
	if r.code != 0 {
		t.Fatalf("login --redirect-url: %d %s", r.code, r.stderr)
	}
	if r = cli(t, nil, "--state-dir", dir, "config", "set", "language", "en"); r.code != 0 {
		t.Fatalf("config set: %d %s", r.code, r.stderr)
	}
	if bad := unchanged(); bad != "" {
		t.Fatalf("signing in wrote through a planted link: %s", bad)
	}
	r = cli(t, nil, "--state-dir", dir, "whoami", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"school": "demo"`) {
		t.Fatalf("whoami after signing in: %d %q %s", r.code, r.stdout, r.stderr)
	}
}
