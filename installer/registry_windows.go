package installer

import (
	"errors"
	"io/fs"

	winreg "golang.org/x/sys/windows/registry"
)

// winRegistry is the real registry.
type winRegistry struct{}

func hive(root regRoot) winreg.Key {
	if root == localMachine {
		return winreg.LOCAL_MACHINE
	}
	return winreg.CURRENT_USER
}

func (winRegistry) String(root regRoot, key, name string) (string, error) {
	k, err := winreg.OpenKey(hive(root), key, winreg.QUERY_VALUE)
	if err != nil {
		return "", err
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	return v, err
}

func (winRegistry) Binary(root regRoot, key, name string) ([]byte, error) {
	k, err := winreg.OpenKey(hive(root), key, winreg.QUERY_VALUE)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	v, _, err := k.GetBinaryValue(name)
	return v, err
}

func (winRegistry) SetString(key, name, value string) error {
	k, _, err := winreg.CreateKey(winreg.CURRENT_USER, key, winreg.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	return k.SetStringValue(name, value)
}

func (winRegistry) DeleteValue(key, name string) error {
	k, err := winreg.OpenKey(winreg.CURRENT_USER, key, winreg.SET_VALUE)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer k.Close()
	if err := k.DeleteValue(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (winRegistry) DeleteTree(key string) error { return deleteTree(winreg.CURRENT_USER, key) }

// deleteTree removes path below parent, children first (RegDeleteKey only
// removes keys without subkeys).
func deleteTree(parent winreg.Key, path string) error {
	k, err := winreg.OpenKey(parent, path, winreg.ENUMERATE_SUB_KEYS|winreg.QUERY_VALUE)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	names, err := k.ReadSubKeyNames(-1)
	if err == nil {
		for _, n := range names {
			if err = deleteTree(k, n); err != nil {
				break
			}
		}
	}
	k.Close()
	if err != nil {
		return err
	}
	return winreg.DeleteKey(parent, path)
}
