package notifier

import (
	"context"
	"fmt"
	"github.com/magister-notify/magister-notify/account"
	"path/filepath"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

// BenchmarkCheckOneChild is one whole check of a student account against
// the local fake school in steady state: fetch (HTTP + decode), diff and
// commit, and delivery of one new grade to a jsonl sink. It reports the HTTP
// requests each check makes.
func BenchmarkCheckOneChild(b *testing.B) {
	b.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent") // token file, not a keyring
	school := magistertest.New()
	defer school.Close()
	dir := b.TempDir()
	st, err := state.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	accts := &account.Clients{Dir: dir}
	sch, _ := magister.ParseSchool("demo")
	sch, _ = sch.WithBaseURL(school.URL)
	if _, err := account.ImportRefreshToken(ctx, st, accts, sch, school.IssueRefreshToken(magistertest.StudentLogin), time.Now()); err != nil {
		b.Fatal(err)
	}
	sinks, err := ParseSinks([]string{"jsonl:" + filepath.Join(dir, "out.jsonl")})
	if err != nil {
		b.Fatal(err)
	}
	c := &Checker{Store: st, Open: Sources(accts.Open)}
	d := &Deliverer{Store: st, Sinks: sinks}
	if _, err := c.Check(ctx); err != nil { // baseline, and the client's caches
		b.Fatal(err)
	}
	school.ResetRequests()
	delivered := 0
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		school.AddGrade(magistertest.GradeSpec{Child: "Sem", Value: "8,0", Weight: 1, Description: fmt.Sprint("bench ", i)})
		b.StartTimer()
		rep, err := c.Check(ctx)
		if err != nil || rep.Err != nil {
			b.Fatal(err, rep.Err)
		}
		dr, err := d.Deliver(ctx)
		if err != nil {
			b.Fatal(err)
		}
		delivered += dr.Delivered
	}
	if delivered != i {
		b.Fatalf("delivered %d of %d grades", delivered, i)
	}
	b.ReportMetric(float64(len(school.Requests()))/float64(i), "requests/op")
}
