package magister

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

func TestClientParent(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	c := logIn(t, f, magistertest.ParentLogin).client

	acct, children := family(t, c)
	if !acct.IsParent || acct.FirstName != "Eva" || acct.LastName != "van den Berg" || acct.ID == 0 {
		t.Fatalf("account %+v", acct)
	}
	var names []string
	for _, ch := range children {
		names = append(names, ch.FirstName)
	}
	if !slices.Equal(names, []string{"Anna", "Daan"}) { // Lotte is hidden from the parent
		t.Fatalf("children %v", children)
	}
	anna := children[0]
	if anna.LastName != "van den Berg" || anna.Name() != "Anna van den Berg" {
		t.Errorf("child %+v", anna)
	}

	t.Run("latest grades", func(t *testing.T) {
		grades, err := c.LatestGrades(ctx, anna.ID, 5)
		if err != nil {
			t.Fatal(err)
		}
		want := f.Grades("Anna")[:5]
		if len(grades) != 5 {
			t.Fatalf("got %d grades", len(grades))
		}
		for i, g := range grades {
			w := want[i]
			if g.ColumnID != w.KolomID || g.Value != w.Value || g.Subject.Code != w.Subject || g.Weight != w.Weight ||
				g.Description != w.Description || !g.EnteredAt.Equal(w.Entered) || g.Subject.Name == "" {
				t.Errorf("grade %d: %+v, want %+v", i, g, w)
			}
			if _, ok := ParseGradeValue(g.Value); ok != (g.Numeric != nil) {
				t.Errorf("grade %d: Numeric %v for %q", i, g.Numeric, g.Value)
			}
		}
		if !grades[0].EnteredAt.After(grades[4].EnteredAt) {
			t.Error("not newest first")
		}
	})

	t.Run("enrollments and averages", func(t *testing.T) {
		es, err := c.Enrollments(ctx, anna.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 {
			t.Fatalf("enrollments %+v", es)
		}
		cur, ok := CurrentEnrollment(es, time.Now())
		if !ok || cur.Start.After(time.Now()) || cur.Group == "" || cur.Period == "" {
			t.Fatalf("current %+v, %v", cur, ok)
		}
		grades, err := c.EnrollmentGrades(ctx, cur.ID)
		if err != nil {
			t.Fatal(err)
		}
		var current []magistertest.Grade
		for _, g := range f.Grades("Anna") {
			if g.Current {
				current = append(current, g)
			}
		}
		if len(grades) != len(current) {
			t.Fatalf("%d enrollment grades, the fake has %d", len(grades), len(current))
		}
		bySubject := map[string][]Grade{}
		for _, g := range grades {
			if g.Subject.Code == "" || g.Subject.Name == "" {
				t.Errorf("grade without subject: %+v", g)
			}
			bySubject[g.Subject.Code] = append(bySubject[g.Subject.Code], g)
		}
		// wisA: 5,1 (weight 3) and 6,2 (weight 1) → 5.375.
		if avg, ok := Average(bySubject["wisA"]); !ok || avg < 5.374 || avg > 5.376 {
			t.Errorf("wisA average %v, %v (%+v)", avg, ok, bySubject["wisA"])
		}
		if _, ok := Average(bySubject["lo"]); ok {
			t.Error("lo (V/U, weight 0) has an average")
		}
	})

	t.Run("appointments", func(t *testing.T) {
		from, to := time.Now().AddDate(0, 0, -21), time.Now().AddDate(0, 0, 21)
		as, err := c.Appointments(ctx, anna.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := f.Appointments("Anna")
		if len(as) != len(want) || len(as) < 40 {
			t.Fatalf("got %d appointments, the fake has %d", len(as), len(want))
		}
		var tests, homework, cancelled, done int
		for i, a := range as {
			w := want[i]
			if w.Room == "-" {
				w.Room = "" // Magister's "no room"
			}
			if a.ID != w.ID || !a.Start.Equal(w.Start) || !a.End.Equal(w.End) || a.Room() != w.Room || a.Status != w.Status ||
				a.Type != w.Type || a.InfoType != w.InfoType || a.Done != w.Done || a.Description != w.Description {
				t.Errorf("appointment %d: %+v, want %+v", i, a, w)
			}
			if a.Start.Location() != time.UTC {
				t.Errorf("start not UTC: %v", a.Start)
			}
			if a.IsTest() {
				tests++
			}
			if a.HasHomework() {
				homework++
				if strings.Contains(a.Homework(), "<") {
					t.Errorf("homework not plain text: %q", a.Homework())
				}
			}
			if a.IsCancelled() {
				cancelled++
			}
			if a.Done {
				done++
			}
		}
		if tests != 2 || homework < 3 || cancelled != 1 || done != 1 { // tests are not homework
			t.Errorf("tests %d homework %d cancelled %d done %d", tests, homework, cancelled, done)
		}
	})

	t.Run("absences", func(t *testing.T) {
		abs, err := c.Absences(ctx, anna.ID, time.Now().AddDate(0, 0, -21), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(abs) != 3 {
			t.Fatalf("absences %+v", abs)
		}
		var late int
		for _, a := range abs {
			if a.AppointmentID == 0 || a.Start.IsZero() || a.End.Before(a.Start) || a.Description == "" {
				t.Errorf("absence %+v", a)
			}
			if a.Code == "TR" && !a.Excused && a.Kind == 2 {
				late++
			}
		}
		if late != 1 {
			t.Errorf("want one unexcused late arrival: %+v", abs)
		}
	})

	t.Run("messages", func(t *testing.T) {
		folders, err := c.MessageFolders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(folders) == 0 || folders[0].Unread != 3 || folders[0].MessagesPath == "" {
			t.Fatalf("folders %+v", folders)
		}
		id, err := f.AddMessage("Daan", "K. de Leraar", "Toetsweek")
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := c.UnreadMessages(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 4 || msgs[0].ID != id || msgs[0].From != "K. de Leraar" || msgs[0].Subject != "Toetsweek" || msgs[0].Read ||
			msgs[0].SentAt.IsZero() || msgs[1].Subject != "Ouderavond 4 havo" {
			t.Errorf("unread %+v", msgs)
		}
	})
}

func TestClientStudent(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	c := logIn(t, f, magistertest.StudentLogin).client
	acct, children := family(t, c)
	if acct.IsParent || acct.FirstName != "Sem" {
		t.Fatalf("account %+v", acct)
	}
	if len(children) != 1 || children[0].ID != acct.ID || children[0].FirstName != "Sem" {
		t.Fatalf("children %+v", children)
	}
	if n, _ := countRequests(f, "/api/personen"); n != 0 {
		t.Errorf("a student's Children made %d requests", n)
	}
	grades, err := c.LatestGrades(ctx, acct.ID, 0)
	if err != nil || len(grades) == 0 {
		t.Fatalf("grades %v, %v", grades, err)
	}
	msgs, err := c.UnreadMessages(ctx, 0)
	// Newest first; the other is an unread message from last school year.
	if err != nil || len(msgs) != 2 || msgs[0].Subject != "Inhaalmoment proefwerk" {
		t.Errorf("messages %+v, %v", msgs, err)
	}
	// A student cannot read another person's data.
	_, err = c.LatestGrades(ctx, acct.ID+1000, 5)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusForbidden {
		t.Errorf("other person: %v", err)
	}
}

func TestClientSeesChanges(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	c := logIn(t, f, magistertest.ParentLogin).client
	_, children := family(t, c)
	daan := children[1]
	var future []magistertest.Appointment
	for _, a := range f.Appointments("Daan") {
		if a.Start.After(time.Now()) && a.InfoType == 0 && a.Status == 1 {
			future = append(future, a)
		}
	}
	cancel, move, room := future[0], future[1], future[2]
	if err := f.CancelLesson("Daan", cancel.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.MoveLesson("Daan", move.ID, move.Start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := f.ChangeRoom("Daan", room.ID, "Aula"); err != nil {
		t.Fatal(err)
	}
	testID, err := f.AddAppointment("Daan", magistertest.AppointmentSpec{Start: time.Now().Add(48 * time.Hour), Subject: "biol",
		InfoType: 2, Content: "<p>Proefwerk <b>H5</b></p>"})
	if err != nil {
		t.Fatal(err)
	}
	hwID, err := f.AddAppointment("Daan", magistertest.AppointmentSpec{Start: time.Now().Add(50 * time.Hour), Subject: "ak",
		Content: "Maak 5.1"})
	if err != nil {
		t.Fatal(err)
	}
	kolom, err := f.AddGrade(magistertest.GradeSpec{Child: "Daan", Subject: "wisA", Value: "4,3", Weight: 2, Description: "SO H3"})
	if err != nil {
		t.Fatal(err)
	}

	as, err := c.Appointments(ctx, daan.ID, time.Now().AddDate(0, 0, -1), time.Now().AddDate(0, 0, 9))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int]Appointment{}
	for _, a := range as {
		byID[a.ID] = a
	}
	if a := byID[cancel.ID]; !a.IsCancelled() || a.IsChanged() {
		t.Errorf("cancelled lesson %+v", a)
	}
	if a := byID[move.ID]; !a.IsChanged() || a.Status != StatusMoved || !a.Start.Equal(move.Start.Add(time.Hour)) {
		t.Errorf("moved lesson %+v", a)
	}
	if a := byID[room.ID]; !a.IsChanged() || a.Room() != "Aula" {
		t.Errorf("room change %+v", a)
	}
	if a := byID[testID]; !a.IsTest() || a.HasHomework() || a.Homework() != "Proefwerk H5" || a.Subject() == "" {
		t.Errorf("test %+v", a)
	}
	if a := byID[hwID]; a.IsTest() || !a.HasHomework() || a.InfoType != InfoHomework {
		t.Errorf("homework %+v", a)
	}
	if err := f.SetHomeworkDone("Daan", hwID, true); err != nil {
		t.Fatal(err)
	}
	if err := f.CorrectGrade(kolom, "5,6"); err != nil {
		t.Fatal(err)
	}
	as, err = c.Appointments(ctx, daan.ID, time.Now().AddDate(0, 0, -1), time.Now().AddDate(0, 0, 9))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.ID == hwID && (a.HasHomework() || !a.Done) {
			t.Errorf("done homework %+v", a)
		}
	}
	grades, err := c.LatestGrades(ctx, daan.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	if g := grades[0]; g.ColumnID != kolom || g.Value != "5,6" || *g.Numeric != 5.6 || g.IsUnsatisfactory() || g.Weight != 2 {
		t.Errorf("corrected grade %+v", g)
	}
}

// TestLatestGradesPages: pages of the latest grades, put together, are the
// whole list in order, and a short page is the last.
func TestLatestGradesPages(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	c := logIn(t, f, magistertest.StudentLogin).client
	acct, err := c.Account(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		if _, err := f.AddGrade(magistertest.GradeSpec{Child: "Sem", Value: "7,0", Weight: 1, Description: fmt.Sprint("page ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := c.LatestGrades(ctx, acct.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var paged []Grade
	for skip := 0; ; skip += 5 {
		page, err := c.LatestGradesPage(ctx, acct.ID, 5, skip)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page...)
		if len(page) < 5 {
			break
		}
	}
	if len(paged) != len(all) {
		t.Fatalf("pages hold %d grades, the whole list %d", len(paged), len(all))
	}
	for i := range all {
		if paged[i].ColumnID != all[i].ColumnID {
			t.Errorf("grade %d: column %d in the pages, %d in the whole list", i, paged[i].ColumnID, all[i].ColumnID)
		}
	}
}

// TestRequestBudget: once the account and children are known, checking one
// child (grades, appointments, messages) costs three requests, within the
// budget of four.
func TestRequestBudget(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	c := logIn(t, f, magistertest.ParentLogin).client
	check := func() {
		_, children := family(t, c)
		ch := children[0]
		if _, err := c.LatestGrades(ctx, ch.ID, 25); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Appointments(ctx, ch.ID, time.Now(), time.Now().AddDate(0, 0, 7)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UnreadMessages(ctx, 25); err != nil {
			t.Fatal(err)
		}
	}
	check()
	f.ResetRequests()
	for range 3 {
		check()
	}
	api, _ := countRequests(f, "/api/")
	tokens, _ := countRequests(f, "/connect/")
	if api+tokens > 3*4 || api != 9 {
		t.Errorf("3 steady-state checks cost %d API and %d token requests; want 3 each", api, tokens)
	}
}

func TestRateLimit(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		failure magistertest.Failure
		want    []time.Duration
	}{
		{"Retry-After header", magistertest.Failure{Status: 429, RetryAfter: 7, SecondsLeft: 30}, []time.Duration{7 * time.Second}},
		{"secondsLeft", magistertest.Failure{Status: 429, SecondsLeft: 12}, []time.Duration{13 * time.Second}},
		{"SecondsLeft", magistertest.Failure{Status: 429, SecondsLeft: 3, Body: "json"}, []time.Duration{4 * time.Second}},
		{"twice", magistertest.Failure{Status: 429, SecondsLeft: 1, Count: 2}, []time.Duration{2 * time.Second, 2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := magistertest.Start(t)
			li := logIn(t, f, magistertest.StudentLogin)
			if _, err := li.client.Account(ctx); err != nil {
				t.Fatal(err)
			}
			f.Fail(tt.failure)
			if _, err := li.client.LatestGrades(ctx, 1, 5); err == nil { // person 1 is forbidden: proves a later answer arrived
				t.Fatal("no error for a forbidden person")
			} else if se := (*StatusError)(nil); !errors.As(err, &se) || se.Status != 403 {
				t.Fatalf("got %v", err)
			}
			if got := li.sleeps.got(); !slices.Equal(got, tt.want) {
				t.Errorf("waits %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("longer than the cap", func(t *testing.T) {
		li, _, err := accountDuring(t, ctx, magistertest.StudentLogin, magistertest.Failure{Status: 429, RetryAfter: 120})
		var rl *RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter != 120*time.Second || !errors.Is(err, ErrRateLimited) || rl.Endpoint != "GET /api/account" {
			t.Errorf("got %v", err)
		}
		if len(li.sleeps.got()) != 0 {
			t.Errorf("waited %v", li.sleeps.got())
		}
	})
	t.Run("beyond the context deadline", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, _, err := accountDuring(t, dctx, magistertest.StudentLogin, magistertest.Failure{Status: 429, SecondsLeft: 20})
		var rl *RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter != 21*time.Second {
			t.Errorf("got %v", err)
		}
	})
	t.Run("persistent", func(t *testing.T) {
		li, _, err := accountDuring(t, ctx, magistertest.StudentLogin, magistertest.Failure{Status: 429, SecondsLeft: 5, Count: 10})
		var rl *RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter != 6*time.Second {
			t.Errorf("got %v", err)
		}
		if n, _ := countRequests(li.fake, "/api/"); n != 4 || len(li.sleeps.got()) != 3 {
			t.Errorf("%d requests, waits %v; want 4 and 3", n, li.sleeps.got())
		}
	})
}

func TestRateLimitWaitWithoutHints(t *testing.T) {
	c := New(School{}, nil, WithClock(func() time.Time { return time.Date(2026, 1, 9, 8, 0, 0, 0, time.UTC) }))
	for _, tc := range []struct {
		header http.Header
		body   string
		n      int
		want   time.Duration
	}{
		{http.Header{}, `{"Message":"Too many"}`, 0, 2 * time.Second},
		{http.Header{}, `<html>`, 1, 4 * time.Second},
		{http.Header{}, ``, 2, 8 * time.Second},
		{http.Header{"Retry-After": {"Fri, 09 Jan 2026 08:00:30 GMT"}}, ``, 0, 30 * time.Second},
		{http.Header{"Retry-After": {"soon"}}, `{"secondsLeft":"4"}`, 0, 5 * time.Second},
		{http.Header{"Retry-After": {"0"}}, `{"secondsLeft":9}`, 0, 0},
	} {
		if got := c.rateLimitWait(tc.header, []byte(tc.body), tc.n); got != tc.want {
			t.Errorf("rateLimitWait(%v, %q, %d) = %v, want %v", tc.header, tc.body, tc.n, got, tc.want)
		}
	}
}

func TestServerErrorsRetried(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []magistertest.Failure{
		{Status: 500, Count: 3},
		{Status: 502, Body: "html", Count: 2},
		{Status: 503, Body: "garbage", Count: 1},
		{Status: 200, Body: "html", Count: 1},
	} {
		li, acct, err := accountDuring(t, ctx, magistertest.ParentLogin, tc)
		if err != nil || acct.FirstName != "Eva" {
			t.Errorf("%+v: %+v, %v", tc, acct, err)
			continue
		}
		waits := li.sleeps.got()
		if len(waits) != tc.Count {
			t.Errorf("%+v: waits %v", tc, waits)
		}
		for i, w := range waits {
			base := time.Second << i
			if w < base || w > base+base/2 {
				t.Errorf("%+v: wait %d = %v, want %v plus up to 50%% jitter", tc, i, w, base)
			}
		}
	}

	li, _, err := accountDuring(t, ctx, magistertest.ParentLogin, magistertest.Failure{Status: 502, Body: "html", Count: 10})
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 502 || se.Endpoint != "GET /api/account" {
		t.Errorf("persistent 502: %v", err)
	}
	if n, _ := countRequests(li.fake, "/api/"); n != 4 {
		t.Errorf("persistent 502: %d requests, want 1 + 3 retries", n)
	}

	// An HTML page with status 200 that stays is a *PageError, not a
	// malformed answer of one endpoint: it stands for the whole server.
	li, _, err = accountDuring(t, ctx, magistertest.ParentLogin, magistertest.Failure{Status: 200, Body: "html", Count: 10})
	var pe *PageError
	var de *DecodeError
	if !errors.As(err, &pe) || pe.Status != 200 || pe.Endpoint != "GET /api/account" || errors.As(err, &de) {
		t.Errorf("persistent HTML page: %v", err)
	}
	if n, _ := countRequests(li.fake, "/api/"); n != 4 {
		t.Errorf("persistent HTML page: %d requests, want 1 + 3 retries", n)
	}

	// A 4xx is final, HTML page or not.
	li, _, err = accountDuring(t, ctx, magistertest.ParentLogin, magistertest.Failure{Status: 404, Body: "html", Count: 5})
	if !errors.As(err, &se) || se.Status != 404 {
		t.Errorf("404 page: %v", err)
	}
	if n, _ := countRequests(li.fake, "/api/"); n != 1 || len(li.sleeps.got()) != 0 {
		t.Errorf("404 page: %d requests, waits %v; want 1 and none", n, li.sleeps.got())
	}
}

func TestGarbageJSON(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	li := logIn(t, f, magistertest.ParentLogin)
	acct, err := li.client.Account(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.Fail(magistertest.Failure{Body: "garbage"})
	grades, err := li.client.LatestGrades(ctx, acct.ID, 5)
	var de *DecodeError
	if !errors.As(err, &de) || de.Endpoint != "GET /api/personen/{id}/cijfers/laatste" || grades != nil {
		t.Errorf("got %v, %v", grades, err)
	}
	if n, _ := countRequests(f, "/api/personen"); n != 1 {
		t.Errorf("%d requests; malformed JSON is not retried", n)
	}
}

func TestSlowServer(t *testing.T) {
	ctx := context.Background()
	t.Run("context deadline", func(t *testing.T) {
		f := magistertest.Start(t)
		li := logIn(t, f, magistertest.ParentLogin)
		if _, err := li.ts.AccessToken(ctx); err != nil {
			t.Fatal(err)
		}
		f.Fail(magistertest.Failure{DelayMs: 10000})
		dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		_, err := li.client.Account(dctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v", err)
		}
		if len(li.sleeps.got()) != 0 {
			t.Errorf("retried after the deadline: %v", li.sleeps.got())
		}
	})
	t.Run("request timeout is retried", func(t *testing.T) {
		f := magistertest.Start(t)
		li := logIn(t, f, magistertest.ParentLogin, WithHTTPClient(&http.Client{Timeout: 200 * time.Millisecond}))
		if _, err := li.ts.AccessToken(ctx); err != nil {
			t.Fatal(err)
		}
		f.Fail(magistertest.Failure{DelayMs: 10000})
		acct, err := li.client.Account(ctx)
		if err != nil || acct.FirstName != "Eva" {
			t.Errorf("got %+v, %v", acct, err)
		}
		if len(li.sleeps.got()) != 1 {
			t.Errorf("waits %v, want one retry", li.sleeps.got())
		}
	})
}

func TestExpiredAccessToken(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	li := logIn(t, f, magistertest.ParentLogin)
	acct, err := li.client.Account(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before, err := li.store.Load(ctx, magistertest.ParentLogin)
	if err != nil {
		t.Fatal(err)
	}
	f.ExpireAccessTokens()
	f.ResetRequests()
	if _, err := li.client.LatestGrades(ctx, acct.ID+1, 5); err != nil {
		t.Fatal(err)
	}
	_, api := countRequests(f, "/api/")
	tokens, _ := countRequests(f, "/connect/token")
	if !slices.Equal(api, []int{401, 200}) || tokens != 1 {
		t.Errorf("API statuses %v, %d token requests; want [401 200] and 1", api, tokens)
	}
	after, err := li.store.Load(ctx, magistertest.ParentLogin)
	if err != nil {
		t.Fatal(err)
	}
	if after.AccessToken == before.AccessToken || after.RefreshToken == before.RefreshToken {
		t.Error("the refreshed token was not stored")
	}
}

func TestRevokedRefreshToken(t *testing.T) {
	ctx := context.Background()
	f := magistertest.Start(t)
	li := logIn(t, f, magistertest.ParentLogin)
	acct, err := li.client.Account(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := li.store.Load(ctx, magistertest.ParentLogin)
	f.ExpireAccessTokens()
	f.RevokeRefreshTokens()
	_, err = li.client.LatestGrades(ctx, acct.ID+1, 5)
	const want = "magister: GET /api/personen/{id}/cijfers/laatste: token refresh: status 400 invalid_grant: login required"
	if !errors.Is(err, ErrLoginRequired) || err.Error() != want {
		t.Fatalf("got %q\nwant %q", err, want)
	}
	for _, secret := range []string{tok.AccessToken, tok.RefreshToken} {
		if strings.Contains(err.Error(), secret) {
			t.Error("token in the error text")
		}
	}
	// The next call fails the same way.
	f.ResetRequests()
	if _, err := li.client.LatestGrades(ctx, acct.ID+1, 5); !errors.Is(err, ErrLoginRequired) {
		t.Errorf("second call: %v", err)
	}
}

// fakeTokens counts refreshes and always hands out the same token.
type fakeTokens struct{ refreshes atomic.Int32 }

func (f *fakeTokens) AccessToken(context.Context) (string, error) { return "tok", nil }
func (f *fakeTokens) RefreshAccessToken(context.Context, string) (string, error) {
	f.refreshes.Add(1)
	return "tok", nil
}

func TestUnauthorizedAfterRefresh(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "SecurityToken Expired", http.StatusUnauthorized)
	}))
	defer srv.Close()
	s, _ := ParseSchool("demo")
	s, _ = s.WithBaseURL(srv.URL)
	tokens := &fakeTokens{}
	_, err := New(s, tokens).Account(context.Background())
	if !errors.Is(err, ErrLoginRequired) || tokens.refreshes.Load() != 1 || calls.Load() != 2 {
		t.Errorf("err %v, %d refreshes, %d calls; want ErrLoginRequired, 1, 2", err, tokens.refreshes.Load(), calls.Load())
	}
}

func TestRedirects(t *testing.T) {
	var foreignAuth atomic.Value
	foreignAuth.Store("unset")
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignAuth.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"Persoon":{"Id":1,"Roepnaam":"X"}}`))
	}))
	defer foreign.Close()
	var sameAuth atomic.Value
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/account":
			http.Redirect(w, r, foreign.URL+"/api/account", http.StatusFound)
		case "/api/personen/1/absenties":
			http.Redirect(w, r, "/api/moved", http.StatusTemporaryRedirect)
		case "/api/moved":
			sameAuth.Store(r.Header.Get("Authorization"))
			_, _ = w.Write([]byte(`{"Items":[]}`))
		}
	}))
	defer home.Close()
	s, _ := ParseSchool("demo")
	s, _ = s.WithBaseURL(home.URL)
	c := New(s, &fakeTokens{})
	if _, err := c.Account(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := foreignAuth.Load().(string); got != "" {
		t.Errorf("bearer token sent to another host: %q", got)
	}
	if _, err := c.Absences(context.Background(), 1, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := sameAuth.Load().(string); got != "Bearer tok" {
		t.Errorf("same-host redirect lost the token: %q", got)
	}
}

func TestHeaders(t *testing.T) {
	var ua, accept atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.UserAgent())
		accept.Store(r.Header.Get("Accept"))
		_, _ = w.Write([]byte(`{"Persoon":{"Id":1}}`))
	}))
	defer srv.Close()
	s, _ := ParseSchool("demo")
	s, _ = s.WithBaseURL(srv.URL)
	if _, err := New(s, &fakeTokens{}, WithVersion("1.2.3")).Account(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ua.Load() != "magister-notify/1.2.3" || accept.Load() != "application/json" {
		t.Errorf("User-Agent %q, Accept %q", ua.Load(), accept.Load())
	}
}

// TestFallbackPaths: the older enrollments path and the inbox found through
// the folder list, for servers that lack the usual paths.
func TestFallbackPaths(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/api/personen/1/aanmeldingen":
			_, _ = w.Write([]byte(`{"Items":[{"Id":5,"Start":"2025-08-01T00:00:00Z","Einde":"2026-07-31T00:00:00Z","Lesperiode":"2526","Groep":{"Id":1,"Omschrijving":"3h2"}}]}`))
		case "/api/berichten/mappen/alle":
			_, _ = w.Write([]byte(`{"items":[{"id":7,"naam":"Postvak IN","links":{"berichten":{"href":"/api/berichten/mappen/7/berichten"}}}]}`))
		case "/api/berichten/mappen/7/berichten":
			_, _ = w.Write([]byte(`{"items":[{"id":1,"onderwerp":"a","isGelezen":false},{"id":2,"onderwerp":"b","isGelezen":true}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s, _ := ParseSchool("demo")
	s, _ = s.WithBaseURL(srv.URL)
	c := New(s, &fakeTokens{})
	ctx := context.Background()
	es, err := c.Enrollments(ctx, 1)
	if err != nil || len(es) != 1 || es[0].ID != 5 || es[0].Group != "3h2" || es[0].Period != "2526" {
		t.Errorf("enrollments %+v, %v", es, err)
	}
	msgs, err := c.UnreadMessages(ctx, 5)
	if err != nil || len(msgs) != 1 || msgs[0].ID != 1 {
		t.Errorf("messages %+v, %v", msgs, err)
	}
	// The inbox path is remembered: one request next time.
	mu.Lock()
	paths = nil
	mu.Unlock()
	if _, err := c.UnreadMessages(ctx, 5); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(paths, []string{"/api/berichten/mappen/7/berichten"}) {
		t.Errorf("second check: %v", paths)
	}
}
