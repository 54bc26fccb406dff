package state

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/winetest"
)

func TestUpdateThenView(t *testing.T) {
	st := mustOpen(t)
	ctx := context.Background()
	if err := st.Update(ctx, func(s *State) error {
		s.Settings.Interval = Duration(20 * time.Minute)
		addSeen(s, "k1")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got := mustView(t, st)
	if got.Version != SchemaVersion || time.Duration(got.Settings.Interval) != 20*time.Minute || !seenKeys(got)["k1"] {
		t.Fatalf("state after update = %+v", got)
	}
	// A failing fn writes nothing.
	boom := errors.New("boom")
	err := st.Update(ctx, func(s *State) error { addSeen(s, "k2"); return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v, want boom", err)
	}
	if seenKeys(mustView(t, st))["k2"] {
		t.Fatal("a failed Update was written")
	}
	// Changes made inside View are not saved.
	st.View(ctx, func(s State) error { s.Settings.Language = "en"; return nil })
	if mustView(t, st).Settings.Language != "" {
		t.Fatal("View saved a change")
	}
}

func TestFreshStateIsNotWrittenByView(t *testing.T) {
	st := mustOpen(t)
	if got := mustView(t, st); got.Version != SchemaVersion || len(got.Accounts) != 0 {
		t.Fatalf("fresh state = %+v", got)
	}
	if _, err := os.Stat(st.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("View created %s (err %v)", st.Path(), err)
	}
}

// TestPermissionsTightenedOnFirstChange: a directory holding only
// magister-notify's files, open to others, is made private by the first
// Update and not before (reading changes no mode).
func TestPermissionsTightenedOnFirstChange(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{FileName, LockName} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(`{"version":1}`), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(dir, name), 0o644)
	}
	os.Chmod(dir, 0o755)
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustView(t, st)
	modes := func(dirMode, fileMode os.FileMode) {
		t.Helper()
		for path, want := range map[string]os.FileMode{dir: dirMode, filepath.Join(dir, FileName): fileMode, filepath.Join(dir, LockName): fileMode} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != want {
				t.Errorf("%s mode %v, want %v", path, fi.Mode().Perm(), want)
			}
		}
	}
	modes(0o755, 0o644)
	if err := st.Update(context.Background(), func(*State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	modes(0o700, 0o600)
}

// TestNoLostUpdates is the bug this product exists to fix: 16 real processes
// each add 100 items with one Update each; every item must survive.
func TestNoLostUpdates(t *testing.T) {
	// Under Wine a locked commit costs ~30 ms: 16×25 still races 16 processes.
	procs, each := 16, winetest.Scale(100, 4)
	st := mustOpen(t)
	var wg sync.WaitGroup
	errs := make(chan error, procs)
	for w := range procs {
		cmd := helperCommand(t, "adder", st.Dir(), fmt.Sprint(w), fmt.Sprint(each))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := cmd.Wait(); err != nil {
				errs <- fmt.Errorf("worker %d: %v", w, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	keys := seenKeys(mustView(t, st))
	missing := 0
	for w := range procs {
		for i := range each {
			if !keys[fmt.Sprintf("w%d-%d", w, i)] {
				missing++
			}
		}
	}
	if missing > 0 || len(keys) != procs*each {
		t.Fatalf("%d of %d updates lost (%d items present)", missing, procs*each, len(keys))
	}
}

// TestCrashSafety kills writer processes with SIGKILL at random moments. After
// every kill the state file must decode and hold every item whose Update had
// returned (the writer prints a key only after that).
func TestCrashSafety(t *testing.T) {
	rounds := winetest.Scale(100, 4) // under Wine each round starts a process
	if testing.Short() {
		rounds = 20
	}
	st := mustOpen(t)
	acked := map[string]bool{}
	for round := range rounds {
		cmd := helperCommand(t, "crasher", st.Dir(), fmt.Sprint(round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for a random number of acknowledged updates (0–8), then kill
		// at a random moment after that, mid-transaction or not.
		for range rand.IntN(9) {
			if k, ok := <-lines; ok {
				acked[k] = true
			}
		}
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		cmd.Process.Kill()
		for k := range lines {
			acked[k] = true
		}
		cmd.Wait()

		data, err := os.ReadFile(st.Path())
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if err == nil {
			if _, err := decode(data); err != nil {
				t.Fatalf("round %d: state file does not decode after SIGKILL: %v", round, err)
			}
		}
		keys := seenKeys(mustView(t, st))
		for k := range acked {
			if !keys[k] {
				t.Fatalf("round %d: acknowledged update %s lost after SIGKILL", round, k)
			}
		}
	}
	if q, _ := st.QuarantinedFiles(); len(q) > 0 {
		t.Fatalf("a crash caused a quarantine: %v", q)
	}
	t.Logf("%d rounds, %d acknowledged updates all present", rounds, len(acked))
}

// TestFullDisk runs a writer under a small RLIMIT_FSIZE: its save fails with
// a clear error and the previous state stays intact.
func TestFullDisk(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("RLIMIT_FSIZE is Unix")
	}
	st := mustOpen(t)
	for i := range 10 {
		if err := st.Update(context.Background(), func(s *State) error { addSeen(s, fmt.Sprint("before-", i)); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	before, err := os.ReadFile(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	cmd := helperCommand(t, "bigwriter", st.Dir(), "65536")
	out, err := cmd.Output()
	var exit interface{ ExitCode() int }
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("bigwriter: %v, output %q", err, out)
	}
	msg := string(out)
	for _, want := range []string{"file size limit", "previous state is kept", st.Path()} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	after, err := os.ReadFile(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Fatal("state file changed by a failed save")
	}
	if len(seenKeys(mustView(t, st))) != 10 {
		t.Fatal("previous state not readable")
	}
	if _, err := os.Stat(st.Path() + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left behind: %v", err)
	}
}

func TestDamagedFilesAreQuarantined(t *testing.T) {
	good, err := encode(&State{Version: SchemaVersion, Settings: Settings{Language: "en"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		data     string
		reason   string
		salvaged bool // what could be read was kept
	}{
		"empty":       {"", "empty", false},
		"whitespace":  {" \n", "empty", false},
		"truncated":   {string(good[:len(good)/2]), "truncated", true},
		"garbage":     {"\x00\x01PK\x03garbage", "invalid JSON", false},
		"null":        {"null", "null", false},
		"array":       {"[1,2]", "wrong type", false},
		"no version":  {`{"settings":{}}`, "no schema version", false},
		"bad version": {`{"version":"one"}`, "not a positive whole number", false},
		"wrong types": {`{"version":1,"accounts":"Anna"}`, "wrong type", true},
		"null seen":   {`{"version":1,"accounts":[{"key":"k","children":[{"id":1,"seen":{"grades":null}}]}]}`, "null", true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			now := time.Date(2026, 11, 26, 10, 42, 7, 0, time.UTC)
			st := mustOpen(t, WithClock(func() time.Time { return now }))
			if err := os.WriteFile(st.Path(), []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			// Reading alone quarantines too: status must be able to report it.
			got := mustView(t, st)
			if len(got.Quarantined) != 1 {
				t.Fatalf("Quarantined = %+v", got.Quarantined)
			}
			q := got.Quarantined[0]
			if q.File != "state.json.corrupt-20261126T104207Z" || !strings.Contains(q.Reason, tc.reason) || q.Salvaged != tc.salvaged {
				t.Errorf("quarantine record %+v, want reason containing %q, salvaged %v", q, tc.reason, tc.salvaged)
			}
			moved, err := os.ReadFile(filepath.Join(st.Dir(), q.File))
			if err != nil || string(moved) != tc.data {
				t.Fatalf("quarantined file %q (%v), want the original bytes", moved, err)
			}
			if got.SeenCount() != 0 {
				t.Fatal("something seen survived (it must re-baseline)")
			}
			// No crash loop: the next transaction works on the fresh state.
			if err := st.Update(context.Background(), func(s *State) error { addSeen(s, "after"); return nil }); err != nil {
				t.Fatal(err)
			}
			files, _ := st.QuarantinedFiles()
			if len(files) != 1 || !seenKeys(mustView(t, st))["after"] {
				t.Fatalf("after recovery: files %v", files)
			}
		})
	}
}

func TestQuarantineNamesDoNotCollide(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 42, 7, 0, time.UTC)
	st := mustOpen(t, WithClock(func() time.Time { return now }))
	for range 3 {
		os.WriteFile(st.Path(), []byte("{"), 0o600)
		mustView(t, st)
	}
	files, _ := st.QuarantinedFiles()
	if len(files) != 3 {
		t.Fatalf("quarantined files %v, want 3 distinct", files)
	}
}

func TestNewerVersionIsNeverOverwritten(t *testing.T) {
	st := mustOpen(t)
	future := `{"version":99,"settings":{"something_new":true}}`
	if err := os.WriteFile(st.Path(), []byte(future), 0o600); err != nil {
		t.Fatal(err)
	}
	err := st.Update(context.Background(), func(s *State) error { return nil })
	if !errors.Is(err, ErrNewerVersion) || !strings.Contains(err.Error(), "update magister-notify") {
		t.Fatalf("Update error = %v", err)
	}
	err = st.View(context.Background(), func(State) error { return nil })
	if !errors.Is(err, ErrNewerVersion) {
		t.Fatalf("View error = %v", err)
	}
	data, _ := os.ReadFile(st.Path())
	if string(data) != future {
		t.Fatalf("newer file was changed to %q", data)
	}
	if files, _ := st.QuarantinedFiles(); len(files) != 0 {
		t.Fatalf("newer file was quarantined: %v", files)
	}
}

func TestMigrations(t *testing.T) {
	old := []byte(`{"version":1,"settings":{"interval_minutes":20}}`)
	// A pretend schema 3 reached in two steps: 1→2 reshapes settings, 2→3 edits them.
	got, err := decodeAt(old, 3, map[int]migration{
		1: func(top map[string]json.RawMessage) error {
			top["settings"] = json.RawMessage(`{"interval":"20m0s","language":"en"}`)
			return nil
		},
		2: func(top map[string]json.RawMessage) error {
			top["settings"] = json.RawMessage(strings.Replace(string(top["settings"]), `"en"`, `"nl"`, 1))
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(got.Settings.Interval) != 20*time.Minute || got.Settings.Language != "nl" {
		t.Fatalf("migrated settings = %+v", got.Settings)
	}
	// A gap in the chain is an error, not a silent reset.
	if _, err := decodeAt(old, 3, map[int]migration{1: func(map[string]json.RawMessage) error { return nil }}); err == nil {
		t.Fatal("missing migration step not reported")
	}
}

func TestLockTimeoutNamesTheHolder(t *testing.T) {
	st := mustOpen(t, WithLockTimeout(300*time.Millisecond))
	cmd, stdin := startLocker(t, "holder", st)

	err := st.Update(context.Background(), func(*State) error { return nil })
	want := fmt.Sprintf("state is locked by pid %d (test holder) since ", cmd.Process.Pid)
	if !errors.Is(err, ErrLocked) || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Update error = %v, want prefix %q", err, want)
	}
	// A caller's own deadline is honoured too (shorter than the default).
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := st.View(ctx, func(State) error { return nil }); !errors.Is(err, ErrLocked) {
		t.Fatalf("View under an exclusive lock = %v", err)
	}
	stdin.Close()
	cmd.Wait()
	if err := st.Update(context.Background(), func(*State) error { return nil }); err != nil {
		t.Fatalf("after the holder left: %v", err)
	}
	if h := readHolder(st.lockPath()); h != "" {
		t.Fatalf("holder line left after unlock: %q", h)
	}
}

func TestSharedLockBlocksWriter(t *testing.T) {
	st := mustOpen(t)
	_, stdin := startLocker(t, "sharer", st)

	// Readers share.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := st.View(ctx, func(State) error { return nil }); err != nil {
		t.Fatalf("View beside a shared lock: %v", err)
	}
	// A writer waits until the reader lets go.
	done := make(chan error, 1)
	go func() {
		done <- st.Update(context.Background(), func(s *State) error { addSeen(s, "x"); return nil })
	}()
	select {
	case err := <-done:
		t.Fatalf("Update finished while a shared lock was held: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	stdin.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !seenKeys(mustView(t, st))["x"] {
		t.Fatal("update lost")
	}
}

// startLocker starts the helper process role on st's directory and waits
// until it says it holds its lock. Closing stdin lets the helper go; when
// the test ends, stdin is closed and the process waited for.
func startLocker(t *testing.T, role string, st *Store) (cmd *exec.Cmd, stdin io.WriteCloser) {
	t.Helper()
	cmd = helperCommand(t, role, st.Dir())
	stdin, _ = cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	waitLine(t, stdout, "locked")
	return cmd, stdin
}

func waitLine(t *testing.T, r io.Reader, want string) {
	t.Helper()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != want {
		t.Fatalf("helper said %q (%v), want %q", line, err, want)
	}
}

func TestBoundsOnWrite(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	st := mustOpen(t, WithClock(func() time.Time { return now }))
	err := st.Update(context.Background(), func(s *State) error {
		addSeen(s, "current")
		set := s.Accounts[0].Children[0].Seen[KindGrades]
		set.Items["long-expired"] = SeenItem{Expires: now.AddDate(-2, 0, 0).Unix()}
		for i := range HistoryLimit + 37 {
			s.History = append(s.History, Entry{ID: fmt.Sprint(i), Delivered: now.Add(time.Duration(i) * time.Second)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := mustView(t, st)
	// Writing never forgets a seen id: only a fetch of its set may.
	if keys := seenKeys(got); !keys["long-expired"] || !keys["current"] {
		t.Errorf("seen after a write: %v", keys)
	}
	if len(got.History) != HistoryLimit {
		t.Errorf("history: %d entries, want %d", len(got.History), HistoryLimit)
	}
	if got.History[0].ID != "37" {
		t.Errorf("oldest history entry %q, want 37", got.History[0].ID)
	}
	if last := got.History[HistoryLimit-1].ID; last != fmt.Sprint(HistoryLimit+36) {
		t.Errorf("newest history entry %q, want %d", last, HistoryLimit+36)
	}
}

func TestSeenKeepAndForget(t *testing.T) {
	fetch := time.Date(2026, 9, 1, 8, 15, 0, 0, time.UTC)
	var set SeenSet
	set.Keep("old-message", "", fetch)
	set.Keep("grade", "7,5", fetch)
	exp := set.Items["grade"].Expires
	if exp < fetch.Add(SeenRetention).Unix() {
		t.Errorf("expiry %d is before the last fetch plus the retention", exp)
	}
	if exp%86400 != 0 {
		t.Errorf("expiry %d is not rounded to a day", exp)
	}
	// A year later the grade is still returned, the message not.
	later := fetch.Add(SeenRetention - time.Hour)
	set.Keep("grade", "7,5", later)
	set.Forget(later)
	if _, ok := set.Items["old-message"]; !ok {
		t.Error("an id was forgotten before its retention ran out")
	}
	end := fetch.Add(SeenRetention + 24*time.Hour)
	set.Keep("grade", "7,5", end)
	set.Forget(end)
	if _, ok := set.Items["old-message"]; ok {
		t.Error("an id no fetch returned for longer than the retention is still kept")
	}
	if it, ok := set.Items["grade"]; !ok || it.Fingerprint != "7,5" {
		t.Errorf("the id every fetch returned: %+v, %v", it, ok)
	}
}

func TestSettingsDefaults(t *testing.T) {
	var s Settings
	if s.EffectiveInterval() != DefaultInterval {
		t.Error("default interval")
	}
	s.Interval = Duration(time.Minute)
	if s.EffectiveInterval() != MinInterval {
		t.Error("minimum interval not enforced")
	}
	now := time.Now()
	if s.Paused(now) {
		t.Error("paused by default")
	}
	s.PauseUntil = now.Add(time.Hour)
	if !s.Paused(now) || s.Paused(now.Add(2*time.Hour)) {
		t.Error("pause window wrong")
	}
	s.Disabled = map[string]bool{KindHomework: true}
	if s.KindEnabledFor(KindHomework, true) || !s.KindEnabledFor(KindGrades, true) {
		t.Error("kind toggles wrong")
	}
}

// A failing change right after a quarantine still leaves the record of the
// quarantine behind (status must be able to say what happened).
func TestQuarantineSurvivesAFailingUpdate(t *testing.T) {
	st := mustOpen(t)
	os.WriteFile(st.Path(), []byte("{garbage"), 0o600)
	boom := errors.New("invalid setting")
	if err := st.Update(context.Background(), func(s *State) error { s.Settings.Language = "xx"; return boom }); !errors.Is(err, boom) {
		t.Fatalf("Update = %v", err)
	}
	got := mustView(t, st)
	if len(got.Quarantined) != 1 || got.Settings.Language != "" {
		t.Fatalf("after a failed update on a damaged file: %+v", got)
	}
}
