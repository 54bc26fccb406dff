package magister

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

func TestFollowRescues(t *testing.T) {
	rescue := func(name, replaces, rt string) rescueFile {
		return rescueFile{path: name, rec: rescueRecord{Version: 1, Key: "k", Replaces: fingerprint(replaces), Token: storedToken{RefreshToken: rt}}}
	}
	stored := &Token{RefreshToken: "a"}
	files := []rescueFile{
		rescue("second", "b", "c"), // listed first: order on disk does not matter
		rescue("first", "a", "b"),
		rescue("stale", "gone", "x"),
	}
	newest, chain, stale := followRescues(stored, files)
	if newest.RefreshToken != "c" || !slices.Equal(chain, []string{"first", "second"}) || !slices.Equal(stale, []string{"stale"}) {
		t.Errorf("followRescues = %q, chain %q, stale %q; want c, [first second], [stale]", newest.RefreshToken, chain, stale)
	}
	// Without a rescue that continues the stored token, the stored one is newest.
	newest, chain, stale = followRescues(&Token{RefreshToken: "z"}, files)
	if newest.RefreshToken != "z" || len(chain) != 0 || len(stale) != 3 {
		t.Errorf("no chain: %q, %q, %q", newest.RefreshToken, chain, stale)
	}
}

// TestTokenSourceTakesBackRescue: a process refreshed, could not save the
// result in the token file and left it in a rescue file (and another died
// with an empty reservation). The next TokenSource uses the rescued token,
// saves it in the store and removes the files.
func TestTokenSourceTakesBackRescue(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	school := fakeSchool(t, f)
	dir := t.TempDir()
	store := NewFileTokenStore(dir)
	old := freshToken(t, f, school, magistertest.ParentLogin)
	old.Expiry = time.Unix(0, 0)
	if err := store.Save(ctx, "k", old); err != nil {
		t.Fatal(err)
	}
	// The refresh that used up old's refresh token.
	nt, err := Refresh(ctx, school, old.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	live, _ := json.Marshal(rescueRecord{Version: 1, Key: "k", Replaces: fingerprint(old.RefreshToken), Token: toStored(nt)})
	stale, _ := json.Marshal(rescueRecord{Version: 1, Key: "k", Replaces: fingerprint("long gone"), Token: storedToken{RefreshToken: "x"}})
	write(rescuePrefix+"1"+rescueSuffix, append(live, strings.Repeat(" ", 100)...))
	write(rescuePrefix+"2"+rescueSuffix, stale)
	write(rescuePrefix+"3"+rescueSuffix, []byte(strings.Repeat(" ", 4096))) // a reservation never filled

	ts := NewTokenSource(school, store, dir, "k")
	acct, err := New(school, ts).Account(ctx)
	if err != nil || acct.FirstName != "Eva" {
		t.Fatalf("with a rescued token: %+v, %v", acct, err)
	}
	got, err := store.Load(ctx, "k")
	if err != nil || got.RefreshToken != nt.RefreshToken {
		t.Errorf("the store does not hold the rescued token: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, rescuePrefix+"*")); len(m) != 0 {
		t.Errorf("rescue files left: %q", m)
	}
	if n, _ := countRequests(f, "/connect/token"); n != 2 { // login and the rescued refresh only
		t.Errorf("%d token requests; the rescued token should have been used as it is", n)
	}
}

// TestDeleteRemovesRescues: logging out forgets a rescued token too.
func TestDeleteRemovesRescues(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ts := NewTokenSource(demoSchool(t), NewFileTokenStore(dir), dir, "k")
	tok := sampleToken(1)
	if err := ts.Save(ctx, tok); err != nil {
		t.Fatal(err)
	}
	rec, _ := json.Marshal(rescueRecord{Version: 1, Key: "k", Replaces: fingerprint(tok.RefreshToken), Token: toStored(sampleToken(2))})
	path := filepath.Join(dir, rescuePrefix+"1"+rescueSuffix)
	if err := os.WriteFile(path, rec, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ts.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the rescue file survived the logout: %v", err)
	}
}
