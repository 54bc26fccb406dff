package tray

import "runtime"

// fyne.io/systray locks the main goroutine to the main thread in its package
// init, for the Cocoa and Win32 event loops that must run there. On Linux it
// talks D-Bus from any thread and needs no such lock, while a locked main
// goroutine costs every command a thread hand-off (and often a new thread)
// at each blocking call. Package inits run in dependency order on the main
// goroutine, so this undoes exactly systray's lock.
func init() { runtime.UnlockOSThread() }
