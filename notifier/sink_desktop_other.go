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

// Clicks would open a notification's page when it is clicked; on macOS
// nothing receives the click yet, so it does nothing.
type Clicks struct {
	// Label is the action's label, unused here.
	Label string
}

// NewClicks returns a Clicks that does nothing on this platform.
func NewClicks(func(url string) error) *Clicks { return &Clicks{} }

// Close implements io.Closer.
func (*Clicks) Close() error { return nil }
