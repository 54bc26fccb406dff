package tray

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/state"
)

// TestLoginWithoutBrowser: "Log in again…" when no browser opens says so in
// a notification, and the menu's line shows a short address that sends a
// browser on to the login's own.
func TestLoginWithoutBrowser(t *testing.T) {
	const authorize = "https://accounts.magister.net/connect/authorize?client_id=M6LOAPP&state=abc&prompt=select_account"
	e := newEnv(t)
	p, _ := e.startRegisteredTray(t, "MAGISTER_TRAY_TEST_NO_BROWSER="+authorize)
	it := newTrayItem(t, e.conn, p.pid())

	if err := e.st.Update(context.Background(), func(s *state.State) error {
		s.Health.LoginRequired = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	before := it.waitLayout(t, 5*time.Second, "Log in again…", func(m *menuNode) bool { return m.find("Log in again…") != nil })
	it.click(before.find("Log in again…").ID)

	notes, err := e.notes.WaitTimeout(10*time.Second, 1)
	if err != nil {
		t.Fatal(err)
	}
	addr := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+/`)
	if n := notes[0]; n.Summary != "The browser could not be opened" || addr.FindString(n.Body) == "" {
		t.Fatalf("notification %q / %q, want the browser not opening and an address", n.Summary, n.Body)
	}
	page := addr.FindString(notes[0].Body)
	line := "Open in a browser to log in: " + page
	after := it.waitLayout(t, 5*time.Second, fmt.Sprintf("%q", line), func(m *menuNode) bool { return m.find(line) != nil })
	// In the problem's place: the line below the status.
	if got := after.shown()[1].Label; got != line {
		t.Errorf("second line %q, want %q", got, line)
	}
	if i, j := indexOf(before, "Check now"), indexOf(after, "Check now"); i != j || i < 0 {
		t.Errorf("Check now moved from row %d to %d", i, j)
	}

	// The address sends a browser on to the login.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != authorize {
		t.Errorf("GET %s: %d to %q, want 302 to %q", page, resp.StatusCode, loc, authorize)
	}
	if n := len(e.notes.Notifications()); n != 1 {
		t.Errorf("%d notifications, want 1", n)
	}

	// Once the login completes (its pending file is gone), the address and
	// its page go.
	if err := os.Remove(filepath.Join(e.dir, pendingLoginFile)); err != nil {
		t.Fatal(err)
	}
	it.waitLayout(t, 5*time.Second, "the address gone", func(m *menuNode) bool { return m.find(line) == nil })
	if resp, err := client.Get(page); err == nil {
		resp.Body.Close()
		t.Errorf("%s still answers after the login", page)
	}
}

func indexOf(m *menuNode, label string) int {
	for i, c := range m.shown() {
		if c.Label == label {
			return i
		}
	}
	return -1
}
