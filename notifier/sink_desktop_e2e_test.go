//go:build e2e

package notifier

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestE2EDunst sends through the desktop sink to a real notification daemon
// and reads it back from dunst's history. scripts/e2e-notify.sh provides the
// session bus, Xvfb and dunst; run that script, not this test alone.
func TestE2EDunst(t *testing.T) {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		t.Fatal("DBUS_SESSION_BUS_ADDRESS is not set: run scripts/e2e-notify.sh")
	}
	if _, err := exec.LookPath("dunstctl"); err != nil {
		t.Fatalf("dunstctl is needed (Debian package dunst): %v", err)
	}
	sendDesktopHelper(t, addr)

	deadline := time.Now().Add(10 * time.Second)
	for {
		missing, err := missingFromDunstHistory()
		if err == nil && len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("dunst history lacks %v (%v)", missing, err)
		}
		time.Sleep(100 * time.Millisecond) // waiting for another process
	}
}

// missingFromDunstHistory closes what dunst shows (so that it enters the
// history) and lists the test notifications the history does not hold.
func missingFromDunstHistory() ([]string, error) {
	if out, err := exec.Command("dunstctl", "close-all").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("dunstctl close-all: %v: %s", err, out)
	}
	out, err := exec.Command("dunstctl", "history").Output()
	if err != nil {
		return nil, fmt.Errorf("dunstctl history: %w", err)
	}
	type field struct {
		Data any `json:"data"`
	}
	var hist struct {
		Data [][]map[string]field `json:"data"`
	}
	if err := json.Unmarshal(out, &hist); err != nil {
		return nil, fmt.Errorf("dunstctl history: %w: %.200s", err, out)
	}
	var missing []string
	for _, want := range desktopTestNotifications {
		found := false
		for _, list := range hist.Data {
			for _, n := range list {
				// dunst reads markup in the body (it announces body-markup)
				// and keeps what it received: the body escaped, which it
				// shows as typed; the summary is plain text.
				if n["appname"].Data == AppName && n["summary"].Data == want.Title &&
					n["body"].Data == escapeMarkup(want.Body) {
					found = true
				}
			}
		}
		if !found {
			missing = append(missing, fmt.Sprintf("%q/%q", want.Title, want.Body))
		}
	}
	return missing, nil
}
