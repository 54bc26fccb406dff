// Package atomicfile replaces small files durably: readers see the old
// contents or the new, never a mix, even after a crash or a power cut.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile replaces path with data: path+".tmp" with mode perm, fsync,
// rename over path (retried while Windows reports a sharing violation), then
// fsync of the directory (Unix) so that the rename itself survives a crash.
// On error path is untouched and the temporary file is removed.
//
// Callers serialise writers of one path with a lock of their own; the fixed
// temporary name means a writer that was killed leaves nothing that grows.
func WriteFile(path string, data []byte, perm os.FileMode) (err error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
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
	return SyncDir(filepath.Dir(path))
}
