package installer

// RegisterAppID registers AppUserModelID for this user with the icon at
// icon, so that toasts show magister-notify's name and icon.
func RegisterAppID(icon string) error { return appID{winRegistry{}}.register(icon) }

// UnregisterAppID removes that registration.
func UnregisterAppID() error { return appID{winRegistry{}}.unregister() }
