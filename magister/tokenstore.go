package magister

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/magister-notify/magister-notify/internal/atomicfile"
	"github.com/magister-notify/magister-notify/internal/filelock"
	"github.com/magister-notify/magister-notify/internal/plainfile"
)

// ErrNoToken means the store holds no token for the key.
var ErrNoToken = errors.New("magister: no stored login")

// TokenStore keeps tokens by key (the caller's account key). Load returns an
// error matching ErrNoToken when there is none. Implementations must be safe
// for concurrent use; cross-process consistency of a refresh comes from
// TokenSource's lock, not from the store.
type TokenStore interface {
	Load(ctx context.Context, key string) (*Token, error)
	Save(ctx context.Context, key string, tok *Token) error
	Delete(ctx context.Context, key string) error
}

// MemoryTokenStore keeps tokens in memory, for tests and demos.
type MemoryTokenStore struct {
	mu sync.Mutex
	m  map[string]*Token
}

// NewMemoryTokenStore returns an empty in-memory store.
func NewMemoryTokenStore() *MemoryTokenStore { return &MemoryTokenStore{m: map[string]*Token{}} }

// Load returns a copy of the token for key.
func (s *MemoryTokenStore) Load(_ context.Context, key string) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.m[key]
	if !ok {
		return nil, ErrNoToken
	}
	return t.clone(), nil
}

// Save stores a copy of tok under key.
func (s *MemoryTokenStore) Save(_ context.Context, key string, tok *Token) error {
	if tok == nil {
		return errors.New("magister: save nil token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = tok.clone()
	return nil
}

// Delete removes the token for key; a missing one is not an error.
func (s *MemoryTokenStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// TokenFileName is the file FileTokenStore keeps its tokens in.
const TokenFileName = "tokens.json"

// FileTokenStore keeps tokens in dir/tokens.json, mode 0600, replaced
// atomically (temporary file, fsync, rename) on every change. Changes to the
// file are serialised across processes with dir/tokens.json.lock. It is the
// fallback where no OS keyring works.
type FileTokenStore struct {
	dir string
	mu  sync.Mutex
}

// NewFileTokenStore returns a store in dir (created with mode 0700 on the
// first Save).
func NewFileTokenStore(dir string) *FileTokenStore { return &FileTokenStore{dir: dir} }

// Path is the token file's path.
func (s *FileTokenStore) Path() string { return filepath.Join(s.dir, TokenFileName) }

// maxTokenFile is the largest token file read: a login takes a few
// kilobytes, so a larger file is not one this package wrote.
const maxTokenFile = 1 << 20

type tokenFile struct {
	Version int                    `json:"version"`
	Tokens  map[string]storedToken `json:"tokens"`
}

func (s *FileTokenStore) read() (tokenFile, error) {
	tf := tokenFile{Version: 1, Tokens: map[string]storedToken{}}
	b, err := plainfile.ReadFile(s.Path(), maxTokenFile)
	if errors.Is(err, fs.ErrNotExist) {
		return tf, nil
	}
	if err != nil {
		return tf, fmt.Errorf("magister: read %s: %w", s.Path(), err)
	}
	if err := json.Unmarshal(b, &tf); err != nil {
		// The error text of encoding/json never quotes the input.
		return tokenFile{Version: 1, Tokens: map[string]storedToken{}}, fmt.Errorf("magister: decode %s: %w", s.Path(), err)
	}
	if tf.Tokens == nil {
		tf.Tokens = map[string]storedToken{}
	}
	return tf, nil
}

// Load returns the token for key.
func (s *FileTokenStore) Load(_ context.Context, key string) (*Token, error) {
	tf, err := s.read()
	if err != nil {
		return nil, err
	}
	st, ok := tf.Tokens[key]
	if !ok {
		return nil, ErrNoToken
	}
	return st.token(), nil
}

// Save stores tok under key, keeping the other keys.
func (s *FileTokenStore) Save(ctx context.Context, key string, tok *Token) error {
	if tok == nil {
		return errors.New("magister: save nil token")
	}
	return s.update(ctx, func(tf *tokenFile) { tf.Tokens[key] = toStored(tok) })
}

// Delete removes the token for key, and the file when it becomes empty.
func (s *FileTokenStore) Delete(ctx context.Context, key string) error {
	return s.update(ctx, func(tf *tokenFile) { delete(tf.Tokens, key) })
}

// update is a locked read-modify-write of the token file. An unreadable file
// is replaced: its tokens are lost either way.
func (s *FileTokenStore) update(ctx context.Context, change func(*tokenFile)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("magister: token store: %w", err)
	}
	unlock, err := lockFile(ctx, s.Path()+".lock")
	if err != nil {
		return err
	}
	defer unlock()
	tf, _ := s.read()
	change(&tf)
	if len(tf.Tokens) == 0 {
		if err := os.Remove(s.Path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("magister: token store: %w", err)
		}
		return nil
	}
	b, err := json.MarshalIndent(tf, "", "  ")
	if err != nil {
		return fmt.Errorf("magister: token store: %w", err)
	}
	return writeFileAtomic(s.Path(), b)
}

// writeFileAtomic replaces path with a 0600 file holding data, durably.
// Callers hold the file's lock.
func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("magister: token store: %w", err)
	}
	return nil
}

// lockFile takes an exclusive lock on path, waiting while ctx allows and at
// most two minutes, since no holder keeps it longer than one token request.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	unlock, err = filelock.Lock(ctx, path, 2*time.Minute)
	if err != nil {
		return nil, fmt.Errorf("magister: %w", err)
	}
	return unlock, nil
}

// ForgetTokens removes stored logins wherever they can be: every login in
// the token file in dir, whatever its key (a damaged token file is removed
// whole), and the logins stored under keys in the OS keyring, when it
// answers. It returns the keys of the logins it removed. It is for signing
// everyone out when the state may no longer know every account.
func ForgetTokens(ctx context.Context, dir string, keys []string) ([]string, error) {
	return forgetTokens(ctx, dir, keys, NewKeyringTokenStore(), 5*time.Second)
}

func forgetTokens(ctx context.Context, dir string, keys []string, ks *KeyringTokenStore, probeTimeout time.Duration) ([]string, error) {
	var forgot []string
	fileStore := NewFileTokenStore(dir)
	if _, err := os.Lstat(fileStore.Path()); err == nil {
		err := fileStore.update(ctx, func(tf *tokenFile) {
			for k := range tf.Tokens {
				forgot = append(forgot, k)
			}
			clear(tf.Tokens)
		})
		if err != nil {
			return forgot, err
		}
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := ks.probe(pctx); err != nil {
		return forgot, nil // no keyring here, so no login in it either
	}
	for _, k := range keys {
		if _, err := ks.Load(ctx, k); errors.Is(err, ErrNoToken) {
			continue // (a login that does not decode is removed too)
		}
		if err := ks.Delete(ctx, k); err != nil {
			return forgot, err
		}
		if !slices.Contains(forgot, k) {
			forgot = append(forgot, k)
		}
	}
	slices.Sort(forgot)
	return forgot, nil
}
