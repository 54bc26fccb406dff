package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/internal/plainfile"
	"github.com/magister-notify/magister-notify/internal/testenv"
)

// TestLinksInTheStateDirAreRefused: Open refuses a state directory where
// one of the app's files is a symbolic link, naming the file; nothing is
// written or chmodded through the link.
func TestLinksInTheStateDirAreRefused(t *testing.T) {
	for _, name := range []string{FileName, LockName, TrayLockName, TokensName, LogName, "pending-login.json"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			victim := filepath.Join(t.TempDir(), "victim")
			if err := os.WriteFile(victim, []byte("victim"), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chmod(victim, 0o644)
			testenv.Symlink(t, victim, filepath.Join(dir, name))
			_, err := Open(dir)
			var unsafe *UnsafeDirError
			if !errors.As(err, &unsafe) || unsafe.Problem != NotPlainFile || !errors.Is(err, plainfile.ErrNotPlain) ||
				!strings.Contains(err.Error(), filepath.Join(dir, name)+" is a symbolic link to "+victim) {
				t.Fatalf("Open = %v, want a refusal naming %s", err, name)
			}
			fi, _ := os.Stat(victim)
			if got, _ := os.ReadFile(victim); string(got) != "victim" || fi.Mode().Perm() != 0o644 {
				t.Fatalf("the link's target changed: %q, mode %v", got, fi.Mode().Perm())
			}
		})
	}
}

// TestOversizedStateIsLeftAlone: a state file over MaxFileSize is refused
// with a clear error before it is read, and neither quarantined nor changed.
func TestOversizedStateIsLeftAlone(t *testing.T) {
	st := mustOpen(t)
	f, err := os.Create(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"version":1}`)
	if err := f.Truncate(MaxFileSize + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	for name, op := range map[string]func() error{
		"View":   func() error { return st.View(context.Background(), func(State) error { return nil }) },
		"Update": func() error { return st.Update(context.Background(), func(*State) error { return nil }) },
	} {
		err := op()
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), st.Path()+" is 67 MB, more than the 64 MiB") ||
			!strings.Contains(err.Error(), "left as it is") {
			t.Errorf("%s = %v, want a refusal naming the size", name, err)
		}
	}
	if files, _ := st.QuarantinedFiles(); len(files) != 0 {
		t.Errorf("an oversized file was quarantined: %v", files)
	}
	if fi, err := os.Stat(st.Path()); err != nil || fi.Size() != MaxFileSize+1 {
		t.Errorf("state file changed: %v, %v", fi, err)
	}
}
