//go:build windows || darwin

package tray

import (
	"context"
	"log/slog"
)

// CheckDesktop reports whether a status icon can be shown: on Windows and
// macOS there always is a notification area while a user is logged in.
func CheckDesktop(context.Context) error { return nil }

// keepRegistered has nothing to do outside D-Bus desktops.
func keepRegistered(context.Context, *slog.Logger) {}
