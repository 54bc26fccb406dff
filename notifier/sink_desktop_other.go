//go:build !linux && !windows

package notifier

import (
	"context"

	"github.com/gen2brain/beeep"
)

// platformShow shows one notification through beeep: Notification Center
// on macOS (osascript). It takes plain text.
// A click cannot open a page: macOS runs Script Editor for an osascript
// notification. A native notifier (a Mac build) is the seam for that
// (Clicks).
func (s *DesktopSink) platformShow(_ context.Context, title, body, _ string) error {
	// beeep keeps the application name in a package variable; every
	// desktop sink sets the same value.
	beeep.AppName = AppName
	return beeep.Notify(validText(title), validText(body), s.Icon)
}
