//go:build !windows && !darwin

package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOpenBrowserReportsNoBrowser: xdg-open exits 3 at once when it finds
// no browser; openBrowser says so (the tray then shows the address), and
// stays quiet when xdg-open succeeds.
func TestOpenBrowserReportsNoBrowser(t *testing.T) {
	for _, c := range []struct {
		name, script string
		fails        bool
	}{
		{"no browser", "#!/bin/sh\necho 'xdg-open: no method available for opening' >&2\nexit 3\n", true},
		{"opened", "#!/bin/sh\nexit 0\n", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(c.script), 0o700); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", dir)
			err := openBrowser("https://accounts.magister.net/connect/authorize?x=1")
			if (err != nil) != c.fails {
				t.Errorf("openBrowser = %v; want an error: %v", err, c.fails)
			}
		})
	}
}
