//go:build !windows

package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/magister-notify/magister-notify/internal/plainfile"
)

// checkOwnerAndMode refuses a directory of another user, one others can
// write in, and one open to others that holds files not magister-notify's.
// A directory open to others that holds only magister-notify's files is
// fine: tighten makes it private on the first change.
func checkOwnerAndMode(dir string, fi fs.FileInfo) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return &UnsafeDirError{Dir: dir, Problem: ForeignOwner, Mode: fi.Mode(), Owner: int(st.Uid)}
	}
	m := fi.Mode()
	if m&fs.ModeSticky != 0 || m.Perm()&0o002 != 0 {
		return &UnsafeDirError{Dir: dir, Problem: WritableByOthers, Mode: m}
	}
	if m.Perm()&0o077 == 0 {
		return nil
	}
	found, err := foreignFile(dir)
	if err != nil {
		return err
	}
	if found != "" {
		return &UnsafeDirError{Dir: dir, Problem: Shared, Mode: m, Found: found}
	}
	return nil
}

// tighten makes dir and magister-notify's files in it private: it takes the
// group and other bits off, and leaves the owner's bits as the user set them
// (a directory made read-only stays read-only). It checks dir again first,
// as it may have changed since Open.
func tighten(dir string) error {
	if err := checkDir(dir); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if m := fi.Mode(); m.Perm()&0o077 != 0 {
		if err := os.Chmod(dir, m&(fs.ModePerm|fs.ModeSetgid)&^0o077); err != nil {
			return fmt.Errorf("state: restrict permissions of %s: %w", dir, err)
		}
	}
	return tightenFiles(dir)
}

// tightenFiles takes the group and other permission bits off every file of
// magister-notify's in dir, through a descriptor opened without following
// links, so a link can never lend its target's permissions to the change.
// Temporary files a killed writer left are skipped: the next write removes
// them.
func tightenFiles(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	for _, e := range entries {
		if !isOwnFile(e.Name()) || isTempFile(e.Name()) {
			continue
		}
		if err := tightenFile(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func tightenFile(path string) error {
	f, err := plainfile.Open(path, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if errors.Is(err, plainfile.ErrNotPlain) {
		return &UnsafeDirError{Dir: filepath.Dir(path), Problem: NotPlainFile, Err: err}
	}
	if err != nil {
		return fmt.Errorf("state: restrict permissions of %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("state: restrict permissions of %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := f.Chmod(fi.Mode().Perm() &^ 0o077); err != nil {
		return fmt.Errorf("state: restrict permissions of %s: %w", path, err)
	}
	return nil
}
