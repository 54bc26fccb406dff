package winetest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestScale(t *testing.T) {
	for _, tc := range []struct{ n, div, wine, other int }{
		{16, 4, 4, 16},
		{3, 4, 1, 3},
		{100, 1, 100, 100},
		{100, 0, 100, 100},
	} {
		want := tc.other
		if Running() {
			want = tc.wine
		}
		if got := Scale(tc.n, tc.div); got != want {
			t.Errorf("Scale(%d, %d) = %d; want %d (Running() = %v)", tc.n, tc.div, got, want, Running())
		}
	}
}

// TestRemoveAll is the reason for the package's linkname under Wine: a tree
// of directories and files, one of them read-only, is removed for real.
func TestRemoveAll(t *testing.T) {
	t.Logf("Running() = %v", Running())
	dir := filepath.Join(t.TempDir(), "tree")
	deep := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"f", "g"} {
		if err := os.WriteFile(filepath.Join(deep, name), []byte(name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(deep, "g"), 0o400); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatalf("RemoveAll(%s) = %v; want nil", dir, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("Stat after RemoveAll = %v; want not exist", err)
	}
}
