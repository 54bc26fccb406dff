//go:build !darwin || cgo

package tray

// NoIcon is empty where the tray shows its status icon. In a macOS build
// without cgo it says why there is none (see headless_darwin.go).
const NoIcon = ""
