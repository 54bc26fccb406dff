package dbustest

import (
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

func TestNotificationServer(t *testing.T) {
	addr := StartSessionBus(t)
	if !strings.HasPrefix(addr, "unix:") {
		t.Fatalf("address %q is not a unix socket address", addr)
	}
	srv := StartNotificationServer(t, addr)

	client, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	obj := client.Object(NotificationsName, NotificationsPath)

	var name, vendor, version, spec string
	if err := obj.Call(NotificationsName+".GetServerInformation", 0).Store(&name, &vendor, &version, &spec); err != nil {
		t.Fatalf("GetServerInformation: %v", err)
	}
	if name != "dbustest" || spec != "1.2" {
		t.Errorf("GetServerInformation = %q %q %q %q", name, vendor, version, spec)
	}
	var caps []string
	if err := obj.Call(NotificationsName+".GetCapabilities", 0).Store(&caps); err != nil || len(caps) == 0 {
		t.Fatalf("GetCapabilities = %v, %v", caps, err)
	}

	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(2))}
	var id uint32
	if err := obj.Call(NotificationsName+".Notify", 0, "app", uint32(0), "", "Sum", "Body",
		[]string{}, hints, int32(5000)).Store(&id); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	got, err := srv.WaitTimeout(10*time.Second, 1)
	if err != nil {
		t.Fatal(err)
	}
	n := got[0]
	if n.ID != id || n.AppName != "app" || n.Summary != "Sum" || n.Body != "Body" || n.ExpireTimeout != 5000 {
		t.Errorf("recorded %+v (id %d)", n, id)
	}
	if u, ok := n.Urgency(); !ok || u != 2 {
		t.Errorf("urgency = %d, %v; want 2", u, ok)
	}

	// CloseNotification answers with the NotificationClosed signal.
	if err := client.AddMatchSignal(dbus.WithMatchInterface(NotificationsName)); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan *dbus.Signal, 4)
	client.Signal(sigs)
	if err := obj.Call(NotificationsName+".CloseNotification", 0, id).Err; err != nil {
		t.Fatalf("CloseNotification: %v", err)
	}
	select {
	case s := <-sigs:
		if s.Name != NotificationsName+".NotificationClosed" || len(s.Body) != 2 || s.Body[0] != id {
			t.Errorf("signal %s %v", s.Name, s.Body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no NotificationClosed signal")
	}

	// The interface is introspectable, as gdbus and busctl expect.
	var xml string
	if err := obj.Call("org.freedesktop.DBus.Introspectable.Introspect", 0).Store(&xml); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"Notify", "GetCapabilities", "GetServerInformation", "CloseNotification"} {
		if !strings.Contains(xml, `"`+m+`"`) {
			t.Errorf("introspection lacks %s", m)
		}
	}
}

func TestSecondServerCannotTakeTheName(t *testing.T) {
	addr := StartSessionBus(t)
	StartNotificationServer(t, addr)
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	reply, err := conn.RequestName(NotificationsName, dbus.NameFlagDoNotQueue)
	if err != nil || reply == dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("second owner got %v, %v", reply, err)
	}
}
