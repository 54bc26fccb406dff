//go:build !darwin || cgo

package tray

import (
	"context"
	"fmt"
	"reflect"

	"fyne.io/systray"
)

// menuItem is a drawn item; nil for separators, which systray does not
// return.
type menuItem struct{ it *systray.MenuItem }

// runSystray runs systray's loop on the calling goroutine until
// systrayQuit. systray panics when it quits without a D-Bus connection
// (Linux, no session bus); Run checks for a bus first, and this turns a
// remaining panic into an error rather than a crash.
func runSystray(title string, onReady func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("tray: the status icon failed: %v", r)
		}
	}()
	setTitle(title)
	systray.Run(onReady, nil)
	return nil
}

func systrayQuit() { systray.Quit() }

// render makes the drawn menu show t.cur: in place when only labels, checks
// or enabled states changed (item ids stay valid, an open menu does not
// flicker), else rebuilt from scratch. In place, items are hidden first and
// shown last, so that a submenu that takes its twin's place (see steady)
// is complete when it appears. t.mu is held.
func (t *tray) render() {
	m := t.cur
	if m.icon != t.shown.icon {
		setIcon(m.icon)
	}
	if m.tooltip != t.shown.tooltip {
		systray.SetTooltip(m.tooltip)
	}
	if t.items == nil || !m.sameShape(t.shown) {
		t.rebuild(m)
		t.shown = m
		return
	}
	m = steady(t.shown, m)
	var show []*systray.MenuItem
	for i, want := range m.items {
		had, mi := t.shown.items[i], t.items[i].it
		switch {
		case mi == nil:
			continue
		case want.hidden && !had.hidden:
			mi.Hide()
		case !want.hidden && had.hidden:
			show = append(show, mi)
		}
	}
	for i, want := range m.items {
		had, mi := t.shown.items[i], t.items[i].it
		if mi == nil {
			continue
		}
		if want.label != had.label {
			mi.SetTitle(menuLabel(want.label))
		}
		if want.checked != had.checked {
			if want.checked {
				mi.Check()
			} else {
				mi.Uncheck()
			}
		}
		if want.disabled != had.disabled {
			if want.disabled {
				mi.Disable()
			} else {
				mi.Enable()
			}
		}
	}
	for _, mi := range show {
		mi.Show()
	}
	t.shown = m
}

// rebuild draws m from nothing and starts its event loop, ending the
// previous one. t.mu is held.
func (t *tray) rebuild(m model) {
	if t.loopCancel != nil {
		t.loopCancel()
	}
	if t.items != nil {
		systray.ResetMenu()
	}
	items := make([]menuItem, len(m.items))
	for i, it := range m.items {
		var parent *systray.MenuItem
		if it.parent >= 0 {
			parent = items[it.parent].it
		}
		var mi *systray.MenuItem
		switch {
		case it.kind == itemSeparator && parent == nil:
			systray.AddSeparator()
		case it.kind == itemSeparator:
			parent.AddSeparator()
		case it.kind == itemCheckbox && parent == nil:
			mi = systray.AddMenuItemCheckbox(menuLabel(it.label), "", it.checked)
		case it.kind == itemCheckbox:
			mi = parent.AddSubMenuItemCheckbox(menuLabel(it.label), "", it.checked)
		case parent == nil:
			mi = systray.AddMenuItem(menuLabel(it.label), "")
		default:
			mi = parent.AddSubMenuItem(menuLabel(it.label), "")
		}
		if mi != nil && it.disabled {
			mi.Disable()
		}
		if mi != nil && it.hidden {
			mi.Hide()
		}
		items[i] = menuItem{mi}
	}
	t.items = items
	ctx, cancel := context.WithCancel(context.Background())
	t.loopCancel = cancel
	go t.eventLoop(ctx, items)
}

// eventLoop turns clicks on items into actions for the worker. It only
// hands them over, so it is always back in time for the next click:
// systray drops a click that nobody is receiving.
func (t *tray) eventLoop(ctx context.Context, items []menuItem) {
	cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())}}
	index := []int{-1}
	for i, mi := range items {
		if mi.it == nil {
			continue
		}
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(mi.it.ClickedCh)})
		index = append(index, i)
	}
	for {
		chosen, _, ok := reflect.Select(cases)
		if chosen == 0 {
			return
		}
		if !ok {
			// The item was removed (a rebuild is under way): stop listening
			// to it; ctx ends this loop in a moment.
			cases[chosen].Chan = reflect.Value{}
			continue
		}
		t.mu.Lock()
		var a action
		if ctx.Err() == nil && index[chosen] < len(t.shown.items) {
			a = t.shown.items[index[chosen]].act
		}
		t.mu.Unlock()
		if a.kind == actNone {
			continue
		}
		select {
		case t.actions <- a:
		default:
			t.log.Warn("a click was dropped: the tray is busy", "action", a.kind.String())
		}
	}
}
