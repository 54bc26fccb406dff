package installer

import "fmt"

// AppUserModelID names magister-notify to Windows: toasts carry it, so that
// they are attributed to magister-notify (name and icon) rather than to a
// console host, and the Start Menu shortcut of the installer carries it too.
const AppUserModelID = "magister-notify"

// appIDKeyPath is where Windows looks up the name and icon of an
// AppUserModelID that no packaged app declares.
const appIDKeyPath = `Software\Classes\AppUserModelId\` + AppUserModelID

// appID is the per-user registration of AppUserModelID.
type appID struct{ reg registry }

// register writes the display name and, when given, the icon (a PNG or ICO
// path). Writing the same again changes nothing.
func (a appID) register(icon string) error {
	if err := a.reg.SetString(appIDKeyPath, "DisplayName", "magister-notify"); err != nil {
		return fmt.Errorf("installer: register the app id: %w", err)
	}
	if icon != "" {
		if err := a.reg.SetString(appIDKeyPath, "IconUri", icon); err != nil {
			return fmt.Errorf("installer: register the app id's icon: %w", err)
		}
	}
	return nil
}

// unregister removes the registration.
func (a appID) unregister() error {
	if err := a.reg.DeleteTree(appIDKeyPath); err != nil {
		return fmt.Errorf("installer: remove the app id: %w", err)
	}
	return nil
}
