package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/magister-notify/magister-notify/internal/atomicfile"
	"github.com/magister-notify/magister-notify/internal/plainfile"
)

// File names inside the state directory.
const (
	FileName     = "state.json"
	LockName     = "state.lock"
	TrayLockName = "tray.lock"
	TokensName   = "tokens.json"
	LogName      = "magister-notify.log"
)

// quarantineLimit is how many quarantine records a state keeps.
const quarantineLimit = 10

// DefaultLockTimeout bounds a lock wait when the context has no deadline.
const DefaultLockTimeout = 30 * time.Second

// Store is a state directory. It is safe for use by several goroutines and
// several processes at once: every change is one Update transaction.
type Store struct {
	dir         string
	owner       string
	now         func() time.Time
	lockTimeout time.Duration
	// private is set once this Store made the directory private (see
	// tighten): the first Update does it, never a View.
	private atomic.Bool
	// decodes and writes count file reads and writes (see IOCounts).
	decodes, writes atomic.Int64
	// last is the state this Store last decoded and the exact bytes it
	// came from (see read).
	last atomic.Pointer[decoded]
	// entries keeps the JSON of the history entries last saved (see
	// encode.go).
	entries entryCache
}

// decoded is a state file's contents and what they decode to. Neither is
// ever changed: readers get clones.
type decoded struct {
	data []byte
	st   *State
	// hist is the history member within data, when a later file that
	// holds the same bytes may take its history from st (see splice.go).
	hist []byte
}

// IOCounts reports how many times this Store has decoded the state file
// and written it, so that tests and benchmarks can hold a check to its
// budget of file work. A read that finds the bytes this Store decoded last
// is no decode (see read).
func (s *Store) IOCounts() (decodes, writes int64) { return s.decodes.Load(), s.writes.Load() }

// An Option configures a Store.
type Option func(*Store)

// WithOwner sets how this process describes itself to others waiting for the
// lock, e.g. "magister-notify tray".
func WithOwner(owner string) Option { return func(s *Store) { s.owner = owner } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithLockTimeout sets how long a lock wait may take when the context has no
// deadline of its own.
func WithLockTimeout(d time.Duration) Option { return func(s *Store) { s.lockTimeout = d } }

// DefaultDir is the state directory used when none is given:
// os.UserConfigDir()/magister-notify.
func DefaultDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("state: find the configuration directory: %w", err)
	}
	return filepath.Join(base, "magister-notify"), nil
}

// Open opens the state directory dir, creating it (mode 0700) when needed.
// It does not read the state, and it changes nothing in a directory that
// exists: the first Update makes the directory and its files private (no
// group or other permission bits; the owner's bits stay as they are), so a
// command that only reads never changes a mode.
//
// Open refuses, with an error matching ErrUnsafeDir, a directory that is
// not safe to keep secrets in or not magister-notify's to make private: one
// of another user, one other users can write in (world-writable, sticky),
// one open to others that also holds files that are not magister-notify's,
// and one in which a file of magister-notify's is a symbolic link.
func Open(dir string, opts ...Option) (*Store, error) {
	if dir == "" {
		return nil, errors.New("state: no state directory given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	s := &Store{
		dir:         abs,
		owner:       filepath.Base(os.Args[0]),
		now:         time.Now,
		lockTimeout: DefaultLockTimeout,
	}
	for _, o := range opts {
		o(s)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("state: create %s: %w", abs, err)
	}
	if err := checkDir(abs); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir is the state directory.
func (s *Store) Dir() string { return s.dir }

// Path is the state file.
func (s *Store) Path() string { return filepath.Join(s.dir, FileName) }

func (s *Store) lockPath() string { return filepath.Join(s.dir, LockName) }

// View calls fn with a fresh copy of the state, read under the shared lock.
// The lock is released before fn runs; changes fn makes are not saved.
// A damaged state file is quarantined first (see Update); View changes no
// permissions.
func (s *Store) View(ctx context.Context, fn func(State) error) error {
	st, err := s.readShared(ctx)
	var corrupt *CorruptError
	if errors.As(err, &corrupt) {
		// Quarantining needs the exclusive lock.
		if err := s.update(ctx, func(*State) error { return nil }, false); err != nil {
			return err
		}
		st, err = s.readShared(ctx)
	}
	if err != nil {
		return err
	}
	return fn(*st)
}

// Load returns a fresh copy of the state, read like View reads it: for
// callers that only copy something out.
func (s *Store) Load(ctx context.Context) (State, error) {
	var st State
	err := s.View(ctx, func(v State) error { st = v; return nil })
	return st, err
}

func (s *Store) readShared(ctx context.Context) (*State, error) {
	ctx, cancel := s.lockContext(ctx)
	defer cancel()
	unlock, err := lockFile(ctx, s.lockPath(), false, s.owner)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return s.read()
}

// Update is the only way to change the state. Under the exclusive lock it
// reads the state fresh, calls fn, and, if fn returns nil, writes the result
// durably and atomically (temp file, fsync, rename, directory fsync) before
// releasing the lock. If fn returns an error nothing is written and the
// error is returned. fn must not keep the *State after it returns, and must
// not do slow work: other processes wait while it runs.
//
// A state file that cannot be decoded is moved to state.json.corrupt-<time>.
// What of it still decodes is kept (accounts and settings survive a damaged
// seen set, outbox or history): fn gets that, or a fresh state, with a
// Quarantine record saying what was reset. A file from a newer schema is
// never touched: Update returns an error wrapping ErrNewerVersion. Neither
// is a file larger than MaxFileSize (ErrTooLarge).
//
// The first Update of a Store makes the directory and magister-notify's
// files in it private (see Open).
func (s *Store) Update(ctx context.Context, fn func(*State) error) error {
	return s.update(ctx, fn, true)
}

func (s *Store) update(ctx context.Context, fn func(*State) error, tighten bool) error {
	ctx, cancel := s.lockContext(ctx)
	defer cancel()
	unlock, err := lockFile(ctx, s.lockPath(), true, s.owner)
	if err != nil {
		return err
	}
	defer unlock()
	if tighten && !s.private.Load() {
		if err := s.tighten(); err != nil {
			return err
		}
	}

	st, err := s.read()
	var corrupt *CorruptError
	// quarantined is the state a quarantine left, saved even if fn fails so
	// that nothing is silently reset.
	var quarantined []byte
	if errors.As(err, &corrupt) {
		if st, err = s.quarantine(corrupt); err == nil {
			quarantined, err = encode(st)
		}
	}
	if err != nil {
		return err
	}
	if err := fn(st); err != nil {
		if quarantined != nil {
			s.write(quarantined)
		}
		return err
	}
	st.Quarantined = lastN(st.Quarantined, quarantineLimit)
	st.normalize()
	data, err := s.entries.encode(st)
	if err != nil {
		return err
	}
	return s.write(data)
}

func (s *Store) tighten() error {
	if err := tighten(s.dir); err != nil {
		return err
	}
	s.private.Store(true)
	return nil
}

func (s *Store) lockContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || s.lockTimeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, s.lockTimeout)
}

// MaxFileSize is the largest state file Update and View read. A state this
// app writes stays far below it (see TestMaxFileSizeHasMargin); a larger
// file was written by something else, and reading it whole could exhaust
// the memory of a small machine.
const MaxFileSize = 64 << 20

// ErrTooLarge is matched by the error about a state file larger than
// MaxFileSize. Such a file is left as it is, not quarantined.
var ErrTooLarge = plainfile.ErrTooLarge

// read decodes the state file; a missing file is a fresh state.
//
// The file is always read whole, under the caller's lock. When its bytes
// are exactly the ones this Store decoded last, the state is a clone of
// what they decoded to rather than a second decode of the same bytes: a
// check reads the state twice (its View, then its Update), and decoding
// a file with a full history costs milliseconds each time. Decoding is a
// function of the bytes alone, so the clone is what decoding would give.
// And when only the history is the same, only the rest is decoded (see
// splice.go).
func (s *Store) read() (*State, error) {
	data, err := plainfile.ReadFile(s.Path(), MaxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), nil
	}
	if errors.Is(err, ErrTooLarge) {
		return nil, fmt.Errorf("state: %w (it was left as it is)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("state: read %s: %w", s.Path(), err)
	}
	last := s.last.Load()
	if last != nil && bytes.Equal(last.data, data) {
		return last.st.clone(), nil
	}
	s.decodes.Add(1)
	if last != nil {
		if st, ok := last.reuseHistory(data); ok {
			s.last.Store(&decoded{data: data, st: st.clone(), hist: last.hist})
			return st, nil
		}
	}
	st, hist, err := decodeMember(data)
	if err != nil {
		return nil, fmt.Errorf("state: %s: %w", s.Path(), err)
	}
	s.last.Store(&decoded{data: data, st: st.clone(), hist: hist})
	return st, nil
}

// quarantine moves a damaged state file aside and continues with what could
// be salvaged from it, or a fresh state, remembering what happened. Seen
// sets that were damaged start afresh, so the next check takes a silent
// baseline for them instead of announcing everything again.
func (s *Store) quarantine(why *CorruptError) (*State, error) {
	at := s.now().UTC()
	base := s.Path() + ".corrupt-" + at.Format("20060102T150405Z")
	dst := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = fmt.Sprintf("%s-%d", base, i)
	}
	if err := atomicfile.Rename(s.Path(), dst); err != nil {
		return nil, fmt.Errorf("state: move damaged %s aside: %w", s.Path(), err)
	}
	st := why.Salvaged
	if st == nil {
		st = newState()
	}
	st.Quarantined = append(st.Quarantined, Quarantine{File: filepath.Base(dst), At: at, Reason: why.Reason,
		Salvaged: why.Salvaged != nil, Reset: why.Reset})
	return st, nil
}

// write replaces the state file with data durably.
func (s *Store) write(data []byte) error {
	s.writes.Add(1)
	if err := atomicfile.WriteFile(s.Path(), data, 0o600); err != nil {
		return fmt.Errorf("state: save %s: %w%s (the previous state is kept)", s.Path(), err, diskHint(err))
	}
	return nil
}

// diskHint adds what the user can do about a failed write.
func diskHint(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return ": the disk is full, free some space"
	case errors.Is(err, syscall.EFBIG):
		return ": the file size limit was reached"
	case errors.Is(err, fs.ErrPermission):
		return ": check the permissions of the state directory"
	}
	return ""
}

// QuarantinedFiles lists the damaged state files that were moved aside, oldest first.
func (s *Store) QuarantinedFiles() ([]string, error) {
	m, err := filepath.Glob(filepath.Join(s.dir, FileName+".corrupt-*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(m)
	return m, nil
}

func lastN[T any](s []T, n int) []T {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// QuarantinedAccounts returns the accounts that the damaged state files
// moved aside still name, as far as they can be read: their stored logins
// can then still be found and removed.
func (s *Store) QuarantinedAccounts() ([]Account, error) {
	files, err := s.QuarantinedFiles()
	if err != nil {
		return nil, err
	}
	var out []Account
	for _, f := range files {
		data, err := plainfile.ReadFile(f, MaxFileSize)
		if err != nil {
			continue
		}
		st, err := decode(data)
		var corrupt *CorruptError
		if errors.As(err, &corrupt) {
			st = corrupt.Salvaged
		}
		if st != nil {
			out = append(out, st.Accounts...)
		}
	}
	return out, nil
}
