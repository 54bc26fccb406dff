package notifier

import (
	"context"
	"fmt"

	"github.com/gen2brain/beeep"
)

// AppName is the application name desktop notifications carry.
const AppName = "magister-notify"

// DesktopSink shows notifications on the desktop through beeep:
// org.freedesktop.Notifications on Linux, Notification Center on macOS and
// toasts on Windows. Urgent notifications use beeep.Alert (critical urgency
// and a beep).
type DesktopSink struct {
	// Icon is the path of an icon file; empty means none.
	Icon string

	notify func(title, body string, icon any) error
	alert  func(title, body string, icon any) error
}

// NewDesktopSink returns the desktop sink with an optional icon path.
func NewDesktopSink(icon string) *DesktopSink {
	// beeep keeps the application name in a package variable; every desktop
	// sink sets the same value, so setting it here is safe.
	beeep.AppName = AppName
	return &DesktopSink{Icon: icon, notify: beeep.Notify, alert: beeep.Alert}
}

// Name implements Sink.
func (*DesktopSink) Name() string { return "desktop" }

// PeopleFacing implements Sink.
func (*DesktopSink) PeopleFacing() bool { return true }

// Send implements Sink. beeep takes no context, so a call that outlives ctx
// is abandoned (and may still show later) rather than waited for.
func (s *DesktopSink) Send(ctx context.Context, n Notification) error {
	show := s.notify
	if n.Urgent {
		show = s.alert
	}
	done := make(chan error, 1)
	go func() { done <- show(n.Title, n.Body, s.Icon) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("show notification: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("show notification: %w", ctx.Err())
	}
}
