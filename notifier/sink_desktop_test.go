package notifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/dbustest"
	"github.com/magister-notify/magister-notify/internal/testenv"
)

// The desktop sink is tested against a private session bus. beeep talks to
// the bus through godbus's process-wide session connection, read from
// DBUS_SESSION_BUS_ADDRESS once, so the sending happens in a child process
// (this test binary again) with the variable set. The child's stdout is
// captured: beeep.Alert writes a BEL there when there is no PC speaker.

// sendDesktopHelper runs TestDesktopHelperProcess with the session bus at
// addr, and returns what it wrote to stdout.
func sendDesktopHelper(t *testing.T, addr string) []byte {
	t.Helper()
	// No PATH: beeep must reach the bus itself, not fall back to notify-send.
	cmd := testenv.HelperCommand("TestDesktopHelperProcess", "NOTIFIER_DESKTOP_HELPER=1", "DBUS_SESSION_BUS_ADDRESS="+addr, "PATH="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("desktop helper: %v\n%s", err, stderr.String())
	}
	return stdout.Bytes()
}

// desktopTestNotifications are what the helper sends: a normal and an
// urgent one.
var desktopTestNotifications = [2]Notification{
	{ID: "n1", Title: "Anna: Nieuw cijfer", Body: "Wiskunde 7,5 (weging 2)"},
	{ID: "n2", Title: "Daan: Onvoldoende", Body: "Engels 4,1", Urgent: true},
}

func TestDesktopHelperProcess(t *testing.T) {
	if os.Getenv("NOTIFIER_DESKTOP_HELPER") == "" {
		return // not a helper: nothing to do in a normal run
	}
	defer os.Exit(0)
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		helperFail(errors.New("DBUS_SESSION_BUS_ADDRESS is not set"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sinks, err := ParseSinks([]string{"desktop"})
	if err != nil {
		helperFail(err)
	}
	for _, n := range desktopTestNotifications {
		if err := sinks[0].Send(ctx, n); err != nil {
			helperFail(fmt.Errorf("send %s: %w", n.ID, err))
		}
	}
}

func TestDesktopSinkOverDBus(t *testing.T) {
	addr := dbustest.StartSessionBus(t)
	srv := dbustest.StartNotificationServer(t, addr)
	stdout := sendDesktopHelper(t, addr)

	got, err := srv.WaitTimeout(10*time.Second, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("server got %d notifications, want 2", len(got))
	}
	for i, want := range desktopTestNotifications {
		n := got[i]
		if n.AppName != "magister-notify" || n.Summary != want.Title || n.Body != want.Body {
			t.Errorf("notification %d: app %q summary %q body %q", i, n.AppName, n.Summary, n.Body)
		}
		urgency, ok := n.Urgency()
		wantUrgency := byte(1)
		if want.Urgent {
			wantUrgency = 2
		}
		if !ok || urgency != wantUrgency {
			t.Errorf("notification %d: urgency %d (%v), want %d", i, urgency, ok, wantUrgency)
		}
	}
	// Whatever Alert beeps goes to the helper's stdout, never the test's.
	if s := strings.Trim(string(stdout), "\a"); s != "" {
		t.Errorf("helper stdout %q", stdout)
	}
}

func TestDesktopSinkReportsFailure(t *testing.T) {
	s := NewDesktopSink("")
	s.notify = func(title, body string, icon any) error { return errors.New("no daemon") }
	s.alert = func(title, body string, icon any) error { t.Error("Alert for a normal notification"); return nil }
	err := s.Send(context.Background(), Notification{Title: "x"})
	if err == nil || !strings.Contains(err.Error(), "no daemon") {
		t.Errorf("err = %v", err)
	}

	block := make(chan struct{})
	defer close(block)
	s.alert = func(title, body string, icon any) error { <-block; return nil }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, Notification{Title: "x", Urgent: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("a hanging call was waited for: %v", err)
	}
}
