// Package assets holds the magister-notify icons, drawn in Go by
// internal/icon and embedded here: PNGs for Linux trays and notifications,
// ICO files for Windows and template PNGs for the macOS menu bar.
// Regenerate them with `go generate ./assets` after changing the drawing.
package assets

//go:generate go run ./internal/gen -out icons

import (
	"embed"
	"fmt"
)

// The icon states.
const (
	// Normal is the everyday icon.
	Normal = "normal"
	// Unread adds a red dot: there are notifications not yet marked as read.
	Unread = "unread"
	// Attention is the bell with a "!" badge: something needs the user (a
	// login, or repeated failures).
	Attention = "attention"
	// AttentionUnread is Attention that keeps the unread dot, so that news
	// stays visible while something is wrong.
	AttentionUnread = "attention-unread"
	// Paused is a dark bell on a light grey square with a pause badge:
	// notifications are paused.
	Paused = "paused"
)

// States lists every icon state.
var States = []string{Normal, Unread, Attention, AttentionUnread, Paused}

//go:embed icons
var files embed.FS

// PNG returns the full-colour icon of state at size×size pixels (16, 24, 32,
// 48, 64 or 256), or nil if there is no such file.
func PNG(state string, size int) []byte { return read(fmt.Sprintf("icons/%s-%d.png", state, size)) }

// ICO returns the Windows icon file of state (16 to 256 pixels inside), or
// nil for an unknown state.
func ICO(state string) []byte { return read("icons/" + state + ".ico") }

// Template returns the macOS template PNG of state: a black glyph whose
// alpha the menu bar tints, or nil for an unknown state.
func Template(state string) []byte { return read("icons/" + state + "-template.png") }

// AppIcon is the 64 pixel application icon, for desktop notifications.
func AppIcon() []byte { return PNG(Normal, 64) }

func read(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil
	}
	return b
}
