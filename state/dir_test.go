package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/internal/plainfile"
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
			plantLink(t, victim, filepath.Join(dir, name))
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
