//go:build !windows

package magister

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestFileTokenStoreModes(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "state")
	s := NewFileTokenStore(dir)
	if err := s.Save(context.Background(), "k", sampleToken(1)); err != nil {
		t.Fatal(err)
	}
	ts := NewTokenSource(demoSchool(t), s, dir, "k")
	if err := ts.Save(context.Background(), sampleToken(2)); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		dir:                              0o700 | os.ModeDir,
		s.Path():                         0o600,
		s.Path() + ".lock":               0o600,
		filepath.Join(dir, LockFileName): 0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode(), want)
		}
	}
}
