package magistertest

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/testenv"
)

// TestListJSONIsMarshal holds the appointment and latest-grade lists,
// whose items' JSON the school keeps, to json.Marshal of the whole body,
// byte for byte, while lessons are cancelled, moved, restored, given
// another room or removed, homework is added and done, and grades are
// added and corrected; each list is asked for twice, the second time from
// the kept JSON.
func TestListJSONIsMarshal(t *testing.T) {
	clock := testenv.NewClock(wednesday)
	s := newSchool([]Option{WithClock(clock.Now)})
	parent := s.accounts[ParentLogin]
	anna := parent.children[0]
	from := localMidnight(clock.Now(), s.loc)
	to := from.AddDate(0, 0, 8)
	check := func(what string) {
		t.Helper()
		for range 2 {
			r := httptest.NewRequest("GET", "/api/personen/x/afspraken?van="+from.Format(time.DateOnly)+"&tot="+to.AddDate(0, 0, -1).Format(time.DateOnly), nil)
			r.SetPathValue("id", strconv.Itoa(anna.id))
			s.mu.Lock()
			_, got := s.apiAfspraken(parent, r)
			items := []afspraakJSON{}
			appts := slices.Clone(anna.appts)
			slices.SortFunc(appts, byStart)
			for _, a := range appts {
				if !a.start.Before(from) && a.start.Before(to) {
					items = append(items, afspraak(anna, a))
				}
			}
			s.mu.Unlock()
			want, _ := json.Marshal(itemsPascalCount[afspraakJSON]{items, len(items)})
			if !bytes.Equal(got.(encoded), want) {
				t.Fatalf("%s: appointments\n%s\nwant\n%s", what, got, want)
			}
			for _, top := range []int{3, 50} {
				skip := top % 2 // 0 and 1
				r = httptest.NewRequest("GET", "/api/personen/x/cijfers/laatste?top="+strconv.Itoa(top)+"&skip="+strconv.Itoa(skip), nil)
				r.SetPathValue("id", strconv.Itoa(anna.id))
				s.mu.Lock()
				_, got = s.apiLaatsteCijfers(parent, r)
				gs := slices.Clone(anna.grades)
				slices.SortFunc(gs, newestFirst)
				grades := []laatsteCijferJSON{}
				for _, g := range page(gs, top, skip) {
					grades = append(grades, laatsteCijfer(g))
				}
				s.mu.Unlock()
				want, _ = json.Marshal(itemsCamelCount[laatsteCijferJSON]{grades, len(gs)})
				if !bytes.Equal(got.(encoded), want) {
					t.Fatalf("%s: latest grades (top %d)\n%s\nwant\n%s", what, top, got, want)
				}
			}
		}
	}
	check("seeded")
	var lessons []int
	for _, a := range s.Appointments("Anna") {
		if a.Start.After(from.AddDate(0, 0, 1)) && a.Start.Before(to) && a.InfoType == 0 && a.Status == 1 {
			lessons = append(lessons, a.ID)
		}
	}
	if len(lessons) < 5 {
		t.Fatalf("only %d lessons in the window", len(lessons))
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CancelLesson("Anna", lessons[0]))
	check("cancelled")
	must(s.RestoreLesson("Anna", lessons[0]))
	check("restored")
	must(s.MoveLesson("Anna", lessons[1], from.AddDate(0, 0, 3).Add(9*time.Hour)))
	check("moved")
	must(s.ChangeRoom("Anna", lessons[2], "-"))
	check("no room")
	must(s.RemoveAppointment("Anna", lessons[3]))
	check("removed")
	id, err := s.AddAppointment("Anna", AppointmentSpec{Start: from.AddDate(0, 0, 2).Add(10 * time.Hour), Subject: "biol", InfoType: 1, Content: "<p>Lezen & \"leren\"</p>"})
	must(err)
	check("homework")
	must(s.SetHomeworkDone("Anna", id, true))
	check("homework done")
	kolom, err := s.AddGrade(GradeSpec{Child: "Anna", Subject: "wisA", Value: "7,5", Weight: 2})
	must(err)
	check("new grade")
	must(s.CorrectGrade(kolom, "RV"))
	check("corrected grade")
	clock.Advance(24 * time.Hour)
	from, to = from.AddDate(0, 0, 1), to.AddDate(0, 0, 1)
	check("a day later")
}
