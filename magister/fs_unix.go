//go:build !windows

package magister

import (
	"errors"
	"os"
	"syscall"
)

func renameReplace(from, to string) error { return os.Rename(from, to) }

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

func isUnsupported(error) bool { return false }
