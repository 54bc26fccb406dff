package notifier

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

// memSource is an in-memory Source for the transaction logic; the scenario
// tests use the fake school over HTTP.
type memSource struct {
	grades map[int][]magister.Grade
	appts  map[int][]magister.Appointment
	msgs   []magister.Message
	fail   map[string]error // "grades", "appointments", "messages"
}

// LatestGradesPage pages through the child's grades newest first: the
// newest are the last appended.
func (m *memSource) LatestGradesPage(_ context.Context, child, top, skip int) ([]magister.Grade, error) {
	if err := m.fail["grades"]; err != nil {
		return nil, err
	}
	all := slices.Clone(m.grades[child])
	slices.Reverse(all)
	if skip >= len(all) {
		return nil, nil
	}
	return all[skip:min(skip+top, len(all))], nil
}
func (m *memSource) Appointments(_ context.Context, child int, _, _ time.Time) ([]magister.Appointment, error) {
	return m.appts[child], m.fail["appointments"]
}
func (m *memSource) UnreadMessages(context.Context, int) ([]magister.Message, error) {
	return m.msgs, m.fail["messages"]
}

func parentState(s *state.State) {
	s.Accounts = []state.Account{{Key: "demo/100", School: "demo", PersonID: 100, IsParent: true,
		Children: []state.Child{{ID: 1, FirstName: "Anna"}, {ID: 2, FirstName: "Daan"}}}}
}

func newChecker(t *testing.T, src *memSource, now time.Time, setup func(*state.State)) *Checker {
	t.Helper()
	st, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(context.Background(), func(s *state.State) error { setup(s); return nil }); err != nil {
		t.Fatal(err)
	}
	return &Checker{Store: st, Loc: ams, Now: func() time.Time { return now }, Getenv: locale(""),
		Open: func(context.Context, state.Account) (Source, error) { return src, nil }}
}

// locale is a Getenv with LANG set to lang and no other locale variable, so
// that a test's words do not depend on the machine's locale.
func locale(lang string) func(string) string {
	return func(k string) string {
		if k == "LANG" {
			return lang
		}
		return ""
	}
}

func outbox(t *testing.T, st *state.Store) []state.Entry {
	t.Helper()
	var out []state.Entry
	st.View(context.Background(), func(s state.State) error { out = s.Outbox; return nil })
	return out
}

func TestCheckBaselineThenNews(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, ams)
	src := &memSource{
		grades: map[int][]magister.Grade{1: {grade(1, "7,5")}, 2: {grade(50, "6,0")}},
		msgs:   []magister.Message{{ID: 7, From: "Mentor", Subject: "Ouderavond"}},
	}
	c := newChecker(t, src, now, parentState)
	ctx := context.Background()
	rep, err := c.Check(ctx)
	if err != nil || rep.Queued != 0 || rep.Err != nil {
		t.Fatalf("baseline check: %+v, %v", rep, err)
	}
	src.grades[1] = append(src.grades[1], grade(2, "4,0"))
	src.msgs = append(src.msgs, magister.Message{ID: 8, From: "Mentor", Subject: "Rapport"})
	rep, err = c.Check(ctx)
	if err != nil || rep.Queued != 2 {
		t.Fatalf("second check: %+v, %v", rep, err)
	}
	got := outbox(t, c.Store)
	if len(got) != 2 {
		t.Fatalf("outbox %+v", got)
	}
	g, m := got[0], got[1]
	if g.Title != "Anna · 4,0 voor Wiskunde" || !g.Urgent || g.Child != "Anna" || g.ChildID != 1 ||
		g.URL != "https://demo.magister.net/magister/#/cijfers" || !strings.Contains(g.Body, "weging 2") {
		t.Errorf("grade entry %+v", g)
	}
	if m.Title != "Nieuw bericht van Mentor" || m.Body != "Rapport" || m.ChildID != 0 || !strings.HasSuffix(m.URL, "#/berichten") {
		t.Errorf("message entry %+v", m)
	}
	// Nothing new: nothing queued, the outbox keeps its two.
	if rep, _ := c.Check(ctx); rep.Queued != 0 || len(outbox(t, c.Store)) != 2 {
		t.Fatalf("third check queued %d", rep.Queued)
	}
}

func TestCheckFailedFetchMarksNothing(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, ams)
	src := &memSource{grades: map[int][]magister.Grade{1: {grade(1, "7,5")}},
		fail: map[string]error{"grades": &magister.StatusError{Status: 502}}}
	c := newChecker(t, src, now, parentState)
	ctx := context.Background()
	rep, err := c.Check(ctx)
	if err != nil || rep.Err == nil {
		t.Fatalf("check with a failing grades fetch: %+v, %v", rep, err)
	}
	var h state.Health
	var baselined bool
	c.Store.View(ctx, func(s state.State) error {
		h = s.Health
		set := s.Accounts[0].Children[0].Seen[state.KindGrades]
		baselined = set != nil && set.Baselined
		return nil
	})
	if baselined || h.ConsecutiveFailures != 1 || h.LastError == "" || !h.LastSuccess.IsZero() {
		t.Fatalf("after a failure: baselined %v, health %+v", baselined, h)
	}
	// Grades arrive while Magister is down; the next success is the
	// baseline (not a flood), and the one after announces only news.
	src.grades[1] = append(src.grades[1], grade(2, "8,0"))
	delete(src.fail, "grades")
	if rep, _ := c.Check(ctx); rep.Queued != 0 || rep.Err != nil {
		t.Fatalf("first success queued %d (%v)", rep.Queued, rep.Err)
	}
	c.Store.View(ctx, func(s state.State) error { h = s.Health; return nil })
	if h.ConsecutiveFailures != 0 || h.LastError != "" || !h.LastSuccess.Equal(now) {
		t.Fatalf("health after success %+v", h)
	}
}

func TestCheckRateLimitSetsRetryAt(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, ams)
	src := &memSource{fail: map[string]error{"grades": &magister.RateLimitError{RetryAfter: 90 * time.Second}}}
	c := newChecker(t, src, now, parentState)
	rep, err := c.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(rep.Err, magister.ErrRateLimited) {
		t.Fatalf("fetch error = %v, want one matching ErrRateLimited", rep.Err)
	}
	s, err := c.Store.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !s.Health.RetryAt.Equal(now.Add(90 * time.Second)) {
		t.Errorf("RetryAt = %v, want %v", s.Health.RetryAt, now.Add(90*time.Second))
	}
	if !s.Health.RateLimited {
		t.Error("Health.RateLimited not set after a 429")
	}

	// The next successful check clears it.
	src.fail = nil
	if _, err := c.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s, _ = c.Store.Load(context.Background()); s.Health.RateLimited {
		t.Error("Health.RateLimited still set after a successful check")
	}
}

func TestCheckTogglesMuteAndPrivacy(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, ams)
	src := &memSource{grades: map[int][]magister.Grade{1: {grade(1, "7,5")}, 2: {grade(50, "6,0")}}}
	c := newChecker(t, src, now, func(s *state.State) {
		parentState(s)
		s.Accounts[0].Children[0].Privacy = PrivacyMinimal
		s.Accounts[0].Children[1].Muted = true
		s.Settings.Disabled = map[string]bool{state.KindMessages: true}
	})
	ctx := context.Background()
	c.Check(ctx)
	src.grades[1] = append(src.grades[1], grade(2, "9,0"))
	src.grades[2] = append(src.grades[2], grade(51, "9,0"))
	src.msgs = []magister.Message{{ID: 1, From: "x", Subject: "y"}}
	rep, _ := c.Check(ctx)
	got := outbox(t, c.Store)
	if rep.Queued != 1 || len(got) != 1 || got[0].Title != "Nieuw cijfer voor Anna" || got[0].Body != "" {
		t.Fatalf("queued %d: %+v", rep.Queued, got)
	}
	// The muted child's and the disabled kind's items were still marked seen:
	// switching them on later does not flood.
	c.Store.Update(ctx, func(s *state.State) error {
		s.Accounts[0].Children[1].Muted = false
		s.Settings.Disabled = nil
		return nil
	})
	if rep, _ := c.Check(ctx); rep.Queued != 0 {
		t.Fatalf("unmuting flooded %d", rep.Queued)
	}
}

func TestCheckWithoutAccount(t *testing.T) {
	c := newChecker(t, &memSource{}, time.Now(), func(*state.State) {})
	if _, err := c.Check(context.Background()); !errors.Is(err, ErrNoAccounts) {
		t.Fatalf("err %v", err)
	}
}

// TestOldItemsAreNotAnnouncedAgain: Magister's latest grades and inbox hold
// items from earlier school years. Known at the baseline, they stay known
// for as long as Magister returns them, across the school-year end and a
// summer without checks.
func TestOldItemsAreNotAnnouncedAgain(t *testing.T) {
	oldGrade := grade(1, "6,7")
	oldGrade.EnteredAt = time.Date(2024, 10, 3, 14, 0, 0, 0, ams)
	src := &memSource{
		grades: map[int][]magister.Grade{1: {oldGrade}},
		msgs:   []magister.Message{{ID: 7, From: "Mentor", Subject: "Ouderavond", SentAt: time.Date(2025, 6, 12, 9, 0, 0, 0, ams)}},
	}
	now := time.Date(2026, 9, 14, 8, 0, 0, 0, ams)
	c := newChecker(t, src, now, parentState)
	c.Now = func() time.Time { return now }
	ctx := context.Background()
	for _, at := range []time.Time{
		now, now.Add(15 * time.Minute), now.Add(time.Hour), now.Add(24 * time.Hour),
		time.Date(2027, 7, 31, 23, 45, 0, 0, ams), time.Date(2027, 8, 1, 0, 15, 0, 0, ams),
		time.Date(2027, 9, 6, 8, 0, 0, 0, ams), // after a summer without checks
	} {
		now = at
		rep, err := c.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Err != nil {
			t.Fatalf("check at %s: %v", at, rep.Err)
		}
		for _, e := range rep.Entries {
			t.Errorf("check at %s announced %s %s %q again", at.Format(time.DateTime), e.Kind, e.Item, e.Title)
		}
	}
	// A year and more later, Magister no longer returns them: forgotten.
	src.grades[1], src.msgs = nil, nil
	now = now.Add(state.SeenRetention + 48*time.Hour)
	if _, err := c.Check(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	c.Store.View(ctx, func(s state.State) error {
		a := s.Accounts[0]
		n = len(a.Seen[state.KindMessages].Items) + len(a.Children[0].Seen[state.KindGrades].Items)
		return nil
	})
	if n != 0 {
		t.Errorf("%d ids still seen after no fetch returned them for longer than the retention", n)
	}
}

// countingSource counts the pages of latest grades read.
type countingSource struct {
	*memSource
	pages int
}

func (c *countingSource) LatestGradesPage(ctx context.Context, child, top, skip int) ([]magister.Grade, error) {
	c.pages++
	return c.memSource.LatestGradesPage(ctx, child, top, skip)
}

func TestCheckPagesUntilAKnownGrade(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, ams)
	mem := &memSource{grades: map[int][]magister.Grade{1: {grade(1, "7,5"), grade(2, "6,0")}}}
	src := &countingSource{memSource: mem}
	c := newChecker(t, mem, now, parentState)
	c.Open = func(context.Context, state.Account) (Source, error) { return src, nil }
	ctx := context.Background()
	if rep, err := c.Check(ctx); err != nil || rep.Queued != 0 {
		t.Fatalf("baseline: %+v, %v", rep, err)
	}
	for i := range 120 {
		mem.grades[1] = append(mem.grades[1], grade(100+i, "8,0"))
	}
	src.pages = 0
	rep, err := c.Check(ctx)
	if err != nil || rep.Queued != 120 || rep.Children[0].GradesCut != 0 {
		t.Fatalf("after 120 new grades: queued %d, cut %d, %v", rep.Queued, rep.Children[0].GradesCut, err)
	}
	// Anna: 50 new, 50 new, 20 new and the 2 known; Daan: one short page.
	if src.pages != 4 {
		t.Errorf("%d pages read, want 4", src.pages)
	}
	// Steady state: one page per child.
	src.pages = 0
	if rep, _ := c.Check(ctx); rep.Queued != 0 || src.pages != 2 {
		t.Errorf("steady state: queued %d, %d pages", rep.Queued, src.pages)
	}
}

func TestCheckSaysWhenGradesAreCutShort(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, ams)
	src := &memSource{grades: map[int][]magister.Grade{1: {grade(1, "7,5")}}}
	c := newChecker(t, src, now, parentState)
	c.GradesTop, c.GradesPages = 5, 2
	ctx := context.Background()
	c.Check(ctx)
	for i := range 30 {
		src.grades[1] = append(src.grades[1], grade(100+i, "8,0"))
	}
	rep, err := c.Check(ctx)
	if err != nil || rep.Queued != 10 {
		t.Fatalf("queued %d, %v; want the 10 of two pages", rep.Queued, err)
	}
	cr := rep.Children[0]
	if cr.GradesCut != 10 {
		t.Errorf("GradesCut = %d, want 10", cr.GradesCut)
	}
	if got, want := cr.Summary("en"), "Anna: 10 grades (at least 10 new grades; older ones were not read and will not be announced)"; got != want {
		t.Errorf("Summary = %q; want %q", got, want)
	}
}

func TestSuperseded(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	applied := map[string]time.Time{state.KindGrades: t0}
	for _, tc := range []struct {
		name          string
		kind          string
		began, commit time.Time
		want          bool
	}{
		{"began before the applied fetch", state.KindGrades, t0.Add(-time.Second), t0.Add(time.Second), true},
		{"began at the same moment", state.KindGrades, t0, t0.Add(time.Second), false},
		{"began later", state.KindGrades, t0.Add(time.Second), t0.Add(2 * time.Second), false},
		{"nothing applied yet", state.KindSchedule, t0.Add(-time.Hour), t0, false},
		{"applied time in the future: the clock was set back", state.KindGrades, t0.Add(-2 * time.Hour), t0.Add(-time.Hour), false},
	} {
		if got := superseded(applied, tc.kind, tc.began, tc.commit); got != tc.want {
			t.Errorf("%s: superseded = %v; want %v", tc.name, got, tc.want)
		}
	}
}

// TestFailedCheckIsNotNothingNew: a check whose fetches failed says so, in
// words a person understands, never "niets nieuws".
func TestFailedCheckIsNotNothingNew(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, ams)
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	src := &memSource{fail: map[string]error{"grades": refused, "appointments": refused, "messages": refused}}
	c := newChecker(t, src, now, parentState)
	rep, err := c.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, cr := range rep.Children {
		got := cr.Summary("nl")
		if strings.Contains(got, "niets nieuws") {
			t.Errorf("Summary = %q: a failed check is reported as nothing new", got)
		}
		if want := cr.Child + ": controle mislukt: Magister is niet bereikbaar"; got != want {
			t.Errorf("Summary = %q; want %q", got, want)
		}
		if len(cr.Errors) == 0 {
			t.Errorf("%s: the details are not in the report", cr.Child)
		}
	}
}

// TestProblemsAreAnnouncedOnce (issue 14, item 6): a sign-in that Magister
// ended, and a Magister unreachable for hours, are each announced once,
// and again only after they were fixed and came back.
func TestProblemsAreAnnouncedOnce(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, ams)
	src := &memSource{grades: map[int][]magister.Grade{1: {grade(1, "7,5")}}}
	c := newChecker(t, src, now, parentState)
	c.Now = func() time.Time { return now }
	ctx := context.Background()
	problems := func() []string {
		t.Helper()
		rep, err := c.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range rep.Entries {
			if e.Kind == KindProblem {
				got = append(got, e.Change)
			}
		}
		// The delivery round right after the check must not skip it.
		if len(got) > 0 && rep.Pending == 0 {
			t.Errorf("a problem was announced, but the report says nothing is pending")
		}
		return got
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	steps := []struct {
		name string
		fail error
		want string
	}{
		{"baseline", nil, ""},
		{"sign-in ended", magister.ErrLoginRequired, "login"},
		{"still ended", magister.ErrLoginRequired, ""},
		{"signed in again", nil, ""},
		{"ended again", magister.ErrLoginRequired, "login"},
		{"fixed", nil, ""},
		{"unreachable for an hour", refused, ""},
		{"unreachable for 3 hours", refused, ""},
		{"unreachable for 6 hours", refused, "unreachable"},
		{"unreachable for 9 hours", refused, ""},
		{"back", nil, ""},
	}
	hours := []int{0, 1, 1, 1, 1, 1, 1, 2, 3, 3, 1}
	for i, st := range steps {
		now = now.Add(time.Duration(hours[i]) * time.Hour)
		src.fail = map[string]error{"grades": st.fail, "appointments": st.fail, "messages": st.fail}
		if got := strings.Join(problems(), " "); got != st.want {
			t.Errorf("%s: announced %q, want %q", st.name, got, st.want)
		}
	}
}

// TestCheckSpeaksTheResolvedLanguage (issue 13, item 8): with no language
// setting the notifications follow the locale, as the menu does, instead
// of always being Dutch; a setting beats the locale.
func TestCheckSpeaksTheResolvedLanguage(t *testing.T) {
	for _, c := range []struct{ setting, lang, want string }{
		{"", "en_US.UTF-8", "New message from Mentor"},
		{"", "nl_NL.UTF-8", "Nieuw bericht van Mentor"},
		{"", "C.UTF-8", "Nieuw bericht van Mentor"},
		{"nl", "en_US.UTF-8", "Nieuw bericht van Mentor"},
		{"en", "nl_NL.UTF-8", "New message from Mentor"},
	} {
		now := time.Date(2026, 11, 30, 12, 0, 0, 0, ams)
		src := &memSource{}
		ch := newChecker(t, src, now, func(s *state.State) { parentState(s); s.Settings.Language = c.setting })
		ch.Getenv = locale(c.lang)
		if _, err := ch.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		src.msgs = []magister.Message{{ID: 8, From: "Mentor", Subject: "Rapport"}}
		rep, err := ch.Check(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := outbox(t, ch.Store); len(got) != 1 || got[0].Title != c.want {
			t.Errorf("setting %q, LANG=%s: outbox %+v; want one entry titled %q", c.setting, c.lang, got, c.want)
		}
		if want := state.ResolveLanguage(c.setting, locale(c.lang)); rep.Language != want {
			t.Errorf("setting %q, LANG=%s: Report.Language = %q; want %q", c.setting, c.lang, rep.Language, want)
		}
	}
}
