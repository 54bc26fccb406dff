//go:build !linux

package notifier

import (
	"context"

	"github.com/gen2brain/beeep"
)

// platformShow shows one notification through beeep: Notification Center
// on macOS (osascript), a toast on Windows. These take plain text.
// A click cannot open a page: macOS runs Script Editor for an osascript
// notification, and Windows toasts through beeep carry no launch address.
// A native notifier per platform is the seam for that (Clicks).
func (s *DesktopSink) platformShow(_ context.Context, title, body, _ string) error {
	// beeep keeps the application name in a package variable; every
	// desktop sink sets the same value.
	beeep.AppName = AppName
	return beeep.Notify(validText(title), validText(body), s.Icon)
}

// Clicks would open a notification's page when it is clicked; outside
// Linux nothing receives the click yet, so it does nothing.
type Clicks struct {
	// Label is the action's label, unused here.
	Label string
}

// NewClicks returns a Clicks that does nothing on this platform.
func NewClicks(func(url string) error) *Clicks { return &Clicks{} }

// Close implements io.Closer.
func (*Clicks) Close() error { return nil }
