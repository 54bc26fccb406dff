package tray

import (
	"fyne.io/systray"

	"github.com/magister-notify/magister-notify/assets"
)

// setIcon shows the icon of state. The notification area needs ICO.
func setIcon(state string) { systray.SetIcon(assets.ICO(state)) }

// setTitle does nothing: the notification area has only the tooltip.
func setTitle(string) {}
