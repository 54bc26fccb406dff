package tray

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/magister-notify/magister-notify/state"
)

// Watching the state directory.
const (
	// settle is how long the watcher waits after a change for more changes,
	// so that one transaction (or a burst of them) is one refresh.
	settle = 150 * time.Millisecond
	// maxSettle bounds the wait when changes keep coming, so that a busy
	// state still shows in the menu within a second.
	maxSettle = time.Second
	// pollEvery is the fallback when the operating system cannot notify us.
	pollEvery = 2 * time.Second
)

// watchState calls changed, from its own goroutine, shortly after
// state.json in dir is replaced or removed (or a pending login comes or
// goes), until ctx ends. It watches the
// directory, not the file: every commit renames a new file over the old one.
// Without file-system notifications it polls every two seconds.
func watchState(ctx context.Context, dir string, changed func(), log *slog.Logger) {
	w, err := fsnotify.NewWatcher()
	if err == nil {
		if err = w.Add(dir); err != nil {
			w.Close()
		}
	}
	if err != nil {
		log.Warn("cannot watch the state directory; polling it instead", "err", err)
		pollState(ctx, dir, changed, pollEvery)
		return
	}
	defer w.Close()
	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	var pending time.Time // when the first change of the burst came
	wait := func() {
		if pending.IsZero() {
			pending = time.Now()
		}
		if time.Since(pending) < maxSettle {
			debounce.Reset(settle)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			name := filepath.Base(ev.Name)
			if (name == state.FileName || name == pendingLoginFile) &&
				ev.Op&(fsnotify.Create|fsnotify.Write|fsnotify.Rename|fsnotify.Remove) != 0 {
				wait()
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			// An overflow loses events, not the watch: refresh to be sure.
			log.Warn("watching the state directory", "err", err)
			wait()
		case <-debounce.C:
			pending = time.Time{}
			changed()
		}
	}
}

// pollState is watchState's fallback: it compares the file's identity,
// size and time every interval.
func pollState(ctx context.Context, dir string, changed func(), every time.Duration) {
	path := filepath.Join(dir, state.FileName)
	last, _ := os.Stat(path)
	pollFrom(ctx, path, last, changed, every)
}

// pollFrom polls path, comparing against last, the file as it was known.
func pollFrom(ctx context.Context, path string, last os.FileInfo, changed func(), every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		cur, _ := os.Stat(path)
		if !sameFile(last, cur) {
			changed()
		}
		last = cur
	}
}

func sameFile(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
