package tray

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/state"
)

// changes counts calls of changed on a channel.
func changes() (func(), <-chan struct{}) {
	ch := make(chan struct{}, 100)
	return func() { ch <- struct{}{} }, ch
}

func waitChange(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("no change noticed after %s", what)
	}
}

func update(t *testing.T, st *state.Store, f func(*state.State)) {
	t.Helper()
	if err := st.Update(context.Background(), func(s *state.State) error { f(s); return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestWatchStateSeesCommits: every commit renames a new file over
// state.json; watching the directory notices each one. The callback reads
// the state, as the tray's refresh does, so the test waits for each commit's
// value rather than for any signal.
func TestWatchStateSeesCommits(t *testing.T) {
	dir := t.TempDir()
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := make(chan string, 100)
	changed := func() {
		st.View(ctx, func(s state.State) error { seen <- s.Settings.Language; return nil })
	}
	done := make(chan struct{})
	go func() { watchState(ctx, dir, changed, slog.New(slog.DiscardHandler)); close(done) }()
	// The watch is set up asynchronously: commit until the first is seen.
	// Committing every 100 ms, more often than the watcher settles, also
	// shows that a steady stream of changes cannot starve the refresh.
	deadline := time.After(10 * time.Second)
	for first := true; first; {
		update(t, st, func(s *state.State) { s.Settings.Language = "en" })
		select {
		case <-seen:
			first = false
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("the first commit was not noticed")
		}
	}
	// Then every commit, each replacing the file.
	for _, lang := range []string{"nl", "de", "en"} {
		update(t, st, func(s *state.State) { s.Settings.Language = lang })
		for got := ""; got != lang; {
			select {
			case got = <-seen:
			case <-time.After(10 * time.Second):
				t.Fatalf("the commit of %q was not noticed", lang)
			}
		}
	}
	cancel()
	<-done
}

func TestPollStateSeesCommits(t *testing.T) {
	dir := t.TempDir()
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changed, ch := changes()
	// Stat before the goroutine starts: a late-scheduled poller must not
	// take the first commit as its starting point.
	last, _ := os.Stat(st.Path())
	go pollFrom(ctx, st.Path(), last, changed, 5*time.Millisecond)
	update(t, st, func(s *state.State) { s.Settings.Language = "en" })
	waitChange(t, ch, "the first commit")
	update(t, st, func(s *state.State) { s.Settings.Language = "nl" })
	waitChange(t, ch, "a second commit")
	os.Remove(st.Path())
	waitChange(t, ch, "a removal")
}

func TestLogRotatesAtItsCap(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenLog(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	first := strings.Repeat("a", 59) + "\n"
	second := strings.Repeat("b", 59) + "\n"
	for _, line := range []string{first, second} {
		if _, err := l.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	cur, _ := os.ReadFile(filepath.Join(dir, state.LogName))
	old, _ := os.ReadFile(filepath.Join(dir, state.LogName+".1"))
	if string(cur) != second || string(old) != first {
		t.Fatalf("after rotation: current %q, .1 %q", cur, old)
	}
	if fi, err := os.Stat(l.Path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("log mode: %v %v", fi.Mode(), err)
	}
	// Reopening appends, and rotates an oversized file at the next write.
	l, err = OpenLog(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Write([]byte(first))
	l.Write([]byte(second))
	cur, _ = os.ReadFile(l.Path())
	if string(cur) != second {
		t.Errorf("current log %q", cur)
	}
	if _, err := l.Write(nil); err != nil {
		t.Error(err)
	}
	l.Close()
	if _, err := l.Write([]byte("x")); err == nil {
		t.Error("write after Close succeeded")
	}
}
