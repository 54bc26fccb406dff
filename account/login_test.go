package account

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

func TestPendingLoginExpires(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	school := magistertest.Start(t)
	st, _ := state.Open(t.TempDir())
	sch, _ := magister.ParseSchool("demo")
	sch, _ = sch.WithBaseURL(school.URL)
	req, err := StartLogin(context.Background(), st.Dir(), sch, "")
	if err != nil {
		t.Fatal(err)
	}
	redirect := magistertest.SignIn(t, req.AuthorizeURL())
	clients := &Clients{Dir: st.Dir()}
	late := req.CreatedAt.Add(PendingLoginTTL + time.Second)
	if _, err := CompleteLogin(context.Background(), st, clients, redirect, late); !errors.Is(err, ErrLoginExpired) {
		t.Fatalf("late completion: %v", err)
	}
	// The expired login is gone: a retry says so instead of trying again.
	if _, err := CompleteLogin(context.Background(), st, clients, redirect, req.CreatedAt); !errors.Is(err, ErrNoPendingLogin) {
		t.Fatalf("after expiry: %v", err)
	}
	if _, err := WaitLogin(context.Background(), st, req, time.Millisecond); err == nil {
		t.Fatal("WaitLogin reported success for an expired login")
	}
}

func TestDamagedPendingLoginIsRemoved(t *testing.T) {
	st, _ := state.Open(t.TempDir())
	path := filepath.Join(st.Dir(), PendingLoginName)
	os.WriteFile(path, []byte("{not json"), 0o600)
	_, err := CompleteLogin(context.Background(), st, &Clients{Dir: st.Dir()}, "m6loapp://oauth2redirect/#code=x&state=y", time.Now())
	if !errors.Is(err, ErrDamagedPending) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("damaged pending login left behind: %v", err)
	}
	if _, ok := PendingLogin(st.Dir()); ok {
		t.Fatal("PendingLogin reported a damaged file as pending")
	}
}
