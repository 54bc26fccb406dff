//go:build cgo

package tray

import (
	"fyne.io/systray"

	"github.com/magister-notify/magister-notify/assets"
)

// setIcon shows the icon of state as a template image, which the menu bar
// tints for light and dark mode.
func setIcon(state string) { systray.SetTemplateIcon(assets.Template(state), assets.PNG(state, 32)) }

// setTitle does nothing: on macOS a title is text beside the icon in the
// menu bar, which would only take space.
func setTitle(string) {}
