package notifier

import (
	"context"
	"fmt"
	"slices"
	"sync"

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
// escaped by itself: escaping it here would show "&lt;"). With Clicks, the
// notification carries the "open" action where the server offers actions,
// and a click opens url.
//
// The calls are made here rather than through a notification library: the
// one in the module graph (esiqveland/notify) type-asserts the signals it
// receives unchecked, so one malformed signal from any process on the
// session bus would end the tray.
func (s *DesktopSink) platformShow(ctx context.Context, title, body, url string) error {
	conn, err := s.conn(ctx)
	if err != nil {
		return err
	}
	if s.Clicks == nil {
		defer conn.Close()
	}
	obj := conn.Object(notificationsName, notificationsPath)
	var caps []string
	if err := obj.CallWithContext(ctx, notificationsName+".GetCapabilities", 0).Store(&caps); err != nil {
		return fmt.Errorf("no notification service answers (%w)", err)
	}
	if slices.Contains(caps, "body-markup") {
		body = escapeMarkup(body)
	}
	actions := []string{}
	if s.Clicks != nil && url != "" && slices.Contains(caps, "actions") {
		label := s.Clicks.Label
		if label == "" {
			label = "Openen"
		}
		// The default action is a click on the notification; "open" is
		// the button where the server draws buttons.
		actions = []string{"default", label, "open", label}
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(urgencyNormal)}
	var id uint32
	call := obj.CallWithContext(ctx, notificationsName+".Notify", 0,
		AppName, uint32(0), s.Icon, title, body, actions, hints, serverTimeout)
	if err := call.Store(&id); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if len(actions) > 0 {
		s.Clicks.remember(id, url)
	}
	return nil
}

// conn is the connection to send on: the long-lived one of Clicks, else a
// private one for this notification.
func (s *DesktopSink) conn(ctx context.Context) (*dbus.Conn, error) {
	if s.Clicks != nil {
		return s.Clicks.connection(ctx)
	}
	return dialSession(ctx)
}

func dialSession(ctx context.Context) (*dbus.Conn, error) {
	conn, err := dbus.SessionBusPrivate(dbus.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("connect to the session bus: %w", err)
	}
	if err := conn.Auth(nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("session bus: %w", err)
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("session bus: %w", err)
	}
	return conn, nil
}

// clickMemory bounds how many shown notifications Clicks remembers.
const clickMemory = 200

// Clicks keeps one session-bus connection for a long-lived process (the
// tray) and opens a notification's page when the user clicks it: it
// listens for ActionInvoked and forgets a notification at
// NotificationClosed.
type Clicks struct {
	// Label is the action's label ("Openen" when empty).
	Label string

	open func(url string) error

	mu    sync.Mutex
	bus   *dbus.Conn
	urls  map[uint32]string
	order []uint32
}

// NewClicks returns a Clicks that opens a clicked notification's page with
// open (the browser).
func NewClicks(open func(url string) error) *Clicks {
	return &Clicks{open: open, urls: map[uint32]string{}}
}

// connection is the long-lived connection, made (and subscribed to the
// notification signals) on first use, and made again after it broke.
func (c *Clicks) connection(ctx context.Context) (*dbus.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bus != nil && c.bus.Connected() {
		return c.bus, nil
	}
	// The connection outlives this call and its context (godbus closes a
	// connection made WithContext when that context ends, and the clicks
	// on what was sent through it would go nowhere).
	conn, err := dialSession(context.WithoutCancel(ctx))
	if err != nil {
		return nil, err
	}
	for _, member := range []string{"ActionInvoked", "NotificationClosed"} {
		if err := conn.AddMatchSignalContext(ctx, dbus.WithMatchObjectPath(notificationsPath),
			dbus.WithMatchInterface(notificationsName), dbus.WithMatchMember(member)); err != nil {
			conn.Close()
			return nil, fmt.Errorf("listen for clicks: %w", err)
		}
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	go c.listen(signals)
	c.bus = conn
	return conn, nil
}

// listen handles the signals until the connection closes. Signals are
// checked before use: any process on the session bus can send one.
func (c *Clicks) listen(signals <-chan *dbus.Signal) {
	for sig := range signals {
		if len(sig.Body) != 2 {
			continue
		}
		id, ok := sig.Body[0].(uint32)
		if !ok {
			continue
		}
		switch sig.Name {
		case notificationsName + ".ActionInvoked":
			key, _ := sig.Body[1].(string)
			if key != "default" && key != "open" {
				continue
			}
			c.mu.Lock()
			url := c.urls[id]
			c.mu.Unlock()
			if url != "" && c.open != nil {
				c.open(url)
			}
		case notificationsName + ".NotificationClosed":
			c.mu.Lock()
			delete(c.urls, id)
			c.mu.Unlock()
		}
	}
}

func (c *Clicks) remember(id uint32, url string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.urls[id] = url
	c.order = append(c.order, id)
	for len(c.order) > clickMemory {
		delete(c.urls, c.order[0])
		c.order = c.order[1:]
	}
}

// Close ends the connection (and with it the listening).
func (c *Clicks) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bus == nil {
		return nil
	}
	err := c.bus.Close()
	c.bus = nil
	return err
}
