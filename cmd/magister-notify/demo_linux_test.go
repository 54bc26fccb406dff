package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The demo's fallback is about D-Bus desktops: on Windows and macOS there
// is always a desktop to run the tray in.

// TestDemoWithoutDesktopRunsInTheTerminal (issue 13, item 11): without a
// desktop session the demo says so in one line and runs in the terminal,
// instead of failing with the tray's error.
func TestDemoWithoutDesktopRunsInTheTerminal(t *testing.T) {
	demoEnv(t)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	code, out, errs := runCLI(t, context.Background(), "demo", "--for", "300ms")
	if code != 0 {
		t.Fatalf("demo without a desktop: exit %d\n%s%s", code, out, errs)
	}
	if n := strings.Count(out, "No desktop session here"); n != 1 {
		t.Errorf("said %d times that there is no desktop, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "The demo ends:") {
		t.Errorf("the demo did not run in the terminal:\n%s", out)
	}
}
