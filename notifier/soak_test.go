// The soak runs without the race detector (make soak): it is one goroutine,
// and under -race a year of checks would take many minutes.

//go:build !race

package notifier

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

// The whole-year soak: an injected clock drives the fake school, the real
// Magister client (through the school's in-process transport), the state
// store on disk, the checker and the deliverer through a school year and the
// rollover into the next one, across both DST changes, with a check every
// hour. A seeded script makes the school do what schools do; every change it
// makes is written down as expected, and at the end every expected change
// must have been announced exactly once and nothing else at all.

// soakEvent names one announcement: kind, change and item.
type soakEvent struct{ kind, change, item string }

func (e soakEvent) String() string { return e.kind + "/" + e.change + "/" + e.item }

// soakSink records which outbox entries reached it, alone or in a digest.
type soakSink struct{ got map[string]int }

func (s *soakSink) Name() string       { return "soak" }
func (s *soakSink) PeopleFacing() bool { return true }
func (s *soakSink) Send(_ context.Context, n Notification) error {
	ids := n.Entries
	if len(ids) == 0 {
		ids = []string{n.ID}
	}
	for _, id := range ids {
		s.got[id]++
	}
	return nil
}

type soak struct {
	t      *testing.T
	now    time.Time
	rng    *rand.Rand
	school *magistertest.School
	want   map[soakEvent]int
	kids   []string // children the checker knows, by first name
	// touched lessons are changed at most once (a cancellation may be
	// taken back once).
	touched   map[int]bool
	cancelled map[int]string // lesson id → child, cancellations that may be restored
	grades    []soakGrade
	msgs      []soakMsg
	homework  []soakHomework
}

type soakGrade struct {
	id    int
	added time.Time
}

type soakMsg struct {
	child string
	id    int
	read  time.Time
}

type soakHomework struct {
	child  string
	id     int
	doneAt time.Time
}

func TestWholeSchoolYear(t *testing.T) {
	start := time.Date(2026, 8, 24, 7, 0, 0, 0, ams) // a Monday, the week school starts
	end := time.Date(2027, 8, 30, 7, 0, 0, 0, ams)   // past 1 August 2027, the next school year
	s := &soak{t: t, now: start, rng: rand.New(rand.NewPCG(2026, 2027)), want: map[soakEvent]int{},
		touched: map[int]bool{}, cancelled: map[int]string{}}
	clock := func() time.Time { return s.now }
	s.school = magistertest.NewInProcess(magistertest.WithClock(clock))
	ctx := context.Background()

	school, err := magister.ParseSchool("fakeschool")
	if err != nil {
		t.Fatal(err)
	}
	if school, err = school.WithBaseURL(s.school.URL); err != nil {
		t.Fatal(err)
	}
	dir := memoryDir(t)
	opts := []magister.Option{
		magister.WithHTTPClient(&http.Client{Transport: s.school.Transport()}),
		magister.WithClock(clock),
		magister.WithSleep(func(ctx context.Context, _ time.Duration) error { return ctx.Err() }),
	}
	tokens := magister.NewMemoryTokenStore()
	key := "fakeschool/20417"
	if err := tokens.Save(ctx, key, &magister.Token{RefreshToken: s.school.IssueRefreshToken(magistertest.ParentLogin),
		AccessToken: "stale", Expiry: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	client := magister.New(school, magister.NewTokenSource(school, tokens, dir, key, opts...), opts...)
	me, err := client.Account(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kids, err := client.Children(ctx, me)
	if err != nil {
		t.Fatal(err)
	}
	store, err := state.Open(dir, state.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	err = store.Update(ctx, func(st *state.State) error {
		acct := state.Account{Key: key, School: school.Code, BaseURL: s.school.URL, PersonID: me.ID, IsParent: true,
			Name: me.FirstName, ChildrenChecked: start}
		for _, k := range kids {
			acct.Children = append(acct.Children, state.Child{ID: k.ID, FirstName: k.FirstName})
			s.kids = append(s.kids, k.FirstName)
		}
		st.Accounts = []state.Account{acct}
		// Tomorrow at a glance sums up the rest; it has a week of its own
		// (TestPreviewAcrossAWeek).
		return st.Settings.SetKind(state.KindPreview, false)
	})
	if err != nil {
		t.Fatal(err)
	}
	checker := &Checker{Store: store, Now: clock, Loc: ams,
		Open: func(context.Context, state.Account) (Source, error) { return client, nil }}
	sink := &soakSink{got: map[string]int{}}
	deliverer := &Deliverer{Store: store, Sinks: []Sink{sink}, Now: clock, Loc: ams}

	// What the seed already holds for the future is announced in its time.
	for _, k := range s.kids {
		s.expectSeededReminders(k, start)
	}
	got := map[soakEvent]int{}
	queued := map[string]bool{}
	var checks, maxSeen int
	var newChild string
	// The year allocates some 21 GB, nearly all of it short-lived response
	// and state decoding; collecting less often saves a sixth of the CPU.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	began := time.Now()
	for ; !s.now.After(end); s.now = s.now.Add(time.Hour) {
		s.act(&newChild, end)
		rep, err := checker.Check(ctx)
		if err != nil {
			t.Fatalf("check at %s: %v", s.stamp(), err)
		}
		if rep.Err != nil {
			t.Fatalf("check at %s failed: %v", s.stamp(), rep.Err)
		}
		checks++
		for _, e := range rep.Entries {
			ev := soakEvent{e.Kind, e.Change, e.Item}
			got[ev]++
			queued[e.ID] = true
			if s.want[ev] == 0 {
				t.Errorf("%s: announced %s (%q) that the school did not do", s.stamp(), ev, e.Title)
			}
		}
		// As the tray does: a round after each check, skipped when the
		// check left nothing to deliver.
		if _, err := deliverer.DeliverAfter(ctx, rep); err != nil {
			t.Fatalf("deliver at %s: %v", s.stamp(), err)
		}
		if s.now.In(ams).Hour() != 23 && (newChild == "" || slices.Contains(s.kids, newChild)) {
			continue // the state is looked at once a day, and while a child is expected
		}
		var known []string
		var seen int
		if err := store.View(ctx, func(st state.State) error {
			seen = st.SeenCount()
			for _, c := range st.Accounts[0].Children {
				known = append(known, c.FirstName)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		maxSeen = max(maxSeen, seen)
		if newChild != "" && slices.Contains(known, newChild) && !slices.Contains(s.kids, newChild) {
			// Taken in at this check, silently: its future reminders are news.
			s.kids = append(s.kids, newChild)
			s.expectSeededReminders(newChild, s.now)
		}
	}
	wall := time.Since(began)

	var missing, twice []string
	total := 0
	for ev, n := range s.want {
		total += n
		switch g := got[ev]; {
		case g < n:
			missing = append(missing, ev.String())
		case g > n:
			twice = append(twice, fmt.Sprintf("%s ×%d", ev, g))
		}
	}
	sort.Strings(missing)
	sort.Strings(twice)
	if len(missing) > 0 {
		t.Errorf("%d changes never announced: %s", len(missing), strings.Join(missing, ", "))
	}
	if len(twice) > 0 {
		t.Errorf("%d changes announced more than once: %s", len(twice), strings.Join(twice, ", "))
	}
	if total < 300 {
		t.Errorf("the script made only %d changes; the soak proves little", total)
	}
	for id := range queued {
		if sink.got[id] != 1 {
			t.Errorf("entry %s reached the sink %d times, want once", id, sink.got[id])
		}
	}
	if !slices.Contains(s.kids, "Mila") {
		t.Error("the child the school added in January was never watched")
	}
	var finalSeen int
	store.View(ctx, func(st state.State) error { finalSeen = st.SeenCount(); return nil })
	if maxSeen > 2000 {
		t.Errorf("seen sets reached %d ids: not bounded", maxSeen)
	}
	t.Logf("soak: %s → %s, %d checks, %d changes announced, %d notifications delivered, largest seen set total %d ids (%d at the end), wall time %v",
		start.Format(time.DateOnly), end.Format(time.DateOnly), checks, total, len(queued), maxSeen, finalSeen, wall.Round(time.Millisecond))
}

// memoryDir is a temporary directory in memory (/dev/shm) where there is
// one, else t.TempDir. A year of hourly checks makes some 9,000 durable
// saves of the state and as many of the token rescue file, five fsyncs a
// check: on a disk the soak spent most of its time waiting for them. The
// soak is about what is announced; that saves survive crashes is proven by
// the state package's tests with real processes, on the disk.
func memoryDir(t *testing.T) string {
	if fi, err := os.Stat("/dev/shm"); err != nil || !fi.IsDir() {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("/dev/shm", "magister-notify-soak-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func (s *soak) stamp() string { return s.now.In(ams).Format("Mon 2006-01-02 15:04 MST") }

func (s *soak) expect(kind, change, item string) { s.want[soakEvent{kind, change, item}]++ }

// expectSeededReminders expects the reminders of the homework and tests the
// school already had for child when the checker first saw it at from.
func (s *soak) expectSeededReminders(child string, from time.Time) {
	r := RulesFrom(state.Settings{})
	r.Loc = ams
	_, to := r.ScheduleWindow(from)
	for _, a := range s.school.Appointments(child) {
		if a.Content == "" || a.Status != 1 || !a.Start.After(from) {
			continue
		}
		key := fmt.Sprintf("%d@%d", a.ID, a.Start.Unix())
		// The baseline takes in what is due already, if it is in view.
		switch {
		case a.InfoType == magister.InfoHomework && !a.Done:
			if a.Start.Add(-r.HomeworkReminder).After(from) || !a.Start.Before(to) {
				s.expect(state.KindHomework, ChangeDue, key)
			}
		case a.InfoType >= magister.InfoTest && a.InfoType <= magister.InfoOralQuiz:
			if eveningBefore(a.Start.In(ams), r.TestReminder).After(from) || !a.Start.Before(to) {
				s.expect(state.KindTests, ChangeUpcoming, key)
			}
		}
	}
}

// act is the school's day: what happens at this hour.
func (s *soak) act(newChild *string, end time.Time) {
	t := s.t
	now := s.now.In(ams)
	wd := now.Weekday()
	holiday := (now.Month() == time.July && now.Day() > 15) || now.Month() == time.August && now.Day() < 24
	if wd == time.Saturday || wd == time.Sunday || holiday {
		return
	}
	if now.Year() == 2027 && now.Month() == time.January && now.Day() == 11 && now.Hour() == 10 {
		if _, err := s.school.AddChild("Mila"); err != nil {
			t.Fatal(err)
		}
		*newChild = "Mila"
	}
	kid := s.kids[s.rng.IntN(len(s.kids))]
	chance := func(p float64) bool { return s.rng.Float64() < p }
	switch now.Hour() {
	case 9:
		if chance(0.3) {
			id, err := s.school.AddMessage(kid, "Mentor", "Bericht van "+s.stamp())
			if err != nil {
				t.Fatal(err)
			}
			s.expect(state.KindMessages, ChangeNew, strconv.Itoa(id))
			s.msgs = append(s.msgs, soakMsg{kid, id, s.now.Add(time.Duration(1+s.rng.IntN(72)) * time.Hour)})
		}
		for i, m := range s.msgs {
			if !m.read.IsZero() && m.read.Before(s.now) {
				if err := s.school.SetMessageRead(m.child, m.id, true); err != nil {
					t.Fatal(err)
				}
				s.msgs[i].read = time.Time{}
			}
		}
	case 10:
		if chance(0.6) {
			values := []string{"4,3", "5,5", "6,8", "7,1", "8,4", "9,0", "V", "O"}
			id, err := s.school.AddGrade(magistertest.GradeSpec{Child: kid, Subject: "wisA", Value: values[s.rng.IntN(len(values))], Weight: 1})
			if err != nil {
				t.Fatal(err)
			}
			s.expect(state.KindGrades, ChangeNew, strconv.Itoa(id))
			s.grades = append(s.grades, soakGrade{id, s.now})
		}
	case 11:
		if chance(0.25) {
			if a, child, ok := s.lesson(2, 6); ok {
				if err := s.school.CancelLesson(child, a.ID); err != nil {
					t.Fatal(err)
				}
				s.expect(state.KindSchedule, ChangeCancelled, strconv.Itoa(a.ID))
				s.cancelled[a.ID] = child
			}
		}
	case 12:
		for id, child := range s.cancelled {
			if chance(0.3) {
				if err := s.school.RestoreLesson(child, id); err != nil {
					t.Fatal(err)
				}
				s.expect(state.KindSchedule, ChangeRestored, strconv.Itoa(id))
			}
			delete(s.cancelled, id) // taken back at most once, and only the next day
		}
	case 13:
		if chance(0.2) {
			if a, child, ok := s.lesson(2, 5); ok {
				if err := s.school.MoveLesson(child, a.ID, a.Start.In(ams).AddDate(0, 0, 1)); err != nil {
					t.Fatal(err)
				}
				s.expect(state.KindSchedule, ChangeMoved, strconv.Itoa(a.ID))
			}
		}
	case 14:
		if chance(0.15) {
			var recent []soakGrade
			for _, g := range s.grades {
				if s.now.Sub(g.added) > 24*time.Hour && s.now.Sub(g.added) < 30*24*time.Hour {
					recent = append(recent, g)
				}
			}
			if len(recent) > 0 {
				g := recent[s.rng.IntN(len(recent))]
				value := s.gradeValue(g.id) + "0" // "7,1" → "7,10": another value
				if err := s.school.CorrectGrade(g.id, value); err != nil {
					t.Fatal(err)
				}
				s.expect(state.KindGrades, ChangeCorrected, strconv.Itoa(g.id))
			}
		}
	case 15:
		if chance(0.2) {
			if a, child, ok := s.lesson(2, 6); ok {
				room, change := "C"+strconv.Itoa(10+s.rng.IntN(20)), ChangeRoom
				if chance(0.25) {
					room, change = "-", ChangeChanged // no room any more: a change, not a room change
				}
				if err := s.school.ChangeRoom(child, a.ID, room); err != nil {
					t.Fatal(err)
				}
				s.expect(state.KindSchedule, change, strconv.Itoa(a.ID))
			}
		}
	case 16:
		if s.now.Before(end.AddDate(0, 0, -12)) { // its reminder must fall within the soak
			s.addWork(kid)
		}
		for i, h := range s.homework {
			if !h.doneAt.IsZero() && h.doneAt.Before(s.now) {
				if err := s.school.SetHomeworkDone(h.child, h.id, true); err != nil {
					t.Fatal(err)
				}
				s.homework[i].doneAt = time.Time{}
			}
		}
	case 17:
		if chance(0.05) {
			if a, child, ok := s.lesson(2, 6); ok {
				if err := s.school.RemoveAppointment(child, a.ID); err != nil {
					t.Fatal(err)
				}
				s.expect(state.KindSchedule, ChangeRemoved, strconv.Itoa(a.ID))
			}
		}
	}
}

// gradeValue is the value of grade column id now.
func (s *soak) gradeValue(id int) string {
	for _, k := range s.kids {
		for _, g := range s.school.Grades(k) {
			if g.KolomID == id {
				return g.Value
			}
		}
	}
	s.t.Fatalf("grade %d is gone", id)
	return ""
}

// addWork adds homework, a test, or information and a note that are neither,
// ten days ahead: out of the schedule window, so they come into view as a
// new day does, and are announced only as what they are.
func (s *soak) addWork(kid string) {
	if s.rng.Float64() > 0.5 {
		return
	}
	day := s.now.In(ams).AddDate(0, 0, 10)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), 8+s.rng.IntN(7), 30, 0, 0, ams)
	info := s.rng.IntN(8) // 0..7
	content := "<p>Opdracht " + s.stamp() + "</p>"
	if info == 0 {
		info = 1
	}
	id, err := s.school.AddAppointment(kid, magistertest.AppointmentSpec{Start: start, Subject: "biol", InfoType: info, Content: content})
	if err != nil {
		s.t.Fatal(err)
	}
	key := fmt.Sprintf("%d@%d", id, start.Unix())
	switch {
	case info == magister.InfoHomework:
		if s.rng.Float64() < 0.3 {
			// Done two days later, long before the reminder: never announced.
			s.homework = append(s.homework, soakHomework{kid, id, s.now.Add(48 * time.Hour)})
			return
		}
		s.expect(state.KindHomework, ChangeDue, key)
	case info >= magister.InfoTest && info <= magister.InfoOralQuiz:
		s.expect(state.KindTests, ChangeUpcoming, key)
	}
}

// lesson picks a plain lesson of one of the children that starts between
// fromDays and toDays from now, and that the script has not changed.
func (s *soak) lesson(fromDays, toDays int) (magistertest.Appointment, string, bool) {
	kid := s.kids[s.rng.IntN(len(s.kids))]
	lo, hi := s.now.Add(time.Duration(fromDays)*24*time.Hour), s.now.Add(time.Duration(toDays)*24*time.Hour)
	var pick []magistertest.Appointment
	for _, a := range s.school.Appointments(kid) {
		if a.Start.After(lo) && a.Start.Before(hi) && a.Status == 1 && a.InfoType == 0 && a.Type == 13 &&
			a.Room != "-" && !s.touched[a.ID] {
			pick = append(pick, a)
		}
	}
	if len(pick) == 0 {
		return magistertest.Appointment{}, "", false
	}
	a := pick[s.rng.IntN(len(pick))]
	s.touched[a.ID] = true
	return a, kid, true
}
