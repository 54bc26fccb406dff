//go:build !windows

package main

import (
	"bytes"
	"encoding/json"
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
	school := magistertest.Start(t)
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
	r = cli(t, nil, "--state-dir", dir, "login", "--redirect-url", magistertest.SignIn(t, strings.TrimSpace(r.stdout)))
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

// TestLinkedStateFilesAreRefused (issue 11, item 7): a state directory in
// which one of the app's files is a symbolic link is refused with a message
// naming the file and what to do; nothing is written or chmodded through it.
func TestLinkedStateFilesAreRefused(t *testing.T) {
	for _, name := range []string{"state.json", "state.lock", "tray.lock", "tokens.json", "magister-notify.log"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			victim, unchanged := victimFile(t)
			if err := os.Symlink(victim, filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			r := cli(t, nil, "--state-dir", dir, "config", "set", "language", "en")
			if bad := unchanged(); bad != "" {
				t.Errorf("config set went through the link: %s", bad)
			}
			want := filepath.Join(dir, name) + " is a symbolic link to " + victim
			if r.code == 0 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "remove the link") {
				t.Fatalf("config set with %s a link: exit %d, stderr %q; want a refusal saying %q and what to do", name, r.code, r.stderr, want)
			}
		})
	}
}

// signedInAndChecked signs in to a fresh fake school and takes the baseline
// check, in processes; it returns the school, the state directory and the
// jsonl file the checks deliver to.
func signedInAndChecked(t *testing.T) (*magistertest.School, string, string) {
	t.Helper()
	noKeyring(t)
	school := magistertest.Start(t)
	dir := t.TempDir()
	signIn(t, school.URL, func(args ...string) (int, string, string) {
		r := cli(t, nil, append([]string{"--state-dir", dir}, args...)...)
		return r.code, r.stdout, r.stderr
	})
	// The jsonl file is the configured sink, so delivered entries go to the
	// history (a one-off --sink leaves them waiting for the desktop).
	jsonl := filepath.Join(t.TempDir(), "out.jsonl")
	if r := cli(t, nil, "--state-dir", dir, "config", "set", "sinks", "jsonl:"+jsonl); r.code != 0 {
		t.Fatalf("config set sinks: %d %s", r.code, r.stderr)
	}
	if r := cli(t, nil, "--state-dir", dir, "check"); r.code != 0 {
		t.Fatalf("baseline check: %d %s", r.code, r.stderr)
	}
	return school, dir, jsonl
}

// editState applies change to the decoded state.json and writes it back.
func editState(t *testing.T, dir string, change func(top map[string]any)) []byte {
	t.Helper()
	path := filepath.Join(dir, "state.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	change(top)
	if data, err = json.Marshal(top); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return data
}

func childSeen(top map[string]any, child int) map[string]any {
	acct := top["accounts"].([]any)[0].(map[string]any)
	return acct["children"].([]any)[child].(map[string]any)["seen"].(map[string]any)
}

// TestDamagedSeenSetKeepsTheAccount (issue 11, item 8): a damaged seen set
// costs that set only. The account, the other sets and the settings
// survive; the damaged set takes a silent baseline; status says what was
// reset; the original is kept beside.
func TestDamagedSeenSetKeepsTheAccount(t *testing.T) {
	school, dir, jsonl := signedInAndChecked(t)
	damaged := editState(t, dir, func(top map[string]any) {
		childSeen(top, 0)["grades"] = "garbage" // Anna's grades
	})
	school.AddGrade(magistertest.GradeSpec{Child: "Anna", Value: "6,0", Description: "after the damage"})
	school.AddGrade(magistertest.GradeSpec{Child: "Daan", Value: "4,2", Description: "Toets H3"})

	r := cli(t, nil, "--state-dir", dir, "check")
	if r.code != 0 {
		t.Fatalf("check after damage to one seen set: exit %d, %s", r.code, r.stderr)
	}
	lines := readLines(t, jsonl)
	if len(lines) != 1 || !strings.HasPrefix(lines[0]["title"].(string), "Daan · ") {
		t.Fatalf("notifications after the damage: %v; want exactly Daan's new grade (Anna's grades re-baseline silently)", lines)
	}
	r = cli(t, nil, "--state-dir", dir, "status", "--json")
	var info struct {
		Accounts    int `json:"accounts"`
		Children    int `json:"children"`
		Quarantined []struct {
			File     string   `json:"file"`
			Salvaged bool     `json:"salvaged"`
			Reset    []string `json:"reset"`
		} `json:"quarantined"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &info) != nil || info.Accounts != 1 || info.Children != 2 ||
		len(info.Quarantined) != 1 || !info.Quarantined[0].Salvaged {
		t.Fatalf("status --json: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if q := info.Quarantined[0]; len(q.Reset) != 1 || !strings.HasPrefix(q.Reset[0], "seen grades of child ") {
		t.Errorf("quarantine record %+v, want the one seen set reset", q)
	}
	if moved, _ := os.ReadFile(filepath.Join(dir, info.Quarantined[0].File)); !bytes.Equal(moved, damaged) {
		t.Error("the damaged original was not kept beside")
	}
	r = cli(t, nil, "--state-dir", dir, "status")
	if !strings.Contains(r.stdout, "what could be read was kept") || !strings.Contains(r.stdout, "seen grades of child") {
		t.Errorf("status does not say what was reset:\n%s", r.stdout)
	}
}

// TestTruncatedStateKeepsTheAccount (issue 11, item 8): a state file cut
// short in its history keeps the account and what was seen.
func TestTruncatedStateKeepsTheAccount(t *testing.T) {
	dutchLocale(t) // the notifications' Dutch words are what is checked
	school, dir, jsonl := signedInAndChecked(t)
	school.AddGrade(magistertest.GradeSpec{Child: "Daan", Value: "4,2", Description: "Toets H3"})
	if r := cli(t, nil, "--state-dir", dir, "check"); r.code != 0 || len(readLines(t, jsonl)) != 1 {
		t.Fatalf("check: %d %s", r.code, r.stderr)
	}
	path := filepath.Join(dir, "state.json")
	data, _ := os.ReadFile(path)
	at := bytes.Index(data, []byte(`"history":[`))
	if at < 0 {
		t.Fatalf("no history in %s", data)
	}
	os.WriteFile(path, data[:at+30], 0o600)

	school.AddGrade(magistertest.GradeSpec{Child: "Anna", Value: "8,1", Description: "after the damage"})
	r := cli(t, nil, "--state-dir", dir, "check")
	if r.code != 0 {
		t.Fatalf("check after truncation: exit %d, %s", r.code, r.stderr)
	}
	lines := readLines(t, jsonl)
	if len(lines) != 2 || !strings.HasPrefix(lines[1]["title"].(string), "Anna · 8,1 voor") {
		t.Fatalf("notifications after truncation: %v; want Anna's one new grade, no flood", lines)
	}
}

// TestLogoutAllRemovesTokensTheStateForgot (issue 11, item 8): with the
// state file destroyed beyond salvage, `logout --all` still removes the
// stored login instead of saying "Nobody is signed in." and leaving it.
func TestLogoutAllRemovesTokensTheStateForgot(t *testing.T) {
	_, dir, _ := signedInAndChecked(t)
	tokens := filepath.Join(dir, "tokens.json")
	if data, err := os.ReadFile(tokens); err != nil || !strings.Contains(string(data), "refresh_token") {
		t.Fatalf("tokens.json before: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte("\x00garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, nil, "--state-dir", dir, "logout", "--all")
	if r.code != 0 {
		t.Fatalf("logout --all: %d %s", r.code, r.stderr)
	}
	if data, err := os.ReadFile(tokens); err == nil && strings.Contains(string(data), "refresh_token") {
		t.Fatalf("logout --all said %q and left the refresh token in tokens.json", strings.TrimSpace(r.stdout))
	}
	if !strings.Contains(r.stdout, "Forgot the stored sign-in of demo/") {
		t.Errorf("logout --all says %q; want it to say which stored sign-in it removed", r.stdout)
	}
}

// TestOversizedStateFileIsRefused (issue 11, item 11): a 200 MB state.json
// is refused before it is read (the process stays well below the file's
// size), with a message that names the size, and it is neither quarantined
// nor changed.
//
// The child's max RSS is not the child's alone: Go starts it with
// CLONE_VFORK|CLONE_VM, so until exec it runs in this test process's memory,
// and Linux keeps that high-water mark across exec. A race-enabled test
// process is ~60 MB, so the bound is half the file: a process that read the
// file holds all of it.
func TestOversizedStateFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"version":1,"history":[`)
	const size = 200_000_000
	if err := f.Truncate(size); err != nil { // sparse: takes no disk
		t.Fatal(err)
	}
	f.Close()
	r := cli(t, nil, "--state-dir", dir, "status")
	t.Logf("status on a 200 MB state: exit %d, max RSS %d MB", r.code, r.maxRSS>>20)
	if r.code == 0 || !strings.Contains(r.stderr, path+" is 200 MB, more than the 64 MiB it may be") ||
		!strings.Contains(r.stderr, "move the file away") {
		t.Errorf("status: exit %d, stderr %q; want a refusal naming the size and what to do", r.code, r.stderr)
	}
	if r.maxRSS > size/2 {
		t.Errorf("status took %d MB of memory: the file was read", r.maxRSS>>20)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != size {
		t.Errorf("state.json was moved or changed: %v %v", fi, err)
	}
	if m, _ := filepath.Glob(path + ".corrupt-*"); len(m) != 0 {
		t.Errorf("an oversized state was quarantined: %v", m)
	}
}

// TestReadOnlyStateDirStaysReadOnly (issue 11, item 11): a state directory
// the user made read-only (0500) is not made writable again.
func TestReadOnlyStateDirStaysReadOnly(t *testing.T) {
	dir := t.TempDir()
	if r := cli(t, nil, "--state-dir", dir, "config", "set", "language", "en"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	os.Chmod(dir, 0o500)
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	for _, args := range [][]string{{"status"}, {"config", "set", "language", "nl"}} {
		r := cli(t, nil, append([]string{"--state-dir", dir}, args...)...)
		if m := dirMode(t, dir); m != 0o500 {
			t.Fatalf("%v (exit %d, %s) changed the read-only directory to %s", args, r.code, r.stderr, octal(m))
		}
	}
}

// TestSharedStateDirIsRefused (issue 13, item 1): a directory others can
// write in, or one open to others that holds other files, is refused with a
// sentence saying why and what to do, and its mode is never changed — not
// by a read-only command, not by one that writes.
func TestSharedStateDirIsRefused(t *testing.T) {
	cases := []struct {
		name  string
		mode  os.FileMode
		file  string // a file of someone else's in it
		env   bool   // chosen with MAGISTER_NOTIFY_HOME
		why   string
		fixed string
	}{
		{"sticky like /tmp", 0o777 | os.ModeSticky, "", false, "can be written by other users (mode 1777)", "a directory of its own"},
		{"sticky through the environment", 0o777 | os.ModeSticky, "", true, "can be written by other users (mode 1777)", "MAGISTER_NOTIFY_HOME"},
		{"world-writable", 0o777, "", false, "can be written by other users (mode 0777)", "a directory of its own"},
		{"shared with other files", 0o755, "notes.txt", false, "is open to other users (mode 0755) and holds files that are not magister-notify's (such as notes.txt)", "chmod 700"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			os.Mkdir(dir, 0o700)
			if tc.file != "" {
				os.WriteFile(filepath.Join(dir, tc.file), []byte("mine"), 0o644)
			}
			if err := os.Chmod(dir, tc.mode); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"status"}, {"config", "set", "language", "en"}} {
				var env []string
				if tc.env {
					env = []string{"MAGISTER_NOTIFY_HOME=" + dir}
				} else {
					args = append([]string{"--state-dir", dir}, args...)
				}
				r := cli(t, env, args...)
				if got := dirMode(t, dir); got != tc.mode&(os.ModePerm|os.ModeSticky) {
					t.Fatalf("%v changed the directory's mode from %s to %s", args, octal(tc.mode), octal(got))
				}
				if r.code == 0 || !strings.Contains(r.stderr, tc.why) || !strings.Contains(r.stderr, tc.fixed) {
					t.Fatalf("%v: exit %d, stderr %q; want a refusal saying %q and %q", args, r.code, r.stderr, tc.why, tc.fixed)
				}
			}
		})
	}
}

// TestForeignStateDirIsRefused (issue 13, item 1): root is not let loose on
// another user's directory.
func TestForeignStateDirIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	dir := filepath.Join(t.TempDir(), "d")
	os.Mkdir(dir, 0o700)
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	r := cli(t, nil, "--state-dir", dir, "config", "set", "language", "en")
	if r.code == 0 || !strings.Contains(r.stderr, "belongs to another user (uid 65534)") || !strings.Contains(r.stderr, "run magister-notify as that user") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files were created in another user's directory: %v", entries)
	}
}

// TestOwnStateDirIsTightenedOnlyByAChange (issue 13, item 1): a directory
// holding nothing but magister-notify's files is made private by the first
// command that changes something, never by one that only reads.
func TestOwnStateDirIsTightenedOnlyByAChange(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	if r := cli(t, nil, "--state-dir", dir, "config", "set", "language", "en"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if m := dirMode(t, dir); m != 0o700 {
		t.Fatalf("a directory the app created has mode %s, want 0700", octal(m))
	}
	state := filepath.Join(dir, "state.json")
	os.Chmod(dir, 0o755)
	os.Chmod(state, 0o644)
	for _, args := range [][]string{{"status"}, {"log"}, {"config", "list"}, {"config", "get", "language"}, {"whoami"}} {
		if r := cli(t, nil, append([]string{"--state-dir", dir}, args...)...); r.code != 0 {
			t.Fatalf("%v: %s", args, r.stderr)
		}
		if m := dirMode(t, dir); m != 0o755 {
			t.Fatalf("the read-only command %v changed the directory to %s", args, octal(m))
		}
	}
	if r := cli(t, nil, "--state-dir", dir, "config", "set", "language", "nl"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	fi, _ := os.Stat(state)
	if m := dirMode(t, dir); m != 0o700 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("after a change: directory %s, state.json %s; want 0700 and 0600", octal(m), octal(fi.Mode()))
	}
}
