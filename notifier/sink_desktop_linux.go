package notifier

import (
	"context"
	"fmt"
	"slices"

	"github.com/godbus/dbus/v5"
)

const (
	notificationsName      = "org.freedesktop.Notifications"
	notificationsPath      = dbus.ObjectPath("/org/freedesktop/Notifications")
	urgencyNormal     byte = 1
	serverTimeout          = int32(-1) // the server decides how long it shows
)

// platformShow sends one notification over the session bus. It asks the
// server what it can do first: a server that reads markup in the body gets
// the body escaped, so "cijfer <5,5" or "<b>wiskunde</b>" shows exactly as
// typed. The summary is plain text by the specification (dunst shows it
// escaped by itself: escaping it here would show "&lt;").
func (s *DesktopSink) platformShow(ctx context.Context, title, body string) error {
	conn, err := dbus.SessionBusPrivate(dbus.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("connect to the session bus: %w", err)
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return fmt.Errorf("session bus: %w", err)
	}
	if err := conn.Hello(); err != nil {
		return fmt.Errorf("session bus: %w", err)
	}
	obj := conn.Object(notificationsName, notificationsPath)
	var caps []string
	if err := obj.CallWithContext(ctx, notificationsName+".GetCapabilities", 0).Store(&caps); err != nil {
		return fmt.Errorf("no notification service answers (%w)", err)
	}
	title, body = validText(title), validText(body)
	if slices.Contains(caps, "body-markup") {
		body = escapeMarkup(body)
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(urgencyNormal)}
	var id uint32
	call := obj.CallWithContext(ctx, notificationsName+".Notify", 0,
		AppName, uint32(0), s.Icon, title, body, []string{}, hints, serverTimeout)
	if err := call.Store(&id); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}
