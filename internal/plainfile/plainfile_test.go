package plainfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/internal/testenv"
)

func TestOpenRefusesLinks(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("victim"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "state.lock")
	testenv.Symlink(t, victim, link)
	dangling := filepath.Join(dir, "tokens.json")
	testenv.Symlink(t, filepath.Join(dir, "nowhere"), dangling)

	for name, open := range map[string]func() (*os.File, error){
		"read":            func() (*os.File, error) { return Open(link, os.O_RDONLY, 0) },
		"write":           func() (*os.File, error) { return Open(link, os.O_WRONLY, 0) },
		"append, create":  func() (*os.File, error) { return Open(link, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600) },
		"dangling create": func() (*os.File, error) { return Open(dangling, os.O_WRONLY|os.O_CREATE, 0o600) },
	} {
		f, err := open()
		if err == nil {
			f.Close()
			t.Errorf("%s: opened a symbolic link", name)
			continue
		}
		if !errors.Is(err, ErrNotPlain) || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("%s: error %v, want one about a symbolic link", name, err)
		}
	}
	if got, _ := os.ReadFile(victim); string(got) != "victim" {
		t.Errorf("the link's target changed: %q", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a dangling link's target was created (%v)", err)
	}
	if _, err := ReadFile(link, 100); !errors.Is(err, ErrNotPlain) {
		t.Errorf("ReadFile through a link: %v", err)
	}
}

func TestOpenRefusesDirectories(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir, os.O_RDONLY, 0); !errors.Is(err, ErrNotPlain) || !strings.Contains(err.Error(), "a directory") {
		t.Fatalf("Open(directory) = %v", err)
	}
	if err := Check(filepath.Join(dir, "missing")); err != nil {
		t.Fatalf("Check(missing) = %v", err)
	}
}

func TestReadFileLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(path, 10); err != nil || string(got) != "0123456789" {
		t.Fatalf("ReadFile at the limit = %q, %v", got, err)
	}
	_, err := ReadFile(path, 9)
	var tl *TooLargeError
	if !errors.As(err, &tl) || !errors.Is(err, ErrTooLarge) || tl.Size != 10 || tl.Limit != 9 {
		t.Fatalf("ReadFile over the limit = %v", err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{64 << 20: "64 MiB", 100_000_000: "100 MB", 1 << 10: "1 KiB", 512: "512 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
