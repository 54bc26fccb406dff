package tray

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

// fakeWatcher is an org.kde.StatusNotifierWatcher (the part of a system
// tray that items register with) recording who registered.
type fakeWatcher struct {
	conn  *dbus.Conn
	props *prop.Properties

	mu      sync.Mutex
	items   []string // "sender/path", as real watchers list them
	calls   int
	changed chan struct{}
}

// startWatcher connects to the bus at addr, exports the watcher and only
// then owns its name, so that nobody finds the name without the object.
func startWatcher(t *testing.T, addr string) *fakeWatcher {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &fakeWatcher{conn: conn, changed: make(chan struct{})}
	if err := conn.Export(w, watcherPath, watcherName); err != nil {
		t.Fatal(err)
	}
	w.props, err = prop.Export(conn, watcherPath, prop.Map{watcherName: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue, Writable: true},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
	}})
	if err != nil {
		t.Fatal(err)
	}
	node := &introspect.Node{Name: string(watcherPath), Interfaces: []introspect.Interface{
		introspect.IntrospectData, prop.IntrospectData,
		{Name: watcherName, Methods: introspect.Methods(w), Properties: w.props.Introspection(watcherName)},
	}}
	if err := conn.Export(introspect.NewIntrospectable(node), watcherPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName(watcherName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", watcherName, reply, err)
	}
	return w
}

// RegisterStatusNotifierItem is the method items call.
func (w *fakeWatcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	name := service
	if strings.HasPrefix(service, "/") {
		name = string(sender) + service
	}
	w.mu.Lock()
	w.calls++
	if !slices.Contains(w.items, name) {
		w.items = append(w.items, name)
	}
	items := slices.Clone(w.items)
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
	// Set, not SetMust: a registration can arrive while the test closes
	// the connection, and SetMust panics then.
	w.props.Set(watcherName, "RegisteredStatusNotifierItems", dbus.MakeVariant(items))
	return nil
}

// RegisterStatusNotifierHost is the method hosts call.
func (w *fakeWatcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

// waitItem waits until an item of the bus name owner registered.
func (w *fakeWatcher) waitItem(t *testing.T, owner string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		w.mu.Lock()
		items, changed := slices.Clone(w.items), w.changed
		w.mu.Unlock()
		for _, it := range items {
			if it == owner+string(itemPath) {
				return
			}
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no registration by %s within %v; registered: %v", owner, timeout, items)
		}
	}
}

// menuNode is one dbusmenu item as GetLayout returns it.
type menuNode struct {
	ID       int32
	Visible  bool
	Label    string
	Enabled  bool
	Toggle   string // "checkmark" for checkboxes
	Checked  bool
	Children []*menuNode
}

// shown is the visible children of n.
func (n *menuNode) shown() []*menuNode {
	var out []*menuNode
	for _, c := range n.Children {
		if c.Visible {
			out = append(out, c)
		}
	}
	return out
}

func (n *menuNode) find(label string) *menuNode {
	if n.Label == label {
		return n
	}
	for _, c := range n.shown() {
		if f := c.find(label); f != nil {
			return f
		}
	}
	return nil
}

// findPrefix finds the first item whose label starts with prefix.
func (n *menuNode) findPrefix(prefix string) *menuNode {
	if prefix != "" && strings.HasPrefix(n.Label, prefix) {
		return n
	}
	for _, c := range n.shown() {
		if f := c.findPrefix(prefix); f != nil {
			return f
		}
	}
	return nil
}

func (n *menuNode) labels() []string {
	var out []string
	var walk func(*menuNode, string)
	walk = func(m *menuNode, indent string) {
		for _, c := range m.shown() {
			if c.Label != "" {
				out = append(out, indent+c.Label)
			}
			walk(c, indent+"  ")
		}
	}
	walk(n, "")
	return out
}

func parseLayout(v []any) (*menuNode, error) {
	if len(v) != 3 {
		return nil, fmt.Errorf("layout entry has %d fields", len(v))
	}
	id, _ := v[0].(int32)
	props, _ := v[1].(map[string]dbus.Variant)
	n := &menuNode{ID: id, Enabled: true, Visible: true}
	if l, ok := props["label"]; ok {
		n.Label, _ = l.Value().(string)
	}
	if e, ok := props["enabled"]; ok {
		n.Enabled, _ = e.Value().(bool)
	}
	if tt, ok := props["toggle-type"]; ok {
		n.Toggle, _ = tt.Value().(string)
	}
	if ts, ok := props["toggle-state"]; ok {
		s, _ := ts.Value().(int32)
		n.Checked = s == 1
	}
	if vis, ok := props["visible"]; ok {
		n.Visible, _ = vis.Value().(bool)
	}
	kids, _ := v[2].([]dbus.Variant)
	for _, k := range kids {
		fields, ok := k.Value().([]any)
		if !ok {
			return nil, fmt.Errorf("child is %T", k.Value())
		}
		c, err := parseLayout(fields)
		if err != nil {
			return nil, err
		}
		n.Children = append(n.Children, c)
	}
	return n, nil
}

// trayItem is a running tray seen from the bus.
type trayItem struct {
	conn *dbus.Conn
	name string // org.kde.StatusNotifierItem-PID-1
	menu dbus.ObjectPath
}

func newTrayItem(t *testing.T, conn *dbus.Conn, pid int) *trayItem {
	t.Helper()
	it := &trayItem{conn: conn, name: fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", pid)}
	// Read the Menu property rather than assume the path.
	v, err := conn.Object(it.name, itemPath).GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		t.Fatalf("read the item's Menu property: %v", err)
	}
	it.menu, _ = v.Value().(dbus.ObjectPath)
	if it.menu == "" {
		t.Fatalf("Menu property is %v", v)
	}
	return it
}

func (it *trayItem) layout() (*menuNode, error) {
	var rev uint32
	var root []any
	call := it.conn.Object(it.name, it.menu).Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		return nil, call.Err
	}
	if len(call.Body) != 2 {
		return nil, fmt.Errorf("GetLayout answered %d values", len(call.Body))
	}
	rev, _ = call.Body[0].(uint32)
	_ = rev
	root, _ = call.Body[1].([]any)
	return parseLayout(root)
}

// waitLayout polls the menu until ok accepts it (submenus appear on a later
// GetLayout than the first), failing after timeout.
func (it *trayItem) waitLayout(t *testing.T, timeout time.Duration, what string, ok func(*menuNode) bool) *menuNode {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last *menuNode
	var err error
	for time.Now().Before(deadline) {
		if last, err = it.layout(); err == nil && ok(last) {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
	var got []string
	if last != nil {
		got = last.labels()
	}
	t.Fatalf("menu never showed %s within %v (err %v); last menu:\n%s", what, timeout, err, strings.Join(got, "\n"))
	return nil
}

func (it *trayItem) click(id int32) error {
	return it.conn.Object(it.name, it.menu).Call("com.canonical.dbusmenu.Event", 0,
		id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err
}

// clickUntil clicks the item labelled label until done reports success: a
// rebuild of the menu between reading an id and clicking it would otherwise
// lose the click.
func (it *trayItem) clickUntil(t *testing.T, label string, done func() bool) {
	t.Helper()
	for try := 0; try < 5; try++ {
		m, err := it.layout()
		if err != nil {
			t.Fatal(err)
		}
		n := m.find(label)
		if n == nil {
			n = m.findPrefix(label)
		}
		if n == nil {
			t.Fatalf("no %q in the menu:\n%s", label, strings.Join(m.labels(), "\n"))
		}
		if err := it.click(n.ID); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			if done() {
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	t.Fatalf("clicking %q had no effect", label)
}
