//go:build !windows && !darwin

package tray

import (
	"fyne.io/systray"

	"github.com/magister-notify/magister-notify/assets"
)

// iconSize is the pixmap sent to the StatusNotifierItem host: panels are
// 22 to 24 px, twice that on high-density screens; hosts scale down well.
const iconSize = 48

// setIcon shows the icon of state. StatusNotifierItem hosts take PNG
// (systray drops ICO silently).
func setIcon(state string) { systray.SetIcon(assets.PNG(state, iconSize)) }

// setTitle names the item for the desktop (the StatusNotifierItem Title and Id).
func setTitle(title string) { systray.SetTitle(title) }
