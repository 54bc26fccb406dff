package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/magister-notify/magister-notify/internal/testenv"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	for _, content := range []string{"one", "two, longer than one"} {
		if err := WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("read %q, %v; want %q", got, err, content)
		}
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestWriteFileFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A directory in the way makes the rename fail.
	blocked := filepath.Join(dir, "sub")
	os.Mkdir(blocked, 0o700)
	os.WriteFile(filepath.Join(blocked, "x"), nil, 0o600)
	if err := WriteFile(blocked, []byte("new"), 0o600); err == nil {
		t.Fatal("rename over a non-empty directory succeeded")
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("old file changed: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary file left behind: %v", entries)
	}
}

// TestWriteFileNeverFollowsALink: links planted where the temporary file of
// earlier versions went (path+".tmp") or at path itself are never written
// through: the new file replaces the link at path, and the targets stay.
func TestWriteFileNeverFollowsALink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.json")
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("victim"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{path + ".tmp", path} {
		testenv.Symlink(t, victim, link)
	}
	if err := WriteFile(path, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "victim" {
		t.Fatalf("the link's target was written: %q", got)
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("%s is not a plain file after WriteFile: %v, %v", path, fi, err)
	}
	if got, _ := os.ReadFile(path); string(got) != "secret" {
		t.Fatalf("read %q", got)
	}
}

// TestLeftoversAreRemoved: a writer killed between creating its temporary
// file and renaming it leaves the file; the next write removes it.
func TestLeftoversAreRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	for _, name := range []string{"state.json.tmp", "state.json.123456.tmp", "other.json.1.tmp"} {
		os.WriteFile(filepath.Join(dir, name), []byte("half"), 0o600)
	}
	if err := WriteFile(path, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != "other.json.1.tmp" || names[1] != "state.json" {
		t.Fatalf("files after a write: %v, want other.json.1.tmp and state.json", names)
	}
}
