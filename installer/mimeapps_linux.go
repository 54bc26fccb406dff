package installer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The groups of mimeapps.list and of the caches that name applications.
const (
	defaultGroup = "[Default Applications]"
	addedGroup   = "[Added Associations]"
	cacheGroup   = "[MIME Cache]"
)

// currentDesktops lists $XDG_CURRENT_DESKTOP in lower case, as the names of
// desktop-specific lists ("gnome-mimeapps.list") use it.
func currentDesktops() []string {
	var ds []string
	for d := range strings.SplitSeq(os.Getenv("XDG_CURRENT_DESKTOP"), ":") {
		if d != "" {
			ds = append(ds, strings.ToLower(d))
		}
	}
	return ds
}

// appDirs lists the applications directories, the user's first.
func appDirs() ([]string, error) {
	data, err := dataHome()
	if err != nil {
		return nil, err
	}
	dirs := []string{filepath.Join(data, "applications")}
	for _, d := range xdgDirs("XDG_DATA_DIRS", "/usr/local/share:/usr/share") {
		dirs = append(dirs, filepath.Join(d, "applications"))
	}
	return dirs, nil
}

// mimeappsLists lists the mimeapps.list files in the order that the MIME
// Applications Associations specification (and xdg-mime) consults them.
func mimeappsLists() ([]string, error) {
	cfg, err := configHome()
	if err != nil {
		return nil, err
	}
	apps, err := appDirs()
	if err != nil {
		return nil, err
	}
	dirs := append(append([]string{cfg}, xdgDirs("XDG_CONFIG_DIRS", "/etc/xdg")...), apps...)
	var lists []string
	for _, d := range dirs {
		for _, desk := range currentDesktops() {
			lists = append(lists, filepath.Join(d, desk+"-mimeapps.list"))
		}
		lists = append(lists, filepath.Join(d, "mimeapps.list"))
	}
	return lists, nil
}

// userLists are the lists of the user that may name our handler.
func userLists() ([]string, error) {
	cfg, err := configHome()
	if err != nil {
		return nil, err
	}
	data, err := dataHome()
	if err != nil {
		return nil, err
	}
	var lists []string
	for _, desk := range currentDesktops() {
		lists = append(lists, filepath.Join(cfg, desk+"-mimeapps.list"))
	}
	return append(lists, filepath.Join(cfg, "mimeapps.list"), filepath.Join(data, "applications", "mimeapps.list")), nil
}

// listEntries returns the desktop ids that key has in group of the file at
// path (nil when the file, group or key is missing).
func listEntries(path, group, key string) ([]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("installer: read %s: %w", path, err)
	}
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			in = line == group
			continue
		}
		if k, v, ok := strings.Cut(line, "="); in && ok && strings.TrimSpace(k) == key {
			return splitList(v), nil
		}
	}
	return nil, sc.Err()
}

func splitList(v string) []string {
	var ids []string
	for id := range strings.SplitSeq(v, ";") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// editList sets key in group of the file at path to edit(its entries),
// keeping every other line as it is. An empty result removes the line; a
// missing group is added only when there is something to put in it. It
// reports whether the file changed.
func editList(path, group, key string, edit func([]string) []string) (bool, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("installer: read %s: %w", path, err)
	}
	perm := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(data) == 0 {
		lines = nil
	}
	groupAt, keyAt, end := -1, -1, len(lines)
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			if groupAt >= 0 && end == len(lines) {
				end = i
			}
			if t == group && groupAt < 0 {
				groupAt = i
			}
			continue
		}
		if k, _, ok := strings.Cut(t, "="); ok && groupAt >= 0 && end == len(lines) && keyAt < 0 && strings.TrimSpace(k) == key {
			keyAt = i
		}
	}
	var old []string
	if keyAt >= 0 {
		_, v, _ := strings.Cut(lines[keyAt], "=")
		old = splitList(v)
	}
	ids := edit(slices.Clone(old))
	if slices.Equal(ids, old) {
		return false, nil
	}
	line := key + "=" + strings.Join(ids, ";") + ";"
	switch {
	case keyAt >= 0 && len(ids) == 0:
		lines = slices.Delete(lines, keyAt, keyAt+1)
	case keyAt >= 0:
		lines[keyAt] = line
	case groupAt >= 0:
		// After the group's last non-blank line.
		at := end
		for at > groupAt+1 && strings.TrimSpace(lines[at-1]) == "" {
			at--
		}
		lines = slices.Insert(lines, at, line)
	default:
		if len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) != "" {
			lines = append(lines, "")
		}
		lines = append(lines, group, line)
	}
	out := strings.Join(lines, "\n")
	if out != "" {
		out += "\n"
	}
	return writeFileAtomic(path, []byte(out), perm)
}

// desktopInstalled reports whether the desktop id names an entry in one of
// the applications directories ("vendor-app.desktop" may live in vendor/).
func desktopInstalled(dirs []string, id string) bool {
	for _, d := range dirs {
		candidates := []string{filepath.Join(d, id)}
		if vendor, app, ok := strings.Cut(id, "-"); ok {
			candidates = append(candidates, filepath.Join(d, vendor, app))
		}
		for _, c := range candidates {
			if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
				return true
			}
		}
	}
	return false
}

// defaultApp returns the desktop id that opens mime: the first installed
// entry of the mimeapps.list files, then what the caches of installed
// applications say, then a user's entry that declares the type.
func defaultApp(mime string) (string, error) {
	dirs, err := appDirs()
	if err != nil {
		return "", err
	}
	lists, err := mimeappsLists()
	if err != nil {
		return "", err
	}
	for _, l := range lists {
		ids, err := listEntries(l, defaultGroup, mime)
		if err != nil {
			return "", err
		}
		for _, id := range ids {
			if desktopInstalled(dirs, id) {
				return id, nil
			}
		}
	}
	for _, d := range dirs {
		for _, c := range []struct{ file, group string }{{"defaults.list", defaultGroup}, {"mimeinfo.cache", cacheGroup}} {
			ids, err := listEntries(filepath.Join(d, c.file), c.group, mime)
			if err != nil {
				return "", err
			}
			if len(ids) > 0 {
				return ids[0], nil
			}
		}
	}
	// Desktop entries in the user's directory rarely have a cache, but GLib
	// still offers them for the types they declare.
	entries, _ := filepath.Glob(filepath.Join(dirs[0], "*.desktop"))
	for _, e := range entries {
		vals, err := desktopValues(e)
		if err == nil && slices.Contains(splitList(vals["MimeType"]), mime) {
			return filepath.Base(e), nil
		}
	}
	return "", nil
}
