// Package atomicfile replaces small files durably: readers see the old
// contents or the new, never a mix, even after a crash or a power cut.
package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
)

// WriteFile replaces path with data: a new temporary file beside it with
// mode perm, fsync, rename over path (retried while Windows reports a
// sharing violation), then fsync of the directory (Unix) so that the rename
// itself survives a crash. On error path is untouched and the temporary file
// is removed.
//
// The temporary file is created exclusively under an unpredictable name
// (os.CreateTemp), so nothing planted in the directory, such as a symbolic
// link, can make WriteFile write anywhere but into a file of its own. A path
// that is a link is replaced by the new file, never followed.
//
// Callers serialise writers of one path with a lock of their own. That makes
// every temporary file of path that exists when WriteFile starts one that a
// killed writer left behind; they are removed, so nothing grows.
func WriteFile(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	removeLeftovers(dir, base)
	f, err := os.CreateTemp(dir, base+".*"+tmpSuffix)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(perm); err != nil && !chmodUnsupported(err) {
		f.Close()
		return err
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = Rename(tmp, path); err != nil {
		return err
	}
	return SyncDir(dir)
}

const tmpSuffix = ".tmp"

// IsTemp reports whether name is a temporary file WriteFile makes (or, with
// a fixed name, made in earlier versions) for a file named base.
func IsTemp(name, base string) bool {
	return name == base+tmpSuffix ||
		strings.HasPrefix(name, base+".") && strings.HasSuffix(name, tmpSuffix) && len(name) > len(base)+len(tmpSuffix)
}

// removeLeftovers removes the temporary files of base in dir. Removing a
// name never touches what a link there points to.
func removeLeftovers(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if IsTemp(e.Name(), base) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
