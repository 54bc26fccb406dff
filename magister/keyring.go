package magister

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name tokens are stored under in the OS
// keyring.
const KeyringService = "magister-notify"

// keyringBackend is the part of go-keyring the store uses, replaceable in
// tests.
type keyringBackend interface {
	Set(service, user, secret string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// errKeyringNotFound is go-keyring's "not found".
var errKeyringNotFound = keyring.ErrNotFound

type osKeyring struct{}

func (osKeyring) Set(s, u, p string) error           { return keyring.Set(s, u, p) }
func (osKeyring) Get(s, u string) (string, error)    { return keyring.Get(s, u) }
func (osKeyring) Delete(s, u string) error           { return keyring.Delete(s, u) }
func isKeyringNotFound(err error) bool               { return errors.Is(err, keyring.ErrNotFound) }
func keyringChunkName(key, gen string, i int) string { return key + "#" + gen + "." + strconv.Itoa(i) }

// keyringChunk keeps every keyring entry below the Windows credential limit
// (2560 bytes); a token with two JWTs is often larger, so it is split.
const keyringChunk = 2000

// KeyringTokenStore keeps tokens in the OS keyring (Secret Service on Linux,
// Keychain on macOS, Credential Manager on Windows) under the service
// "magister-notify", one entry per key. A token too large for one entry is
// written as numbered parts first and then a header naming them, so a reader
// never mixes two versions.
type KeyringTokenStore struct {
	kr      keyringBackend
	timeout time.Duration
}

// NewKeyringTokenStore returns a store in the OS keyring.
func NewKeyringTokenStore() *KeyringTokenStore {
	return &KeyringTokenStore{kr: osKeyring{}, timeout: 10 * time.Second}
}

// call runs a keyring operation, which cannot be cancelled, in a goroutine
// so a hung keyring daemon cannot hang the caller beyond ctx and the store's
// timeout.
func (s *KeyringTokenStore) call(ctx context.Context, fn func() error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("magister: keyring: %w", ctx.Err())
	}
}

const chunkHeader = "magister-notify-chunks:"

// Load returns the token for key.
func (s *KeyringTokenStore) Load(ctx context.Context, key string) (*Token, error) {
	var tok *Token
	err := s.call(ctx, func() error {
		var err error
		// A writer may replace the parts between our reads; read again.
		for range 3 {
			if tok, err = s.load(key); !errors.Is(err, errTornRead) {
				return err
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return tok, nil
}

var errTornRead = errors.New("keyring entry changed while reading")

func (s *KeyringTokenStore) load(key string) (*Token, error) {
	v, err := s.kr.Get(KeyringService, key)
	if isKeyringNotFound(err) {
		return nil, ErrNoToken
	}
	if err != nil {
		return nil, fmt.Errorf("magister: keyring: %w", err)
	}
	if rest, ok := strings.CutPrefix(v, chunkHeader); ok {
		v, err = s.readChunks(key, rest)
		if err != nil {
			return nil, err
		}
	}
	var st storedToken
	if err := json.Unmarshal([]byte(v), &st); err != nil {
		return nil, fmt.Errorf("magister: keyring: decode token: %w", err)
	}
	return st.token(), nil
}

// readChunks reads the parts named by a header "<gen>:<n>", where gen is
// the hex SHA-256 prefix of the whole value.
func (s *KeyringTokenStore) readChunks(key, header string) (string, error) {
	gen, nStr, ok := strings.Cut(header, ":")
	n, err := strconv.Atoi(nStr)
	if !ok || err != nil || n < 1 || n > 64 {
		return "", errors.New("magister: keyring: bad token header")
	}
	var b strings.Builder
	for i := range n {
		part, err := s.kr.Get(KeyringService, keyringChunkName(key, gen, i))
		if isKeyringNotFound(err) {
			return "", errTornRead
		}
		if err != nil {
			return "", fmt.Errorf("magister: keyring: %w", err)
		}
		b.WriteString(part)
	}
	if generation(b.String()) != gen {
		return "", errTornRead
	}
	return b.String(), nil
}

func generation(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:6])
}

// Save stores tok under key.
func (s *KeyringTokenStore) Save(ctx context.Context, key string, tok *Token) error {
	if tok == nil {
		return errors.New("magister: save nil token")
	}
	b, err := json.Marshal(toStored(tok))
	if err != nil {
		return fmt.Errorf("magister: keyring: %w", err)
	}
	v := string(b)
	return s.call(ctx, func() error {
		oldGen, oldN := s.header(key)
		if len(v) <= keyringChunk {
			if err := s.kr.Set(KeyringService, key, v); err != nil {
				return fmt.Errorf("magister: keyring: %w", err)
			}
		} else {
			gen := generation(v)
			n := (len(v) + keyringChunk - 1) / keyringChunk
			for i := range n {
				part := v[i*keyringChunk : min((i+1)*keyringChunk, len(v))]
				if err := s.kr.Set(KeyringService, keyringChunkName(key, gen, i), part); err != nil {
					return fmt.Errorf("magister: keyring: %w", err)
				}
			}
			if err := s.kr.Set(KeyringService, key, chunkHeader+gen+":"+strconv.Itoa(n)); err != nil {
				return fmt.Errorf("magister: keyring: %w", err)
			}
			if oldGen == gen {
				return nil
			}
		}
		s.deleteChunks(key, oldGen, oldN)
		return nil
	})
}

// header reads the current parts header of key, if any.
func (s *KeyringTokenStore) header(key string) (gen string, n int) {
	v, err := s.kr.Get(KeyringService, key)
	if err != nil {
		return "", 0
	}
	rest, ok := strings.CutPrefix(v, chunkHeader)
	if !ok {
		return "", 0
	}
	gen, nStr, _ := strings.Cut(rest, ":")
	n, _ = strconv.Atoi(nStr)
	return gen, min(max(n, 0), 64)
}

func (s *KeyringTokenStore) deleteChunks(key, gen string, n int) {
	for i := range n {
		_ = s.kr.Delete(KeyringService, keyringChunkName(key, gen, i))
	}
}

// Delete removes the token for key; a missing one is not an error.
func (s *KeyringTokenStore) Delete(ctx context.Context, key string) error {
	return s.call(ctx, func() error {
		gen, n := s.header(key)
		if err := s.kr.Delete(KeyringService, key); err != nil && !isKeyringNotFound(err) {
			return fmt.Errorf("magister: keyring: %w", err)
		}
		s.deleteChunks(key, gen, n)
		return nil
	})
}

// probe checks that the keyring can store, return and delete a value.
func (s *KeyringTokenStore) probe(ctx context.Context) error {
	user := "probe-" + randomHex(6)
	return s.call(ctx, func() error {
		if err := s.kr.Set(KeyringService, user, "ok"); err != nil {
			return err
		}
		v, err := s.kr.Get(KeyringService, user)
		derr := s.kr.Delete(KeyringService, user)
		switch {
		case err != nil:
			return err
		case v != "ok":
			return errors.New("keyring returned another value")
		}
		return derr
	})
}

// OpenTokenStore picks where tokens live. Once dir/tokens.json exists the
// file store is used, so every process agrees on one place. Otherwise the OS
// keyring is probed (store, read, delete a dummy entry, at most a few
// seconds); if it does not work, the 0600 file in dir is used and
// usedFallback is true, which the caller should tell the user once.
func OpenTokenStore(dir string) (store TokenStore, usedFallback bool, err error) {
	return openTokenStore(context.Background(), dir, NewKeyringTokenStore(), 5*time.Second)
}

func openTokenStore(ctx context.Context, dir string, ks *KeyringTokenStore, probeTimeout time.Duration) (TokenStore, bool, error) {
	if dir == "" {
		return nil, false, errors.New("magister: token store: no directory")
	}
	fileStore := NewFileTokenStore(dir)
	// Lstat: a link there is still "the file", which then refuses to be read
	// through it, rather than a reason to move the tokens to the keyring.
	if _, err := os.Lstat(filepath.Join(dir, TokenFileName)); err == nil {
		return fileStore, true, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("magister: token store: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := ks.probe(ctx); err != nil {
		return fileStore, true, nil
	}
	return ks, false, nil
}
