package installer

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/magister-notify/magister-notify/internal/atomicfile"
)

// xdgDir returns the directory that the XDG base-directory variable names,
// or $HOME/fallback when it is unset or relative (which the spec says to
// ignore).
func xdgDir(variable, fallback string) (string, error) {
	if d := os.Getenv(variable); filepath.IsAbs(d) {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("installer: %w", err)
	}
	return filepath.Join(home, fallback), nil
}

func configHome() (string, error) { return xdgDir("XDG_CONFIG_HOME", ".config") }
func dataHome() (string, error)   { return xdgDir("XDG_DATA_HOME", filepath.Join(".local", "share")) }

// xdgDirs returns the absolute entries of a colon-separated XDG variable,
// or def when there are none.
func xdgDirs(variable, def string) []string {
	var dirs []string
	for d := range strings.SplitSeq(os.Getenv(variable), ":") {
		if filepath.IsAbs(d) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		return strings.Split(def, ":")
	}
	return dirs
}

// desktopExec builds the value of a desktop entry's Exec key from a command
// line: each argument quoted as the Desktop Entry Specification ("The Exec
// key") requires, a literal % doubled, and the whole escaped as a string
// value. fieldCode (such as %u), if any, is appended unquoted.
func desktopExec(args []string, fieldCode string) string {
	quoted := make([]string, 0, len(args)+1)
	for _, a := range args {
		quoted = append(quoted, desktopArg(a))
	}
	if fieldCode != "" {
		quoted = append(quoted, fieldCode)
	}
	return desktopString(strings.Join(quoted, " "))
}

// desktopArg quotes one argument of an Exec value.
func desktopArg(a string) string {
	a = strings.ReplaceAll(a, "%", "%%")
	if a != "" && !strings.ContainsAny(a, " \t\n\"'\\><~|&;$*?#()`") {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range a {
		if strings.ContainsRune("\"`$\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// desktopString escapes a value of type string in a desktop entry.
func desktopString(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s)
}

// desktopValues reads the keys of the [Desktop Entry] group of a desktop
// file; values are returned as written (not unescaped).
func desktopValues(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	vals := map[string]string{}
	group := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			group = line
		case group == "[Desktop Entry]":
			if k, v, ok := strings.Cut(line, "="); ok {
				vals[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	return vals, sc.Err()
}

// writeFileAtomic replaces path with data (mode perm) through
// internal/atomicfile, creating its directory, so that readers such as the
// desktop or systemd never see half a file. It reports whether the content
// changed; unchanged content is not written again.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) (changed bool, err error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, fmt.Errorf("installer: %w", err)
	}
	if err := atomicfile.WriteFile(path, data, perm); err != nil {
		return false, fmt.Errorf("installer: write %s: %w", path, err)
	}
	return true, nil
}
