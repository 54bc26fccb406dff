// Package dbustest starts a private D-Bus session bus and a fake desktop
// notification server on it, so that tests of desktop integration run
// headless and never touch the user's own session.
package dbustest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
)

// StartSessionBus starts a private session bus (dbus-daemon --session
// --nofork --print-address=1) and returns its address, for
// DBUS_SESSION_BUS_ADDRESS. The daemon is killed when the test ends. A
// missing dbus-daemon fails the test: these tests are part of the suite,
// not optional extras.
func StartSessionBus(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Fatalf("dbustest: dbus-daemon is needed (Debian package dbus): %v", err)
	}
	cmd := exec.Command(path, "--session", "--nofork", "--print-address=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // "Failed to set fd limit" warnings in containers
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("dbustest: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbustest: start dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	addr := strings.TrimSpace(line)
	if addr == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("dbustest: dbus-daemon printed no address (%v): %s", err, stderr.String())
	}
	return addr
}

// Names of the freedesktop notification service.
const (
	NotificationsName = "org.freedesktop.Notifications"
	NotificationsPath = dbus.ObjectPath("/org/freedesktop/Notifications")
)

// Notification is one call of Notify as the server received it.
type Notification struct {
	ID            uint32
	AppName       string
	ReplacesID    uint32
	AppIcon       string
	Summary       string
	Body          string
	Actions       []string
	Hints         map[string]dbus.Variant
	ExpireTimeout int32
}

// Urgency is the "urgency" hint (0 low, 1 normal, 2 critical), if given.
func (n Notification) Urgency() (byte, bool) {
	v, ok := n.Hints["urgency"]
	if !ok {
		return 0, false
	}
	b, ok := v.Value().(byte)
	return b, ok
}

// NotificationServer is a fake org.freedesktop.Notifications that records
// what it is asked to show.
type NotificationServer struct {
	conn *dbus.Conn

	mu      sync.Mutex
	caps    []string
	got     []Notification
	nextID  uint32
	changed chan struct{} // closed and replaced whenever got grows
}

// StartNotificationServer connects to the bus at addr, exports the
// notification interface at /org/freedesktop/Notifications and then owns
// org.freedesktop.Notifications (exporting first, so that no caller finds
// the name without the object). It stops when the test ends.
func StartNotificationServer(t testing.TB, addr string) *NotificationServer {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("dbustest: connect to %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &NotificationServer{conn: conn, changed: make(chan struct{})}
	obj := &notificationsObject{s: s}
	if err := conn.Export(obj, NotificationsPath, NotificationsName); err != nil {
		t.Fatalf("dbustest: export: %v", err)
	}
	node := &introspect.Node{
		Name: string(NotificationsPath),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			{
				Name:    NotificationsName,
				Methods: introspect.Methods(obj),
				Signals: []introspect.Signal{{Name: "NotificationClosed", Args: []introspect.Arg{
					{Name: "id", Type: "u"}, {Name: "reason", Type: "u"}}}},
			},
		},
	}
	if err := conn.Export(introspect.NewIntrospectable(node), NotificationsPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		t.Fatalf("dbustest: export introspection: %v", err)
	}
	reply, err := conn.RequestName(NotificationsName, dbus.NameFlagDoNotQueue)
	if err != nil {
		t.Fatalf("dbustest: request %s: %v", NotificationsName, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("dbustest: %s is already owned on %s", NotificationsName, addr)
	}
	return s
}

// Notifications returns what the server received so far, oldest first.
func (s *NotificationServer) Notifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notification(nil), s.got...)
}

// Wait returns once the server has received at least n notifications, or
// fails when ctx ends first.
func (s *NotificationServer) Wait(ctx context.Context, n int) ([]Notification, error) {
	for {
		s.mu.Lock()
		got, changed := append([]Notification(nil), s.got...), s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return got, fmt.Errorf("dbustest: %d of %d notifications arrived: %w", len(got), n, ctx.Err())
		}
	}
}

// WaitTimeout is Wait with a deadline of d from now.
func (s *NotificationServer) WaitTimeout(d time.Duration, n int) ([]Notification, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return s.Wait(ctx, n)
}

// notificationsObject holds exactly the methods exported on the bus.
type notificationsObject struct{ s *NotificationServer }

// Notify implements org.freedesktop.Notifications.Notify.
func (o *notificationsObject) Notify(appName string, replacesID uint32, appIcon, summary, body string,
	actions []string, hints map[string]dbus.Variant, expireTimeout int32) (uint32, *dbus.Error) {
	s := o.s
	s.mu.Lock()
	defer s.mu.Unlock()
	id := replacesID
	if id == 0 {
		s.nextID++
		id = s.nextID
	}
	s.got = append(s.got, Notification{
		ID: id, AppName: appName, ReplacesID: replacesID, AppIcon: appIcon, Summary: summary,
		Body: body, Actions: actions, Hints: hints, ExpireTimeout: expireTimeout,
	})
	close(s.changed)
	s.changed = make(chan struct{})
	return id, nil
}

// GetCapabilities implements org.freedesktop.Notifications.GetCapabilities.
func (o *notificationsObject) GetCapabilities() ([]string, *dbus.Error) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	if o.s.caps != nil {
		return append([]string(nil), o.s.caps...), nil
	}
	return []string{"body", "icon-static"}, nil
}

// Emit sends a signal of the notification interface with any body, as a
// misbehaving process on the bus could.
func (s *NotificationServer) Emit(member string, body ...any) error {
	return s.conn.Emit(NotificationsPath, NotificationsName+"."+member, body...)
}

// InvokeAction emits ActionInvoked for notification id, as a server does
// when the user clicks it (key "default") or one of its buttons.
func (s *NotificationServer) InvokeAction(id uint32, key string) error {
	return s.conn.Emit(NotificationsPath, NotificationsName+".ActionInvoked", id, key)
}

// SetCapabilities makes GetCapabilities answer caps, e.g. "body-markup" as
// dunst and GNOME announce it.
func (s *NotificationServer) SetCapabilities(caps ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.caps = caps
}

// GetServerInformation implements org.freedesktop.Notifications.GetServerInformation.
func (o *notificationsObject) GetServerInformation() (name, vendor, version, specVersion string, err *dbus.Error) {
	return "dbustest", "magister-notify", "1.0", "1.2", nil
}

// CloseNotification implements org.freedesktop.Notifications.CloseNotification:
// it answers with the NotificationClosed signal (reason 3, closed by a call).
func (o *notificationsObject) CloseNotification(id uint32) *dbus.Error {
	if err := o.s.conn.Emit(NotificationsPath, NotificationsName+".NotificationClosed", id, uint32(3)); err != nil {
		return dbus.MakeFailedError(err)
	}
	return nil
}
