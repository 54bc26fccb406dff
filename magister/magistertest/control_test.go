package magistertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// annaDay fetches Anna's appointments on the local day of at.
func annaDay(t *testing.T, s *School, tok string, at time.Time) afsprakenResp {
	t.Helper()
	d := at.In(amsterdam()).Format(dateLayout)
	var r afsprakenResp
	getJSON(t, s, tok, fmt.Sprintf("/api/personen/20418/afspraken?van=%s&tot=%s", d, d), &r)
	return r
}

func findItem(r afsprakenResp, id int) (int, bool) {
	for i, a := range r.Items {
		if a.ID == id {
			return i, true
		}
	}
	return -1, false
}

// futureLesson returns a lesson of Anna's tomorrow or later without homework.
func futureLesson(t *testing.T, s *School, after time.Time) Appointment {
	t.Helper()
	for _, a := range s.Appointments("Anna") {
		if a.Start.After(after.Add(24*time.Hour)) && a.InfoType == 0 && a.Status == 1 {
			return a
		}
	}
	t.Fatal("no future lesson")
	return Appointment{}
}

func TestGradeControls(t *testing.T) {
	s, clock := startSchoolAt(t, wednesday)
	tok := accessFor(t, s, ParentLogin)
	clock.Advance(time.Minute)
	id, err := s.AddGrade(GradeSpec{Child: "Daan", Subject: "biol", Value: "4,4", Weight: 2, Description: "Proefwerk cellen"})
	if err != nil {
		t.Fatal(err)
	}
	var l laatsteResp
	getJSON(t, s, tok, "/api/personen/20419/cijfers/laatste?top=1", &l)
	g := l.Items[0]
	if g.KolomID != id || g.Waarde != "4,4" || g.Weegfactor != 2 || g.Vak.Code != "biol" || g.IsVoldoende == nil || *g.IsVoldoende ||
		g.IngevoerdOp != apiTime(wednesday.Add(time.Minute)) || g.Omschrijving != "Proefwerk cellen" {
		t.Errorf("newest grade = %+v, want the added one", g)
	}

	clock.Advance(30 * time.Minute)
	if err := s.CorrectGrade(id, "5,6"); err != nil {
		t.Fatal(err)
	}
	getJSON(t, s, tok, "/api/personen/20419/cijfers/laatste?top=1", &l)
	if g := l.Items[0]; g.KolomID != id || g.Waarde != "5,6" || g.IngevoerdOp != apiTime(wednesday.Add(31*time.Minute)) || !*g.IsVoldoende {
		t.Errorf("corrected grade = %+v", g)
	}
	if gs := s.Grades("Daan"); gs[0].KolomID != id || gs[0].Value != "5,6" || !gs[0].Current {
		t.Errorf("Grades()[0] = %+v", gs[0])
	}

	// Defaults: the first child and the first subject.
	id2, err := s.AddGrade(GradeSpec{Value: "8"})
	if err != nil {
		t.Fatal(err)
	}
	if gs := s.Grades("Anna"); gs[0].KolomID != id2 || gs[0].Subject != "netl" {
		t.Errorf("default grade = %+v, want Anna's netl", gs[0])
	}

	for _, tt := range []struct {
		name string
		err  error
		f    func() error
	}{
		{"unknown child", ErrNotFound, func() error { _, err := s.AddGrade(GradeSpec{Child: "Nobody", Value: "7"}); return err }},
		{"unknown subject", ErrNotFound, func() error { _, err := s.AddGrade(GradeSpec{Subject: "xyz", Value: "7"}); return err }},
		{"empty value", ErrInvalid, func() error { _, err := s.AddGrade(GradeSpec{}); return err }},
		{"unknown column", ErrNotFound, func() error { return s.CorrectGrade(1, "7") }},
		{"empty correction", ErrInvalid, func() error { return s.CorrectGrade(id, " ") }},
	} {
		if err := tt.f(); !errors.Is(err, tt.err) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.err)
		}
	}
}

func TestLessonControls(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)
	tok := accessFor(t, s, ParentLogin)
	a := futureLesson(t, s, wednesday)

	if err := s.ChangeRoom("Anna", a.ID, "A001"); err != nil {
		t.Fatal(err)
	}
	day := annaDay(t, s, tok, a.Start)
	i, ok := findItem(day, a.ID)
	if !ok || *day.Items[i].Lokatie != "A001" || day.Items[i].Status != 3 {
		t.Fatalf("after ChangeRoom: %+v", day.Items[i])
	}

	newStart := a.Start.Add(24 * time.Hour)
	if err := s.MoveLesson("Anna", a.ID, newStart); err != nil {
		t.Fatal(err)
	}
	if _, ok := findItem(annaDay(t, s, tok, a.Start), a.ID); ok {
		t.Error("moved lesson still on its old day")
	}
	day = annaDay(t, s, tok, newStart)
	i, ok = findItem(day, a.ID)
	if !ok || day.Items[i].Start != apiTime(newStart) || day.Items[i].Einde != apiTime(newStart.Add(a.End.Sub(a.Start))) || day.Items[i].Status != 10 {
		t.Fatalf("after MoveLesson: %+v (found %v), want start %s and Status 10 (room and time changed)", day.Items[i], ok, apiTime(newStart))
	}

	b := futureLesson(t, s, newStart)
	if err := s.MoveLesson("Anna", b.ID, b.Start.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := appointment0(t, s, "Anna", b.ID); got.Status != 9 {
		t.Errorf("moved lesson Status %d, want 9", got.Status)
	}

	if err := s.CancelLesson("Anna", a.ID); err != nil {
		t.Fatal(err)
	}
	day = annaDay(t, s, tok, newStart)
	if i, _ := findItem(day, a.ID); day.Items[i].Status != 4 {
		t.Errorf("after CancelLesson: Status %d, want 4", day.Items[i].Status)
	}

	if err := s.RemoveAppointment("Anna", a.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := findItem(annaDay(t, s, tok, newStart), a.ID); ok {
		t.Error("removed appointment still served")
	}
	for name, err := range map[string]error{
		"cancel removed": s.CancelLesson("Anna", a.ID),
		"Daan's lesson":  s.ChangeRoom("Daan", b.ID, "X"),
		"empty room":     s.ChangeRoom("Anna", b.ID, ""),
		"zero start":     s.MoveLesson("Anna", b.ID, time.Time{}),
		"unknown child":  s.SetHomeworkDone("Nobody", b.ID, true),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func appointment0(t *testing.T, s *School, child string, id int) Appointment {
	t.Helper()
	for _, a := range s.Appointments(child) {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("%s has no appointment %d", child, id)
	return Appointment{}
}

func TestAddAppointmentAndHomework(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)
	tok := accessFor(t, s, ParentLogin)
	start, _ := slotTimes(wednesday.AddDate(0, 0, 2), 3, amsterdam())
	id, err := s.AddAppointment("Anna", AppointmentSpec{Start: start, Subject: "gs", InfoType: 2, Content: "<p>Toets H5</p>"})
	if err != nil {
		t.Fatal(err)
	}
	day := annaDay(t, s, tok, start)
	i, ok := findItem(day, id)
	if !ok {
		t.Fatal("added appointment not served")
	}
	got := day.Items[i]
	if got.InfoType != 2 || *got.Inhoud != "<p>Toets H5</p>" || got.Type != 13 || *got.LesuurVan != 3 || *got.Lokatie != "B108" ||
		got.Einde != apiTime(start.Add(50*time.Minute)) || got.Docenten[0].Docentcode != "BKR" {
		t.Errorf("added test = %+v", got)
	}

	hw, err := s.AddAppointment("Anna", AppointmentSpec{Start: start.Add(time.Hour), Subject: "ak", Content: "<p>Maak 2.3</p>"})
	if err != nil {
		t.Fatal(err)
	}
	if a := appointment0(t, s, "Anna", hw); a.InfoType != 1 {
		t.Errorf("content without InfoType gave InfoType %d, want 1 (homework)", a.InfoType)
	}
	if err := s.SetHomeworkDone("Anna", hw, true); err != nil {
		t.Fatal(err)
	}
	day = annaDay(t, s, tok, start)
	if i, _ := findItem(day, hw); !day.Items[i].Afgerond {
		t.Error("SetHomeworkDone did not show as Afgerond")
	}

	other, err := s.AddAppointment("Anna", AppointmentSpec{Start: start.Add(5 * time.Minute), End: start.Add(3 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if a := appointment0(t, s, "Anna", other); a.Type != 2 || a.Hour != 0 || a.Subject != "" {
		t.Errorf("activity = %+v, want Type 2 without lesson hour or subject", a)
	}
	for name, spec := range map[string]AppointmentSpec{
		"no start":      {Subject: "gs"},
		"end first":     {Start: start, End: start.Add(-time.Minute)},
		"bad info type": {Start: start, InfoType: 9},
		"bad subject":   {Start: start, Subject: "xx"},
	} {
		if _, err := s.AddAppointment("Anna", spec); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestAddMessage(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)
	unread := func(login string) int {
		var m mappenResp
		getJSON(t, s, accessFor(t, s, login), "/api/berichten/mappen/alle", &m)
		return m.Items[0].AantalOngelezen
	}
	parentBefore, semBefore := unread(ParentLogin), unread(StudentLogin)
	id, err := s.AddMessage("Daan", "Mentor 2V", "Schoolreis")
	if err != nil {
		t.Fatal(err)
	}
	if unread(ParentLogin) != parentBefore+1 || unread(StudentLogin) != semBefore {
		t.Errorf("a message about Daan must land in the parent's inbox only")
	}
	var b berichtenResp
	getJSON(t, s, accessFor(t, s, ParentLogin), "/api/berichten/postvakin/berichten?gelezenStatus=ongelezen", &b)
	if b.Items[0].ID != id || b.Items[0].Onderwerp != "Schoolreis" || b.Items[0].Afzender.Naam != "Mentor 2V" {
		t.Errorf("newest unread = %+v", b.Items[0])
	}
	if _, err := s.AddMessage("Sem", "", ""); err != nil {
		t.Fatal(err)
	}
	if unread(StudentLogin) != semBefore+1 {
		t.Error("a message for Sem must land in Sem's inbox")
	}
}

// fakeCall calls a /_fake/ control and decodes a JSON answer into out.
func fakeCall(t *testing.T, s *School, method, path string, body any, want int, out any) {
	t.Helper()
	status, b, _ := call(t, s, method, "", path, body)
	if status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, status, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

func TestHTTPControls(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)

	var rt struct {
		RefreshToken string `json:"refresh_token"`
	}
	fakeCall(t, s, "POST", "/_fake/refresh-token", map[string]string{"login": "ouder"}, 200, &rt)
	status, tok := postToken(t, s, refreshForm(rt.RefreshToken))
	if status != 200 {
		t.Fatalf("refresh with the shortcut token: %d", status)
	}
	access := tok["access_token"].(string)
	fakeCall(t, s, "POST", "/_fake/refresh-token", map[string]string{"login": "nobody"}, 404, nil)

	t.Run("grades", func(t *testing.T) {
		var g struct {
			KolomID int `json:"kolomId"`
		}
		fakeCall(t, s, "POST", "/_fake/grades", map[string]any{"child": "Anna", "subject": "fatl", "value": "3,2", "weight": 1, "description": "SO"}, 201, &g)
		fakeCall(t, s, "POST", fmt.Sprintf("/_fake/grades/%d", g.KolomID), map[string]string{"value": "6,0"}, 200, nil)
		var l laatsteResp
		getJSON(t, s, access, "/api/personen/20418/cijfers/laatste?top=1", &l)
		if l.Items[0].KolomID != g.KolomID || l.Items[0].Waarde != "6,0" {
			t.Errorf("newest grade %+v, want %d with 6,0", l.Items[0], g.KolomID)
		}
		var list []Grade
		fakeCall(t, s, "GET", "/_fake/grades?child=Anna", nil, 200, &list)
		if list[0].KolomID != g.KolomID {
			t.Errorf("GET /_fake/grades first = %+v", list[0])
		}
		fakeCall(t, s, "POST", "/_fake/grades", map[string]any{"child": "Nobody", "value": "7"}, 404, nil)
		fakeCall(t, s, "POST", "/_fake/grades", map[string]any{"child": "Anna", "vaule": "7"}, 400, nil)
		fakeCall(t, s, "POST", "/_fake/grades/999", map[string]string{"value": "7"}, 404, nil)
	})

	t.Run("appointments", func(t *testing.T) {
		var list []Appointment
		fakeCall(t, s, "GET", "/_fake/appointments?child=Anna", nil, 200, &list)
		if len(list) != len(s.Appointments("Anna")) {
			t.Fatalf("GET /_fake/appointments: %d, want %d", len(list), len(s.Appointments("Anna")))
		}
		a := futureLesson(t, s, wednesday)
		fakeCall(t, s, "POST", fmt.Sprintf("/_fake/lessons/%d/room", a.ID), map[string]string{"child": "Anna", "room": "Aula"}, 204, nil)
		if got := appointment0(t, s, "Anna", a.ID); got.Room != "Aula" || got.Status != 3 {
			t.Errorf("room: %+v", got)
		}
		moved := a.Start.Add(2 * time.Hour)
		fakeCall(t, s, "POST", fmt.Sprintf("/_fake/lessons/%d/move", a.ID), map[string]any{"child": "Anna", "start": moved}, 204, nil)
		if got := appointment0(t, s, "Anna", a.ID); !got.Start.Equal(moved) {
			t.Errorf("move: %+v", got)
		}
		fakeCall(t, s, "POST", fmt.Sprintf("/_fake/lessons/%d/cancel", a.ID), map[string]any{"child": "Anna"}, 204, nil)
		day := annaDay(t, s, access, moved)
		if i, ok := findItem(day, a.ID); !ok || day.Items[i].Status != 4 {
			t.Errorf("cancel did not show in the API")
		}
		fakeCall(t, s, "POST", fmt.Sprintf("/_fake/lessons/%d/cancel", a.ID), map[string]any{"child": "Daan"}, 404, nil)
		fakeCall(t, s, "POST", fmt.Sprintf("/_fake/lessons/%d/explode", a.ID), nil, 404, nil)

		var added struct {
			ID int `json:"id"`
		}
		start, _ := slotTimes(wednesday.AddDate(0, 0, 1), 2, amsterdam())
		fakeCall(t, s, "POST", "/_fake/appointments", map[string]any{"child": "Anna", "start": start, "subject": "biol", "infoType": 4, "content": "<p>SO</p>"}, 201, &added)
		if i, ok := findItem(annaDay(t, s, access, start), added.ID); !ok || i < 0 {
			t.Fatal("added appointment not served")
		}
		fakeCall(t, s, "POST", fmt.Sprintf("/_fake/appointments/%d/done", added.ID), map[string]any{"child": "Anna", "done": true}, 204, nil)
		if !appointment0(t, s, "Anna", added.ID).Done {
			t.Error("done not set")
		}
		fakeCall(t, s, "DELETE", fmt.Sprintf("/_fake/appointments/%d?child=Anna", added.ID), nil, 204, nil)
		if _, ok := findItem(annaDay(t, s, access, start), added.ID); ok {
			t.Error("deleted appointment still served")
		}
		fakeCall(t, s, "POST", "/_fake/appointments", map[string]any{"child": "Anna"}, 400, nil)
	})

	t.Run("messages", func(t *testing.T) {
		var m struct {
			ID int `json:"id"`
		}
		fakeCall(t, s, "POST", "/_fake/messages", map[string]string{"child": "Anna", "from": "Dhr. Brink", "subject": "Rapport"}, 201, &m)
		var b berichtenResp
		getJSON(t, s, access, "/api/berichten/postvakin/berichten?top=1", &b)
		if b.Items[0].ID != m.ID || b.Items[0].IsGelezen {
			t.Errorf("newest message %+v, want unread %d", b.Items[0], m.ID)
		}
	})

	t.Run("fail", func(t *testing.T) {
		fakeCall(t, s, "POST", "/_fake/fail", map[string]any{"status": 503, "count": 1, "body": "html"}, 204, nil)
		if status, _, _ := call(t, s, "GET", access, "/api/account", nil); status != 503 {
			t.Errorf("after /_fake/fail: %d, want 503", status)
		}
		fakeCall(t, s, "POST", "/_fake/fail", map[string]any{"status": 503, "body": "xml"}, 400, nil)
	})

	t.Run("tokens", func(t *testing.T) {
		fakeCall(t, s, "POST", "/_fake/tokens/expire", nil, 204, nil)
		if status, _, _ := call(t, s, "GET", access, "/api/account", nil); status != 401 {
			t.Errorf("after expire: %d, want 401", status)
		}
		fakeCall(t, s, "POST", "/_fake/tokens/revoke", nil, 204, nil)
		if status, body := postToken(t, s, refreshForm(tok["refresh_token"].(string))); status != 400 || body["error"] != "invalid_grant" {
			t.Errorf("after revoke: %d %v", status, body)
		}
	})

	t.Run("requests", func(t *testing.T) {
		var log []Request
		fakeCall(t, s, "GET", "/_fake/requests", nil, 200, &log)
		if len(log) == 0 {
			t.Fatal("empty request log")
		}
		for _, r := range log {
			if strings.HasPrefix(r.Path, "/_fake/") {
				t.Errorf("control request logged: %+v", r)
			}
		}
		fakeCall(t, s, "DELETE", "/_fake/requests", nil, 204, nil)
		if n := len(s.Requests()); n != 0 {
			t.Errorf("%d requests after reset", n)
		}
	})
}

func TestRequestLogHoldsNoSecrets(t *testing.T) {
	s, clock := startSchoolAt(t, wednesday)
	tok := login(t, s, StudentLogin)
	access := tok["access_token"].(string)
	if status, _, _ := call(t, s, "GET", access, "/api/account?noCache=0", nil); status != 200 {
		t.Fatal(status)
	}
	_, tok2 := postToken(t, s, refreshForm(tok["refresh_token"].(string)))

	log := s.Requests()
	var paths []string
	for _, r := range log {
		paths = append(paths, r.Method+" "+r.Path)
		if !r.Time.Equal(clock.Now()) {
			t.Errorf("request time %v, want the school clock %v", r.Time, clock.Now())
		}
	}
	want := []string{"GET /connect/authorize", "POST /connect/token", "GET /api/account", "POST /connect/token"}
	if strings.Join(paths, ",") != strings.Join(want, ",") {
		t.Errorf("log = %v, want %v", paths, want)
	}
	if log[0].Status != 302 || log[2].Status != 200 || log[2].Query != "noCache=0" {
		t.Errorf("log entries %+v", log)
	}
	dump, _ := json.Marshal(log)
	for _, secret := range []string{access, tok["refresh_token"].(string), tok2["access_token"].(string), tok2["refresh_token"].(string), "state-0123456789", "nonce-abcdef"} {
		if strings.Contains(string(dump), secret) {
			t.Errorf("request log contains a secret: %s", dump)
		}
	}
	if !strings.Contains(log[0].Query, "code_challenge=REDACTED") || !strings.Contains(log[0].Query, "client_id=M6LOAPP") {
		t.Errorf("authorize query logged as %q", log[0].Query)
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Error("ResetRequests left entries")
	}
}
