package notifier

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

func TestPendingLoginExpires(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	school := magistertest.New()
	defer school.Close()
	st, _ := state.Open(t.TempDir())
	sch, _ := magister.ParseSchool("demo")
	sch, _ = sch.WithBaseURL(school.URL)
	req, err := StartLogin(st.Dir(), sch, "")
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(req.AuthorizeURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	accts := &Accounts{Dir: st.Dir()}
	late := req.CreatedAt.Add(PendingLoginTTL + time.Second)
	if _, err := CompleteLogin(context.Background(), st, accts, resp.Header.Get("Location"), late); !errors.Is(err, ErrLoginExpired) {
		t.Fatalf("late completion: %v", err)
	}
	// The expired login is gone: a retry says so instead of trying again.
	if _, err := CompleteLogin(context.Background(), st, accts, resp.Header.Get("Location"), req.CreatedAt); !errors.Is(err, ErrNoPendingLogin) {
		t.Fatalf("after expiry: %v", err)
	}
	if _, err := WaitLogin(context.Background(), st, req, time.Millisecond); err == nil {
		t.Fatal("WaitLogin reported success for an expired login")
	}
}
