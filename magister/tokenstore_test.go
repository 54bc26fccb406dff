package magister

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func sampleToken(n int) *Token {
	return &Token{
		AccessToken:  "access-" + strings.Repeat("a", n),
		RefreshToken: "refresh-" + fmt.Sprint(n),
		IDToken:      "id-" + strings.Repeat("i", n),
		TokenType:    "Bearer",
		Scope:        Scope,
		Expiry:       time.Date(2026, 1, 9, 9, 0, 0, 0, time.UTC),
		// Issued for school "demo" (demoSchool).
		APIOrigin:      "https://demo.magister.net",
		AccountsOrigin: "https://accounts.magister.net",
	}
}

func sameToken(a, b *Token) bool {
	return a.AccessToken == b.AccessToken && a.RefreshToken == b.RefreshToken && a.IDToken == b.IDToken &&
		a.TokenType == b.TokenType && a.Scope == b.Scope && a.Expiry.Equal(b.Expiry) &&
		a.APIOrigin == b.APIOrigin && a.AccountsOrigin == b.AccountsOrigin
}

// testStoreContract runs the TokenStore contract against a store.
func testStoreContract(t *testing.T, s TokenStore) {
	ctx := context.Background()
	if _, err := s.Load(ctx, "a"); !errors.Is(err, ErrNoToken) {
		t.Fatalf("empty store: %v", err)
	}
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatalf("delete of nothing: %v", err)
	}
	a, b := sampleToken(10), sampleToken(3000)
	if err := s.Save(ctx, "a", a); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "b", b); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]*Token{"a": a, "b": b} {
		got, err := s.Load(ctx, key)
		if err != nil || !sameToken(got, want) {
			t.Errorf("Load(%s) = %v, %v", key, got, err)
		}
	}
	// Replace a large token with another large one and with a small one.
	for _, n := range []int{2500, 5} {
		nb := sampleToken(n)
		nb.RefreshToken = "rotated"
		if err := s.Save(ctx, "b", nb); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Load(ctx, "b"); err != nil || !sameToken(got, nb) {
			t.Errorf("after replace: %v, %v", got, err)
		}
	}
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "a"); !errors.Is(err, ErrNoToken) {
		t.Errorf("deleted: %v", err)
	}
	if _, err := s.Load(ctx, "b"); err != nil {
		t.Errorf("other key lost: %v", err)
	}
	if err := s.Save(ctx, "x", nil); err == nil {
		t.Error("nil token saved")
	}
}

func TestMemoryTokenStore(t *testing.T) { testStoreContract(t, NewMemoryTokenStore()) }

func TestFileTokenStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := NewFileTokenStore(dir)
	testStoreContract(t, s)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	ctx := context.Background()
	if err := s.Delete(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty token file kept: %v", err)
	}
	// A corrupt file is an error on Load and replaced on Save.
	if err := os.WriteFile(s.Path(), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "a"); err == nil || errors.Is(err, ErrNoToken) {
		t.Errorf("corrupt file: %v", err)
	}
	if err := s.Save(ctx, "a", sampleToken(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "a"); err != nil {
		t.Errorf("after repair: %v", err)
	}
}

func TestFileTokenStoreConcurrentKeys(t *testing.T) {
	// Many writers of different keys lose nothing: each Save is a locked
	// read-modify-write of the shared file.
	ctx := context.Background()
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			// A separate store value per writer: separate lock handles, as
			// separate processes would have.
			if err := NewFileTokenStore(dir).Save(ctx, fmt.Sprint("k", i), sampleToken(i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	s := NewFileTokenStore(dir)
	for i := range 16 {
		if got, err := s.Load(ctx, fmt.Sprint("k", i)); err != nil || got.RefreshToken != sampleToken(i).RefreshToken {
			t.Errorf("k%d: %v, %v", i, got, err)
		}
	}
}

// memKeyring is a keyring backend that enforces the Windows size limit.
type memKeyring struct {
	mu      sync.Mutex
	m       map[string]string
	failSet error
	hang    chan struct{}
}

func newMemKeyring() *memKeyring { return &memKeyring{m: map[string]string{}} }

func (k *memKeyring) Set(service, user, secret string) error {
	if k.hang != nil {
		<-k.hang
	}
	if k.failSet != nil {
		return k.failSet
	}
	if len(secret) > 2560 {
		return errors.New("data passed to Set was too big")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[service+"/"+user] = secret
	return nil
}

func (k *memKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[service+"/"+user]
	if !ok {
		return "", errKeyringNotFound
	}
	return v, nil
}

func (k *memKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[service+"/"+user]; !ok {
		return errKeyringNotFound
	}
	delete(k.m, service+"/"+user)
	return nil
}

func (k *memKeyring) entries() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for name := range k.m {
		out = append(out, name)
	}
	return out
}

func TestKeyringTokenStore(t *testing.T) {
	kr := newMemKeyring()
	s := &KeyringTokenStore{kr: kr, timeout: 5 * time.Second}
	testStoreContract(t, s)
	// Only "b" is left, small again: no parts may remain.
	if got := kr.entries(); len(got) != 1 || got[0] != KeyringService+"/b" {
		t.Errorf("entries left: %v", got)
	}
	ctx := context.Background()
	big := sampleToken(6000)
	if err := s.Save(ctx, "big", big); err != nil {
		t.Fatal(err)
	}
	if n := len(kr.entries()); n < 5 {
		t.Errorf("a 12 kB token in %d entries", n)
	}
	if err := s.Delete(ctx, "big"); err != nil {
		t.Fatal(err)
	}
	if got := kr.entries(); len(got) != 1 {
		t.Errorf("entries after delete: %v", got)
	}
}

func TestKeyringTornRead(t *testing.T) {
	// A reader that sees a header whose parts are gone (a writer replaced
	// them) reads again rather than failing or mixing versions.
	kr := newMemKeyring()
	s := &KeyringTokenStore{kr: kr, timeout: 5 * time.Second}
	ctx := context.Background()
	if err := s.Save(ctx, "k", sampleToken(3000)); err != nil {
		t.Fatal(err)
	}
	gen, _ := s.header("k")
	if err := kr.Delete(KeyringService, keyringChunkName("k", gen, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "k"); err == nil {
		t.Fatal("loaded a token with a missing part")
	}
	// A part from another version fails the checksum.
	_ = kr.Set(KeyringService, keyringChunkName("k", gen, 1), strings.Repeat("x", keyringChunk))
	if _, err := s.Load(ctx, "k"); err == nil {
		t.Fatal("loaded a mixed token")
	}
}

func TestOpenTokenStore(t *testing.T) {
	ctx := context.Background()
	t.Run("keyring works", func(t *testing.T) {
		kr := newMemKeyring()
		s, fallback, err := openTokenStore(ctx, t.TempDir(), &KeyringTokenStore{kr: kr, timeout: time.Second}, time.Second)
		if err != nil || fallback {
			t.Fatalf("%T, %v, %v", s, fallback, err)
		}
		if _, ok := s.(*KeyringTokenStore); !ok {
			t.Errorf("got %T", s)
		}
		if len(kr.entries()) != 0 {
			t.Errorf("probe left %v", kr.entries())
		}
	})
	t.Run("keyring fails", func(t *testing.T) {
		kr := newMemKeyring()
		kr.failSet = errors.New("no secret service")
		s, fallback, err := openTokenStore(ctx, t.TempDir(), &KeyringTokenStore{kr: kr, timeout: time.Second}, time.Second)
		if _, ok := s.(*FileTokenStore); err != nil || !fallback || !ok {
			t.Errorf("%T, %v, %v", s, fallback, err)
		}
	})
	t.Run("keyring hangs", func(t *testing.T) {
		kr := newMemKeyring()
		kr.hang = make(chan struct{})
		defer close(kr.hang)
		s, fallback, err := openTokenStore(ctx, t.TempDir(), &KeyringTokenStore{kr: kr, timeout: time.Minute}, 50*time.Millisecond)
		if _, ok := s.(*FileTokenStore); err != nil || !fallback || !ok {
			t.Errorf("%T, %v, %v", s, fallback, err)
		}
	})
	t.Run("token file wins", func(t *testing.T) {
		dir := t.TempDir()
		if err := NewFileTokenStore(dir).Save(ctx, "k", sampleToken(1)); err != nil {
			t.Fatal(err)
		}
		s, fallback, err := openTokenStore(ctx, dir, &KeyringTokenStore{kr: newMemKeyring(), timeout: time.Second}, time.Second)
		if _, ok := s.(*FileTokenStore); err != nil || !fallback || !ok {
			t.Fatalf("%T, %v, %v", s, fallback, err)
		}
		if _, err := s.Load(ctx, "k"); err != nil {
			t.Error(err)
		}
	})
	if _, _, err := OpenTokenStore(""); err == nil {
		t.Error("no directory accepted")
	}
}

// TestForgetTokens: every login in the token file goes, whatever its key,
// and the keyring's logins under the keys given (also split ones).
func TestForgetTokens(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := NewFileTokenStore(dir)
	for _, k := range []string{"demo/1", "demo/9"} {
		if err := file.Save(ctx, k, sampleToken(1)); err != nil {
			t.Fatal(err)
		}
	}
	kr := newMemKeyring()
	ks := &KeyringTokenStore{kr: kr, timeout: time.Second}
	ks.Save(ctx, "demo/2", sampleToken(6000)) // in parts
	ks.Save(ctx, "demo/3", sampleToken(1))    // named by nobody

	forgot, err := forgetTokens(ctx, dir, []string{"demo/1", "demo/2", "demo/4"}, ks, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"demo/1", "demo/2", "demo/9"}; !slices.Equal(forgot, want) {
		t.Errorf("forgot %v, want %v", forgot, want)
	}
	if _, err := os.Lstat(file.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("token file left: %v", err)
	}
	if got := kr.entries(); len(got) != 1 || got[0] != KeyringService+"/demo/3" {
		t.Errorf("keyring entries left: %v", got)
	}
}
