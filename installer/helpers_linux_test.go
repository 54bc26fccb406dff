package installer

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// awkwardName is a directory name with everything a unit, a desktop entry
// or a shell could misread: spaces, both quotes, $, %, a backslash and a
// desktop field code.
const awkwardName = `it's a "dir" with $HOME, 100% %u \ and spaces`

// awkwardExeDir is as awkward as a program's directory may be (checkExe).
const awkwardExeDir = `dir with $HOME; (and) spaces`

// recorder writes an executable script into a directory named awkwardExeDir
// and returns its path and a function that waits for its first run and
// returns the argv it was run with (its own path first).
func recorder(t *testing.T) (exe string, argv func() []string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), awkwardExeDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "argv")
	exe = filepath.Join(dir, "magister-notify")
	script := "#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" > '" + out + ".tmp' && mv '" + out + ".tmp' '" + out + "'\n"
	if err := os.WriteFile(exe, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return exe, func() []string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			data, err := os.ReadFile(out)
			if err == nil {
				return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not run within 10 s", exe)
			}
			time.Sleep(10 * time.Millisecond) // polls another process's output
		}
	}
}

// mustRun runs a program that the test relies on; it fails the test when
// the program is missing, so that a machine without it cannot pass.
func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed (apt-get install the package that provides it): %v", name, err)
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// validateDesktop runs desktop-file-validate, which prints nothing for a
// flawless entry.
func validateDesktop(t *testing.T, path string) {
	t.Helper()
	if out := mustRun(t, "desktop-file-validate", path); strings.TrimSpace(out) != "" {
		t.Fatalf("desktop-file-validate %s:\n%s", path, out)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func hasLine(text, line string) bool {
	return slices.Contains(strings.Split(text, "\n"), line)
}

func mustNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("%s still exists (err %v)", path, err)
	}
}
