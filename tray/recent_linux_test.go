package tray

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/magister-notify/magister-notify/state"
)

// menuSignals records a tray's com.canonical.dbusmenu signals.
type menuSignals struct {
	mu      sync.Mutex
	updated map[int32][]map[string]dbus.Variant // ItemsPropertiesUpdated, per item
}

func watchMenuSignals(t *testing.T, conn *dbus.Conn) *menuSignals {
	t.Helper()
	if err := conn.AddMatchSignal(dbus.WithMatchInterface("com.canonical.dbusmenu")); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Signal, 256)
	conn.Signal(ch)
	ms := &menuSignals{updated: map[int32][]map[string]dbus.Variant{}}
	go func() {
		for sig := range ch {
			if sig.Name != "com.canonical.dbusmenu.ItemsPropertiesUpdated" || len(sig.Body) < 1 {
				continue
			}
			var updates []struct {
				ID    int32
				Props map[string]dbus.Variant
			}
			if err := dbus.Store(sig.Body[:1], &updates); err != nil {
				continue
			}
			ms.mu.Lock()
			for _, u := range updates {
				ms.updated[u.ID] = append(ms.updated[u.ID], u.Props)
			}
			ms.mu.Unlock()
		}
	}()
	t.Cleanup(func() { conn.RemoveSignal(ch) })
	return ms
}

func (ms *menuSignals) reset() {
	ms.mu.Lock()
	ms.updated = map[int32][]map[string]dbus.Variant{}
	ms.mu.Unlock()
}

func (ms *menuSignals) of(id int32) []map[string]dbus.Variant {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return slices.Clone(ms.updated[id])
}

// visibleRecent is the Recent submenu the host would show.
func visibleRecent(m *menuNode) *menuNode {
	for _, c := range m.Children {
		if c.Visible && c.Label == "Recent" {
			return c
		}
	}
	return nil
}

// TestRecentChangesWhileOpen: a new notification never changes the Recent
// submenu the host shows (a GTK host does not resize an open menu: the new
// row would appear with a scroll arrow, blank rows and clipped text). The
// host sees that submenu hidden, unchanged inside, and another Recent with
// the new entry in its place; the root menu keeps its number of rows.
func TestRecentChangesWhileOpen(t *testing.T) {
	e := newEnv(t)
	p, _ := e.startRegisteredTray(t)
	it := newTrayItem(t, e.conn, p.pid())
	sigs := watchMenuSignals(t, e.conn)

	add := func(id, title string) {
		t.Helper()
		if err := e.st.Update(context.Background(), func(s *state.State) error {
			s.History = append(s.History, state.Entry{ID: id, Title: title, URL: "https://demo.magister.net/" + id, Delivered: time.Now()})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	titles := []string{"Anna · 8,3 voor Wiskunde A", "Nieuw bericht van J_de_Vries", "Daan · 3e uur vervalt: wiskunde"}
	before := it.waitLayout(t, 10*time.Second, "Recent with its entries", func(m *menuNode) bool {
		r := visibleRecent(m)
		return r != nil && len(r.shown()) > 0
	})
	for i, title := range titles {
		open := visibleRecent(before)
		rows := len(before.shown())
		sigs.reset()
		add(fmt.Sprint(i), title)
		want := "• " + strings.ReplaceAll(title, "_", "__")
		after := it.waitLayout(t, 5*time.Second, fmt.Sprintf("%q in Recent", want), func(m *menuNode) bool {
			r := visibleRecent(m)
			return r != nil && len(r.shown()) > 0 && r.shown()[0].Label == want
		})
		now := visibleRecent(after)
		if now.ID == open.ID {
			t.Fatalf("entry %d: the shown Recent (id %d) was changed in place", i, open.ID)
		}
		// The copy that was shown: hidden, nothing inside it touched.
		var was *menuNode
		for _, c := range after.Children {
			if c.ID == open.ID {
				was = c
			}
		}
		if was == nil || was.Visible {
			t.Fatalf("entry %d: the Recent that was shown (id %d) is still visible", i, open.ID)
		}
		if got, want := was.labels(), open.labels(); !slices.Equal(got, want) {
			t.Errorf("entry %d: the hidden Recent changed from %q to %q", i, want, got)
		}
		for _, c := range open.Children {
			if u := sigs.of(c.ID); len(u) > 0 {
				t.Errorf("entry %d: item %d (%q) of the shown Recent was updated: %v", i, c.ID, c.Label, u)
			}
		}
		for _, u := range sigs.of(open.ID) {
			if l, ok := u["label"]; ok && l.Value() != "Recent" {
				t.Errorf("entry %d: the shown Recent was relabelled %v", i, l)
			}
		}
		if got := len(after.shown()); got != rows {
			t.Errorf("entry %d: the menu has %d rows, had %d", i, got, rows)
		}
		before = after
	}
}
