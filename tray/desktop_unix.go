//go:build !windows && !darwin

package tray

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// The StatusNotifierItem protocol, as systray implements it.
const (
	watcherName = "org.kde.StatusNotifierWatcher"
	watcherPath = dbus.ObjectPath("/StatusNotifierWatcher")
	itemPath    = dbus.ObjectPath("/StatusNotifierItem")
)

// busTimeout bounds connecting to the session bus.
const busTimeout = 5 * time.Second

// sessionBusAddress is where the session bus is: DBUS_SESSION_BUS_ADDRESS,
// else the systemd user bus socket. It never starts a bus (autolaunch).
func sessionBusAddress() string {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return a
	}
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" {
		p := filepath.Join(rt, "bus")
		if st, err := os.Stat(p); err == nil && st.Mode().Type() == os.ModeSocket {
			return "unix:path=" + p
		}
	}
	return ""
}

// dialSession opens a private, authenticated connection to the session bus.
func dialSession(ctx context.Context) (*dbus.Conn, error) {
	addr := sessionBusAddress()
	if addr == "" {
		return nil, errors.New("DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus does not exist")
	}
	type result struct {
		c   *dbus.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := dbus.Dial(addr)
		if err == nil {
			if err = c.Auth(nil); err == nil {
				err = c.Hello()
			}
			if err != nil {
				c.Close()
			}
		}
		done <- result{c, err}
	}()
	ctx, cancel := context.WithTimeout(ctx, busTimeout)
	defer cancel()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("cannot use the session bus at %s: %w", addr, r.err)
		}
		return r.c, nil
	case <-ctx.Done():
		go func() {
			if r := <-done; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, fmt.Errorf("the session bus at %s does not answer", addr)
	}
}

// CheckDesktop reports whether a status icon can be shown, with an error
// matching ErrNoDesktop if not. On Linux that needs a D-Bus session bus;
// Run checks it before systray needs one (systray only logs a missing bus,
// then panics when it quits).
func CheckDesktop(ctx context.Context) error {
	c, err := dialSession(ctx)
	if err != nil {
		return fmt.Errorf("%w: %v (the tray needs a D-Bus session bus)", ErrNoDesktop, err)
	}
	return c.Close()
}

// keepRegistered makes sure the icon is registered with whatever
// StatusNotifierWatcher (the system tray) runs, now and whenever one
// starts. systray re-registers by itself too, but its watch stops for good
// at the first unexpected signal on the connection it shares with desktop
// notifications; this one has a connection of its own. Registering is
// skipped when the watcher already lists the item, so nothing is doubled.
func keepRegistered(ctx context.Context, log *slog.Logger) {
	conn, err := dialSession(ctx)
	if err != nil {
		log.Warn("watch for the system tray", "err", err)
		return
	}
	defer conn.Close()
	if err := conn.AddMatchSignal(
		dbus.WithMatchSender("org.freedesktop.DBus"),
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, watcherName),
	); err != nil {
		log.Warn("watch for the system tray", "err", err)
		return
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)

	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&has); err == nil && !has {
		log.Info("no system tray (StatusNotifierWatcher) yet; the icon appears when one starts")
	}
	// Give systray's own registration a moment first.
	timer := time.NewTimer(2 * time.Second)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case sig := <-signals:
			if sig == nil || sig.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(sig.Body) != 3 {
				continue
			}
			if name, _ := sig.Body[0].(string); name != watcherName {
				continue
			}
			if owner, _ := sig.Body[2].(string); owner != "" {
				log.Info("a system tray started")
				timer.Reset(time.Second)
			}
		case <-timer.C:
			if retry := ensureRegistered(conn, log); retry {
				timer.Reset(2 * time.Second)
			}
		}
	}
}

// ensureRegistered registers the icon unless the watcher lists it. It
// reports whether to try again shortly (systray is not on the bus yet).
func ensureRegistered(watch *dbus.Conn, log *slog.Logger) (retry bool) {
	var has bool
	if err := watch.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&has); err != nil || !has {
		return false // no tray now; its arrival will wake us
	}
	// systray's connection is the process's shared session bus connection,
	// and it owns this name once the item is exported.
	item := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", os.Getpid())
	if err := watch.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, item).Store(&has); err != nil || !has {
		return true
	}
	shared, err := dbus.SessionBus()
	if err != nil || len(shared.Names()) == 0 {
		return true
	}
	unique := shared.Names()[0]
	v, err := watch.Object(watcherName, watcherPath).GetProperty(watcherName + ".RegisteredStatusNotifierItems")
	if err == nil {
		items, _ := v.Value().([]string)
		for _, it := range items {
			if strings.HasPrefix(it, unique) || strings.HasPrefix(it, item) {
				return false
			}
		}
	}
	call := shared.Object(watcherName, watcherPath).Call(watcherName+".RegisterStatusNotifierItem", 0, string(itemPath))
	if call.Err != nil {
		log.Warn("register the icon with the system tray", "err", call.Err)
		return false
	}
	log.Info("registered the icon with the system tray")
	return false
}
