//go:build !windows

package atomicfile

import (
	"errors"
	"os"
	"syscall"
)

// Rename renames from over to.
func Rename(from, to string) error { return os.Rename(from, to) }

// SyncDir makes renames in dir durable.
func SyncDir(dir string) error {
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

func chmodUnsupported(error) bool { return false }
