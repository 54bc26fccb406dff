//go:build !linux

package notifier

import (
	"context"

	"github.com/gen2brain/beeep"
)

// platformShow shows one notification through beeep: Notification Center
// on macOS (osascript), a toast on Windows. These take plain text.
func (s *DesktopSink) platformShow(_ context.Context, title, body string) error {
	// beeep keeps the application name in a package variable; every
	// desktop sink sets the same value.
	beeep.AppName = AppName
	return beeep.Notify(validText(title), validText(body), s.Icon)
}
