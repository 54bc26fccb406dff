//go:build !cgo

package tray

// The macOS menu bar needs Cocoa, which systray reaches only through cgo
// (and Apple's SDK). Built without cgo — the cross-built .tar.gz of make
// dist — the tray runs headless instead: the same scheduler, notifications,
// state and locks, and the LaunchAgent starts it at login; only the icon and
// its menu are missing. make macos-app on a Mac builds the full one.

import "sync"

// NoIcon says why this build shows no status icon; Run logs it once and
// status shows it.
const NoIcon = "no menu-bar icon: this macOS build was made without cgo; the icon and its menu need the Mac build (make macos-app). Checks and notifications run as usual."

// menuItem stands in for a drawn item; nothing is drawn.
type menuItem struct{}

// headless ends runSystray, as systray.Quit ends systray.Run.
var headless = struct {
	once sync.Once
	quit chan struct{}
}{quit: make(chan struct{})}

// runSystray calls onReady and waits for systrayQuit, like systray.Run
// without an icon.
func runSystray(_ string, onReady func()) error {
	onReady()
	<-headless.quit
	return nil
}

func systrayQuit() { headless.once.Do(func() { close(headless.quit) }) }

// render records the model as shown: there is no menu to draw it in.
// t.mu is held.
func (t *tray) render() { t.shown = t.cur }
