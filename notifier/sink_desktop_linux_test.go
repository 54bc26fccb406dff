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
	"unicode/utf8"

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

// desktopTestNotifications are what the helper sends: a normal one, an
// urgent one, and one with school text that looks like markup.
var desktopTestNotifications = [3]Notification{
	{ID: "n1", Title: "Anna: Nieuw cijfer", Body: "Wiskunde 7,5 (weging 2)"},
	{ID: "n2", Title: "Daan: Onvoldoende", Body: "Engels 4,1", Urgent: true},
	{ID: "n3", Title: "<b>wiskunde</b> & J_de_Vries", Body: "SO hoofdstuk 3 & 4: breuken <herkansing> en meer, cijfer <5,5"},
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

	got, err := srv.WaitTimeout(10*time.Second, len(desktopTestNotifications))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(desktopTestNotifications) {
		t.Fatalf("server got %d notifications, want %d", len(got), len(desktopTestNotifications))
	}
	for i, want := range desktopTestNotifications {
		n := got[i]
		if n.AppName != "magister-notify" || n.Summary != want.Title || n.Body != want.Body {
			t.Errorf("notification %d: app %q summary %q body %q", i, n.AppName, n.Summary, n.Body)
		}
		// Normal urgency also for a failing grade: the text says it, and
		// a critical red bubble would alarm a parent.
		if urgency, ok := n.Urgency(); !ok || urgency != 1 {
			t.Errorf("notification %d: urgency %d (%v), want 1", i, urgency, ok)
		}
		// The server's own display time, so it lands in its history.
		if n.ExpireTimeout != -1 {
			t.Errorf("notification %d: expire timeout %d, want -1", i, n.ExpireTimeout)
		}
	}
	if len(stdout) != 0 {
		t.Errorf("helper stdout %q: nothing beeps", stdout)
	}
}

// TestDesktopSinkHostileText: school text arrives exactly as typed (escaped
// where the server reads markup), within the length limits, cut with an
// ellipsis and never in the middle of a character.
func TestDesktopSinkHostileText(t *testing.T) {
	addr := dbustest.StartSessionBus(t)
	srv := dbustest.StartNotificationServer(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	sink := NewDesktopSink("")
	ctx := context.Background()
	for _, markup := range []bool{false, true} {
		if markup {
			srv.SetCapabilities("body", "body-markup")
		} else {
			srv.SetCapabilities("body")
		}
		before := len(srv.Notifications())
		for _, text := range hostileTexts {
			if err := sink.Send(ctx, Notification{Title: text, Body: text}); err != nil {
				t.Fatalf("send %q: %v", text, err)
			}
		}
		got, err := srv.WaitTimeout(10*time.Second, before+len(hostileTexts))
		if err != nil {
			t.Fatal(err)
		}
		for i, text := range hostileTexts {
			n := got[before+i]
			wantTitle, wantBody := shorten(validText(text), maxTitle), shorten(validText(text), maxBody)
			if markup {
				wantBody = escapeMarkup(wantBody) // the summary is plain text
			}
			if n.Summary != wantTitle {
				t.Errorf("markup %v: summary %q, want %q", markup, n.Summary, wantTitle)
			}
			if n.Body != wantBody {
				t.Errorf("markup %v: body %q, want %q", markup, n.Body, wantBody)
			}
			if !utf8.ValidString(n.Body) || utf8.RuneCountInString(unescape(n.Body)) > maxBody {
				t.Errorf("body of %d characters, or not valid UTF-8: %q", utf8.RuneCountInString(n.Body), n.Body)
			}
			if markup && (strings.Contains(n.Body, "<b>") || strings.Contains(n.Body, "<a ")) {
				t.Errorf("markup reached a server that reads it: %q", n.Body)
			}
		}
	}
}

// TestDesktopClickOpensThePage (issue 15): with Clicks (the tray), a
// notification carries the open action where the server offers actions,
// and clicking it opens the entry's page; without actions, or for a
// one-off CLI run, notifications are plain.
func TestDesktopClickOpensThePage(t *testing.T) {
	addr := dbustest.StartSessionBus(t)
	srv := dbustest.StartNotificationServer(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	opened := make(chan string, 4)
	clicks := NewClicks(func(url string) error { opened <- url; return nil })
	t.Cleanup(func() { clicks.Close() })
	sinks, err := ParseSinks([]string{"desktop"}, SinkClicks(clicks))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const page = "https://demo.magister.net/magister/#/cijfers"

	srv.SetCapabilities("body", "actions")
	// Sent within a delivery round whose context ends right after: the
	// click comes later and must still be heard.
	round, endRound := context.WithCancel(ctx)
	if err := sinks[0].Send(round, Notification{Title: "8,3 voor Wiskunde A", URL: page}); err != nil {
		t.Fatal(err)
	}
	endRound()
	got, err := srv.WaitTimeout(10*time.Second, 1)
	if err != nil {
		t.Fatal(err)
	}
	if a := got[0].Actions; len(a) < 2 || a[0] != "default" {
		t.Fatalf("actions %q, want the default action first", a)
	}
	// A malformed signal from anyone on the bus is ignored.
	srv.Emit("ActionInvoked", "not an id", 7)
	if err := srv.InvokeAction(got[0].ID, "default"); err != nil {
		t.Fatal(err)
	}
	select {
	case url := <-opened:
		if url != page {
			t.Errorf("a click opened %q, want %q", url, page)
		}
	case <-time.After(10 * time.Second): // a hang guard, not a speed claim
		t.Fatal("a click on the notification opened nothing")
	}

	// A server without actions gets none; so does a sink without Clicks.
	srv.SetCapabilities("body")
	sinks[0].Send(ctx, Notification{Title: "x", URL: page})
	plain, _ := ParseSinks([]string{"desktop"})
	srv.SetCapabilities("body", "actions")
	plain[0].Send(ctx, Notification{Title: "y", URL: page})
	got, err = srv.WaitTimeout(10*time.Second, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range got[1:] {
		if len(n.Actions) != 0 {
			t.Errorf("%q carries actions %q", n.Summary, n.Actions)
		}
	}
}
