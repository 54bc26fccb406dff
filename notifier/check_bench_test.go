package notifier

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/account"
	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

// BenchmarkCheckOneChild is one whole check of a student account against
// the local fake school in steady state: fetch (HTTP + decode), diff and
// commit, and delivery of one corrected grade to a jsonl sink. It reports
// the HTTP requests and the state decodes and writes each check makes.
//
// Every iteration starts from the same state: the same grade is corrected
// (so the school and the seen sets do not grow) and the history is emptied
// outside the timer (so it does not grow to HistoryLimit), which keeps
// ns/op independent of the iteration count.
func BenchmarkCheckOneChild(b *testing.B) {
	b.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent") // token file, not a keyring
	school := magistertest.Start(b)
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
	kolom, err := school.AddGrade(magistertest.GradeSpec{Child: "Sem", Value: "8,0", Weight: 1, Description: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Check(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := d.Deliver(ctx); err != nil {
		b.Fatal(err)
	}
	school.ResetRequests()
	delivered := 0
	i := 0
	var decodes, writes int64
	for b.Loop() {
		i++
		b.StopTimer()
		if err := school.CorrectGrade(kolom, fmt.Sprintf("%d,%d", 5+i%2, i%10)); err != nil {
			b.Fatal(err)
		}
		if err := st.Update(ctx, func(s *state.State) error { s.History = nil; return nil }); err != nil {
			b.Fatal(err)
		}
		d0, w0 := st.IOCounts()
		b.StartTimer()
		rep, err := c.Check(ctx)
		if err != nil || rep.Err != nil {
			b.Fatal(err, rep.Err)
		}
		dr, err := d.DeliverAfter(ctx, rep)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		d1, w1 := st.IOCounts()
		decodes, writes = decodes+d1-d0, writes+w1-w0
		b.StartTimer()
		delivered += dr.Delivered
	}
	if delivered != i {
		b.Fatalf("delivered %d of %d grades", delivered, i)
	}
	b.ReportMetric(float64(len(school.Requests()))/float64(i), "requests/op")
	b.ReportMetric(float64(decodes)/float64(i), "decodes/op")
	b.ReportMetric(float64(writes)/float64(i), "writes/op")
}
