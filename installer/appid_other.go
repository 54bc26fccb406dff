//go:build !windows

package installer

// RegisterAppID does nothing outside Windows, which alone has
// AppUserModelIDs.
func RegisterAppID(string) error { return nil }

// UnregisterAppID does nothing outside Windows.
func UnregisterAppID() error { return nil }
