//go:build !windows && !darwin

package tray

import (
	"fyne.io/systray"

	"github.com/magister-notify/magister-notify/assets"
)

// iconSize is the one pixmap sent to the StatusNotifierItem host. The
// protocol allows several sizes, but systray (v1.12.2) sends exactly one
// (SetIcon decodes one image into a one-element IconPixmap), so the host
// always scales. Hosts draw the icon at their bar height less padding
// (gtk-sni-tray: 22 px on a 24 px bar, 14 px on a 16 px bar); looked at
// there, a 48 px source scales down cleanly to both, while 16 and 24 px
// sources are scaled by odd factors and smear, and 48 still covers 2x
// panels of 22 to 24 px.
const iconSize = 48

// setIcon shows the icon of state. StatusNotifierItem hosts take PNG
// (systray drops ICO silently).
func setIcon(state string) { systray.SetIcon(assets.PNG(state, iconSize)) }

// setTitle names the item for the desktop (the StatusNotifierItem Title and Id).
func setTitle(title string) { systray.SetTitle(title) }
