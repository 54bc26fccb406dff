package notifier

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// AppName is the application name desktop notifications carry.
const AppName = "magister-notify"

// ToastAppID is the AppUserModelID Windows toasts (toastFor) carry,
// registered per user by installer.RegisterAppID (installer.AppUserModelID;
// the packages' Start Menu shortcut carries the same).
const ToastAppID = "magister-notify"

// Limits of what a notification shows, in characters: notification servers
// cut or wrap longer text badly, and a school's 2,000-character homework
// description is read in Magister, not in a bubble.
const (
	maxTitle = 120
	maxBody  = 400
)

// DesktopSink shows notifications on the desktop: through
// org.freedesktop.Notifications on Linux (sink_desktop_linux.go), through
// beeep elsewhere (Notification Center on macOS, toasts on Windows). Every
// notification has normal urgency, also a failing grade (the text says it),
// and the server's own display time, so it stays in the notification
// centre instead of vanishing after a few seconds.
type DesktopSink struct {
	// Icon is the path of an icon file; empty means none.
	Icon string
	// Clicks, when set, makes notifications open their page when clicked
	// (a long-lived process that can receive the click: the tray).
	Clicks *Clicks

	show func(ctx context.Context, title, body, url string) error
}

// NewDesktopSink returns the desktop sink with an optional icon path.
func NewDesktopSink(icon string) *DesktopSink {
	s := &DesktopSink{Icon: icon}
	s.show = s.platformShow
	return s
}

// Name implements Sink.
func (*DesktopSink) Name() string { return "desktop" }

// PeopleFacing implements Sink.
func (*DesktopSink) PeopleFacing() bool { return true }

// Send implements Sink. A call that outlives ctx is abandoned (and may
// still show later) rather than waited for.
func (s *DesktopSink) Send(ctx context.Context, n Notification) error {
	title, body := shorten(validText(n.Title), maxTitle), shorten(validText(n.Body), maxBody)
	done := make(chan error, 1)
	go func() { done <- s.show(ctx, title, body, n.URL) }()
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

// escapeMarkup makes school text safe for a server that reads markup:
// "&", "<" and ">" are shown as they are, never taken as tags or links.
func escapeMarkup(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// validText is s with invalid UTF-8 replaced, so that a D-Bus string (which
// must be valid UTF-8) can always carry it.
func validText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
