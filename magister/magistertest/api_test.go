package magistertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// apiTimeRE is Magister's date-time format: UTC with seven fractional digits.
var apiTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0000000Z$`)

func TestEnvelopeCasing(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)
	parent := accessFor(t, s, ParentLogin)
	anna := childID(t, s, parent, "Anna")
	var enr struct {
		Items []struct {
			ID int `json:"id"`
		} `json:"items"`
	}
	getJSON(t, s, parent, fmt.Sprintf("/api/leerlingen/%d/aanmeldingen?begin=1970-01-01", anna), &enr)
	aid := enr.Items[len(enr.Items)-1].ID

	tests := []struct {
		path     string
		envelope string   // "Items" or "items"; "" for a single object
		top      []string // more top-level keys
		fields   []string // keys of the first item (or of the object)
	}{
		{"/api/account", "", nil, []string{"UuId", "Persoon", "Groep", "Links"}},
		{"/api/personen/20417/kinderen", "Items", nil, []string{"Id", "Roepnaam", "Achternaam", "Tussenvoegsel", "Voorletters", "ZichtbaarVoorOuder"}},
		{fmt.Sprintf("/api/personen/%d/cijfers/laatste?top=5&skip=0", anna), "items", []string{"totalCount"},
			[]string{"kolomId", "omschrijving", "ingevoerdOp", "vak", "waarde", "weegfactor", "isVoldoende", "teltMee", "moetInhalen", "heeftVrijstelling", "behaaldOp", "links"}},
		{fmt.Sprintf("/api/leerlingen/%d/aanmeldingen?begin=2020-01-01", anna), "items", nil,
			[]string{"id", "begin", "einde", "isHoofdAanmelding", "studie", "groep", "lesperiode", "links"}},
		{fmt.Sprintf("/api/personen/%d/aanmeldingen", anna), "Items", nil, []string{"Id", "Start", "Einde", "Lesperiode", "Studie", "Groep"}},
		{fmt.Sprintf("/api/aanmeldingen/%d", aid), "", nil, []string{"id", "begin", "einde", "studie", "groep", "lesperiode"}},
		{fmt.Sprintf("/api/aanmeldingen/%d/cijfers", aid), "items", nil,
			[]string{"waarde", "isVoldoende", "teltMee", "moetInhalen", "heeftVrijstelling", "ingevoerdOp", "kolom"}},
		{fmt.Sprintf("/api/aanmeldingen/%d/vakken", aid), "items", nil, []string{"id", "begin", "einde", "studievak", "docenten"}},
		{fmt.Sprintf("/api/personen/%d/afspraken?van=2026-01-12&tot=2026-01-16", anna), "Items", []string{"TotalCount"},
			[]string{"Id", "Start", "Einde", "LesuurVan", "LesuurTotMet", "Omschrijving", "Lokatie", "Status", "Type", "InfoType", "Inhoud", "Afgerond", "Vakken", "Docenten", "Lokalen", "Links"}},
		{fmt.Sprintf("/api/personen/%d/absenties?van=2026-01-05&tot=2026-01-16", anna), "Items", nil,
			[]string{"Id", "Start", "Eind", "Lesuur", "Geoorloofd", "AfspraakId", "Omschrijving", "Code", "Verantwoordingtype"}},
		{"/api/berichten/mappen/alle", "items", nil, []string{"id", "naam", "aantalOngelezen", "bovenliggendeId", "links"}},
		{"/api/berichten/postvakin/berichten?top=10&skip=0", "items", []string{"totalCount"},
			[]string{"id", "onderwerp", "afzender", "verzondenOp", "isGelezen", "heeftBijlagen", "heeftPrioriteit", "mapId", "links"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			var top map[string]json.RawMessage
			getJSON(t, s, parent, tt.path, &top)
			for _, k := range tt.top {
				if _, ok := top[k]; !ok {
					t.Errorf("top-level key %q missing; have %v", k, keys(top))
				}
			}
			obj := top
			if tt.envelope != "" {
				other := strings.ToLower(tt.envelope[:1]) + tt.envelope[1:]
				if tt.envelope == other {
					other = "Items"
				}
				if _, ok := top[other]; ok {
					t.Errorf("envelope has %q, want only %q", other, tt.envelope)
				}
				var items []map[string]json.RawMessage
				if err := json.Unmarshal(top[tt.envelope], &items); err != nil || len(items) == 0 {
					t.Fatalf("envelope %q: %v, %d items", tt.envelope, err, len(items))
				}
				obj = items[0]
			}
			for _, k := range tt.fields {
				if _, ok := obj[k]; !ok {
					t.Errorf("field %q missing; have %v", k, keys(obj))
				}
			}
		})
	}
}

func keys(m map[string]json.RawMessage) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestAccounts(t *testing.T) {
	s := Start(t)
	var parent, student accountResp
	getJSON(t, s, accessFor(t, s, ParentLogin), "/api/account", &parent)
	getJSON(t, s, accessFor(t, s, StudentLogin), "/api/account", &student)
	canReadChildren := func(a accountResp) bool {
		for _, g := range a.Groep {
			for _, p := range g.Privileges {
				if p.Naam == "Kinderen" && slices.Contains(p.AccessType, "Read") {
					return true
				}
			}
		}
		return false
	}
	if parent.Groep[0].Naam != "Ouder" || !canReadChildren(parent) {
		t.Errorf("parent account = %+v, want group Ouder with Kinderen/Read", parent)
	}
	if student.Groep[0].Naam != "Leerling" || canReadChildren(student) || student.Persoon.Roepnaam != "Sem" {
		t.Errorf("student account = %+v, want Sem in group Leerling without Kinderen", student)
	}
}

func TestChildren(t *testing.T) {
	s := Start(t)
	tok := accessFor(t, s, ParentLogin)
	var acc accountResp
	getJSON(t, s, tok, "/api/account", &acc)
	var k kinderenResp
	getJSON(t, s, tok, fmt.Sprintf("/api/personen/%d/kinderen", acc.Persoon.ID), &k)
	var visible, hidden []string
	for _, c := range k.Items {
		if c.ZichtbaarVoorOuder {
			visible = append(visible, c.Roepnaam)
		} else {
			hidden = append(hidden, c.Roepnaam)
		}
	}
	if !slices.Equal(visible, []string{"Anna", "Daan"}) || len(hidden) != 1 {
		t.Errorf("visible children %v, hidden %v; want [Anna Daan] and one hidden", visible, hidden)
	}
}

func TestAccessControl(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)
	parent := accessFor(t, s, ParentLogin)
	student := accessFor(t, s, StudentLogin)
	var p, st accountResp
	getJSON(t, s, parent, "/api/account", &p)
	getJSON(t, s, student, "/api/account", &st)
	anna := childID(t, s, parent, "Anna")
	daan := childID(t, s, parent, "Daan")
	lotte := childID(t, s, parent, "Lotte")
	var enr struct {
		Items []struct {
			ID int `json:"id"`
		} `json:"items"`
	}
	getJSON(t, s, parent, fmt.Sprintf("/api/leerlingen/%d/aanmeldingen", anna), &enr)
	annaEnr := enr.Items[0].ID

	tests := []struct {
		who, token, path string
		want             int
	}{
		{"parent reads Anna", parent, fmt.Sprintf("/api/personen/%d/cijfers/laatste", anna), 200},
		{"parent reads Daan", parent, fmt.Sprintf("/api/personen/%d/afspraken?van=2026-01-14&tot=2026-01-14", daan), 200},
		{"parent reads Anna's enrollment", parent, fmt.Sprintf("/api/aanmeldingen/%d/cijfers", annaEnr), 200},
		{"parent, hidden child", parent, fmt.Sprintf("/api/personen/%d/cijfers/laatste", lotte), 403},
		{"parent, not a child", parent, fmt.Sprintf("/api/personen/%d/cijfers/laatste", st.Persoon.ID), 403},
		{"student reads self", student, fmt.Sprintf("/api/personen/%d/afspraken?van=2026-01-14&tot=2026-01-14", st.Persoon.ID), 200},
		{"student reads own enrollments", student, fmt.Sprintf("/api/leerlingen/%d/aanmeldingen", st.Persoon.ID), 200},
		{"student reads Anna", student, fmt.Sprintf("/api/personen/%d/cijfers/laatste", anna), 403},
		{"student reads Anna's absences", student, fmt.Sprintf("/api/personen/%d/absenties?van=2026-01-01&tot=2026-01-31", anna), 403},
		{"student reads Anna's enrollment", student, fmt.Sprintf("/api/aanmeldingen/%d/vakken", annaEnr), 403},
		{"student asks for children", student, fmt.Sprintf("/api/personen/%d/kinderen", st.Persoon.ID), 403},
		{"parent asks for another's children", parent, fmt.Sprintf("/api/personen/%d/kinderen", anna), 403},
		{"unknown enrollment", parent, "/api/aanmeldingen/1/cijfers", 404},
		{"unknown path", parent, "/api/bestaatniet", 404},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			if status, body, _ := call(t, s, http.MethodGet, tt.token, tt.path, nil); status != tt.want {
				t.Errorf("GET %s = %d (%s), want %d", tt.path, status, body, tt.want)
			}
		})
	}
}

func TestLatestGrades(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)
	tok := accessFor(t, s, ParentLogin)
	anna := childID(t, s, tok, "Anna")
	var all laatsteResp
	getJSON(t, s, tok, fmt.Sprintf("/api/personen/%d/cijfers/laatste?top=100", anna), &all)
	if all.TotalCount != len(all.Items) || len(all.Items) < 8 {
		t.Fatalf("totalCount %d, %d items", all.TotalCount, len(all.Items))
	}
	var low, text, weights int
	for i, g := range all.Items {
		if !apiTimeRE.MatchString(g.IngevoerdOp) {
			t.Errorf("ingevoerdOp %q", g.IngevoerdOp)
		}
		if i > 0 && g.IngevoerdOp > all.Items[i-1].IngevoerdOp {
			t.Errorf("item %d is newer than item %d: not newest first", i, i-1)
		}
		if g.IsVoldoende != nil && !*g.IsVoldoende {
			low++
		}
		if g.Waarde == "V" || g.Waarde == "U" {
			text++
		}
		if g.Weegfactor > 1 {
			weights++
		}
	}
	if low == 0 || text < 2 || weights == 0 {
		t.Errorf("seed has %d insufficient, %d text, %d weighted grades; want some of each", low, text, weights)
	}

	var page laatsteResp
	getJSON(t, s, tok, fmt.Sprintf("/api/personen/%d/cijfers/laatste?top=3&skip=2", anna), &page)
	if len(page.Items) != 3 || page.Items[0].KolomID != all.Items[2].KolomID || page.TotalCount != all.TotalCount {
		t.Errorf("top=3&skip=2 gave %d items starting at %d, total %d", len(page.Items), page.Items[0].KolomID, page.TotalCount)
	}
	if status, _, _ := call(t, s, http.MethodGet, tok, fmt.Sprintf("/api/personen/%d/cijfers/laatste?top=x", anna), nil); status != 400 {
		t.Errorf("top=x: status %d, want 400", status)
	}
}

func TestEnrollments(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)
	tok := accessFor(t, s, StudentLogin)
	var acc accountResp
	getJSON(t, s, tok, "/api/account", &acc)
	var lower struct {
		Items []struct {
			ID    int    `json:"id"`
			Begin string `json:"begin"`
			Einde string `json:"einde"`
		} `json:"items"`
	}
	getJSON(t, s, tok, fmt.Sprintf("/api/leerlingen/%d/aanmeldingen?begin=1970-01-01", acc.Persoon.ID), &lower)
	var got []string
	for _, e := range lower.Items {
		got = append(got, e.Begin+".."+e.Einde)
	}
	if want := []string{"2024-08-01..2025-07-31", "2025-08-01..2026-07-31"}; !slices.Equal(got, want) {
		t.Errorf("enrollments %v, want %v", got, want)
	}
	getJSON(t, s, tok, fmt.Sprintf("/api/leerlingen/%d/aanmeldingen?begin=2025-09-01", acc.Persoon.ID), &lower)
	if len(lower.Items) != 1 {
		t.Errorf("begin=2025-09-01 gave %d enrollments, want the current one", len(lower.Items))
	}
	var pascal struct {
		Items []struct {
			ID         int    `json:"Id"`
			Start      string `json:"Start"`
			Lesperiode string `json:"Lesperiode"`
		} `json:"Items"`
	}
	getJSON(t, s, tok, fmt.Sprintf("/api/personen/%d/aanmeldingen", acc.Persoon.ID), &pascal)
	if len(pascal.Items) != 2 || pascal.Items[1].Lesperiode != "2526" || !apiTimeRE.MatchString(pascal.Items[1].Start) {
		t.Errorf("PascalCase enrollments = %+v", pascal.Items)
	}

	// Grades per enrollment name only the studievak id; /vakken maps it.
	cur := pascal.Items[1].ID
	var grades struct {
		Items []struct {
			Kolom struct {
				StudievakID int `json:"studievakId"`
			} `json:"kolom"`
		} `json:"items"`
	}
	getJSON(t, s, tok, fmt.Sprintf("/api/aanmeldingen/%d/cijfers", cur), &grades)
	var vakken struct {
		Items []struct {
			Studievak struct {
				ID   int    `json:"id"`
				Code string `json:"code"`
			} `json:"studievak"`
		} `json:"items"`
	}
	getJSON(t, s, tok, fmt.Sprintf("/api/aanmeldingen/%d/vakken", cur), &vakken)
	codes := map[int]string{}
	for _, v := range vakken.Items {
		codes[v.Studievak.ID] = v.Studievak.Code
	}
	if len(codes) < 8 || len(grades.Items) == 0 {
		t.Fatalf("%d subjects, %d grades", len(codes), len(grades.Items))
	}
	for _, g := range grades.Items {
		if codes[g.Kolom.StudievakID] == "" {
			t.Errorf("grade names studievak %d, which /vakken does not list", g.Kolom.StudievakID)
		}
	}
}

func TestTimetable(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)
	tok := accessFor(t, s, ParentLogin)
	anna := childID(t, s, tok, "Anna")
	var day afsprakenResp
	getJSON(t, s, tok, fmt.Sprintf("/api/personen/%d/afspraken?van=2026-01-14&tot=2026-01-14", anna), &day)
	if len(day.Items) == 0 || day.TotalCount != len(day.Items) {
		t.Fatalf("%d items, TotalCount %d", len(day.Items), day.TotalCount)
	}
	first := day.Items[0]
	// Lesson 1 starts 08:30 in Amsterdam, which is 07:30 UTC in January.
	if first.Start != "2026-01-14T07:30:00.0000000Z" || first.LesuurVan == nil || *first.LesuurVan != 1 {
		t.Errorf("first lesson starts %s hour %v, want 07:30Z hour 1", first.Start, first.LesuurVan)
	}
	for _, a := range day.Items {
		if !apiTimeRE.MatchString(a.Start) || !apiTimeRE.MatchString(a.Einde) || !strings.HasPrefix(a.Start, "2026-01-14") {
			t.Errorf("appointment %d: Start %q Einde %q", a.ID, a.Start, a.Einde)
		}
		if a.Type != 13 || a.Lokatie == nil || len(a.Vakken) != 1 || len(a.Docenten) != 1 {
			t.Errorf("lesson %d: %+v", a.ID, a)
		}
	}

	// From the Monday of this week through eight days ahead: homework and tests.
	var weeks afsprakenResp
	getJSON(t, s, tok, fmt.Sprintf("/api/personen/%d/afspraken?van=2026-01-12&tot=2026-01-22", anna), &weeks)
	infoTypes := map[int]int{}
	for _, a := range weeks.Items {
		infoTypes[a.InfoType]++
		if a.InfoType > 0 && (a.Inhoud == nil || !strings.HasPrefix(*a.Inhoud, "<p>")) {
			t.Errorf("appointment %d has InfoType %d but Inhoud %v", a.ID, a.InfoType, a.Inhoud)
		}
	}
	if infoTypes[1] < 2 || infoTypes[2] != 1 || infoTypes[4] != 1 {
		t.Errorf("info types %v, want homework (1), a test (2) and a quiz (4)", infoTypes)
	}
	last := weeks.Items[len(weeks.Items)-1].Start
	if last < "2026-01-22" {
		t.Errorf("timetable ends %s, want it to reach 2026-01-22", last)
	}

	// tot is inclusive; a range needs both ends.
	var two afsprakenResp
	getJSON(t, s, tok, fmt.Sprintf("/api/personen/%d/afspraken?van=2026-01-14T00:00:00Z&tot=2026-01-15", anna), &two)
	if len(two.Items) <= len(day.Items) {
		t.Errorf("two days gave %d items, one day %d", len(two.Items), len(day.Items))
	}
	if status, _, _ := call(t, s, http.MethodGet, tok, fmt.Sprintf("/api/personen/%d/afspraken?van=2026-01-14", anna), nil); status != 400 {
		t.Errorf("missing tot: status %d, want 400", status)
	}

	// One appointment, and marking homework done needs a student.
	path := fmt.Sprintf("/api/personen/%d/afspraken/%d", anna, first.ID)
	if status, _, _ := call(t, s, http.MethodGet, tok, path, nil); status != 200 {
		t.Errorf("GET %s: %d", path, status)
	}
	if status, _, _ := call(t, s, http.MethodPut, tok, path, map[string]any{"Id": first.ID, "Afgerond": true}); status != 403 {
		t.Errorf("parent PUT Afgerond: %d, want 403", status)
	}
}

func TestStudentMarksHomeworkDone(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)
	tok := accessFor(t, s, StudentLogin)
	var hw Appointment
	for _, a := range s.Appointments("Sem") {
		if a.InfoType == 1 && !a.Done && a.Start.After(wednesday) {
			hw = a
			break
		}
	}
	path := fmt.Sprintf("/api/personen/20421/afspraken/%d", hw.ID)
	if status, b, _ := call(t, s, http.MethodPut, tok, path, map[string]any{"Id": hw.ID, "Afgerond": true}); status != http.StatusNoContent {
		t.Fatalf("PUT: %d %s", status, b)
	}
	var got struct {
		Afgerond bool `json:"Afgerond"`
	}
	getJSON(t, s, tok, path, &got)
	if !got.Afgerond {
		t.Error("homework not marked done")
	}
}

func TestAbsences(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)
	tok := accessFor(t, s, ParentLogin)
	anna := childID(t, s, tok, "Anna")
	var abs struct {
		Items []struct {
			Start              string `json:"Start"`
			Eind               string `json:"Eind"`
			AfspraakID         int    `json:"AfspraakId"`
			Code               string `json:"Code"`
			Verantwoordingtype int    `json:"Verantwoordingtype"`
			Afspraak           *struct {
				ID int `json:"Id"`
			} `json:"Afspraak"`
		} `json:"Items"`
	}
	getJSON(t, s, tok, fmt.Sprintf("/api/personen/%d/absenties?van=2025-12-01&tot=2026-01-31", anna), &abs)
	if len(abs.Items) < 2 {
		t.Fatalf("%d absences", len(abs.Items))
	}
	for _, a := range abs.Items {
		if a.Code == "" || a.Verantwoordingtype == 0 || a.Afspraak == nil || a.Afspraak.ID != a.AfspraakID || a.Eind <= a.Start {
			t.Errorf("absence %+v", a)
		}
		if end, _ := time.Parse(apiTimeLayout, a.Eind); !end.Before(wednesday) {
			t.Errorf("absence ends %s, after now", a.Eind)
		}
	}
	getJSON(t, s, tok, fmt.Sprintf("/api/personen/%d/absenties?van=2025-12-01&tot=2025-12-31", anna), &abs)
	if len(abs.Items) != 0 {
		t.Errorf("December has %d absences, want none", len(abs.Items))
	}
}

func TestMessagesBelongToTheAccount(t *testing.T) {
	s, _ := startSchoolAt(t, wednesday)
	for _, login := range []string{ParentLogin, StudentLogin} {
		t.Run(login, func(t *testing.T) {
			tok := accessFor(t, s, login)
			var m mappenResp
			getJSON(t, s, tok, "/api/berichten/mappen/alle", &m)
			inbox := m.Items[0]
			if inbox.Links.Berichten.Href != "/api/berichten/postvakin/berichten" || inbox.AantalOngelezen == 0 {
				t.Fatalf("first folder %+v, want the inbox with unread messages", inbox)
			}
			var unread, all berichtenResp
			getJSON(t, s, tok, inbox.Links.Berichten.Href+"?top=25&skip=0&gelezenStatus=ongelezen", &unread)
			getJSON(t, s, tok, inbox.Links.Berichten.Href+"?top=25&skip=0", &all)
			if unread.TotalCount != inbox.AantalOngelezen || len(unread.Items) != unread.TotalCount {
				t.Errorf("unread totalCount %d, %d items, folder says %d", unread.TotalCount, len(unread.Items), inbox.AantalOngelezen)
			}
			if all.TotalCount <= unread.TotalCount {
				t.Errorf("inbox total %d, unread %d: want some read messages too", all.TotalCount, unread.TotalCount)
			}
			for _, it := range unread.Items {
				if it.IsGelezen {
					t.Errorf("message %d is read but listed as unread", it.ID)
				}
			}
			// The message detail, and marking it read.
			id := unread.Items[0].ID
			var detail struct {
				Inhoud string `json:"inhoud"`
			}
			getJSON(t, s, tok, fmt.Sprintf("/api/berichten/berichten/%d", id), &detail)
			if detail.Inhoud == "" {
				t.Error("message detail has no inhoud")
			}
			patch := map[string]any{"berichten": []any{map[string]any{"berichtId": id,
				"operations": []any{map[string]any{"op": "replace", "path": "/isGelezen", "value": true}}}}}
			if status, b, _ := call(t, s, http.MethodPatch, tok, "/api/berichten/berichten", patch); status != http.StatusNoContent {
				t.Fatalf("PATCH: %d %s", status, b)
			}
			getJSON(t, s, tok, "/api/berichten/mappen/alle", &m)
			if m.Items[0].AantalOngelezen != inbox.AantalOngelezen-1 {
				t.Errorf("unread after PATCH = %d, want %d", m.Items[0].AantalOngelezen, inbox.AantalOngelezen-1)
			}
		})
	}
	// The parent cannot open Sem's messages.
	semTok := accessFor(t, s, StudentLogin)
	var sem berichtenResp
	getJSON(t, s, semTok, "/api/berichten/postvakin/berichten", &sem)
	if status, _, _ := call(t, s, http.MethodGet, accessFor(t, s, ParentLogin), fmt.Sprintf("/api/berichten/berichten/%d", sem.Items[0].ID), nil); status != 404 {
		t.Errorf("parent opens Sem's message: %d, want 404", status)
	}
}

// TestSeedAtAnyTime seeds the school at every hour of a week and on the edges
// of the school year, where the timetable window and the enrollment bounds
// meet, to show the seed never runs short of lessons or places data wrongly.
func TestSeedAtAnyTime(t *testing.T) {
	var times []time.Time
	for h := range 7 * 24 {
		times = append(times, wednesday.Add(time.Duration(h)*time.Hour))
	}
	loc := amsterdam()
	for _, d := range []time.Time{
		time.Date(2026, 7, 31, 23, 59, 0, 0, loc), time.Date(2026, 8, 1, 0, 0, 0, 0, loc),
		time.Date(2026, 8, 3, 7, 0, 0, 0, loc), time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), // DST change
		time.Date(2027, 1, 1, 0, 0, 0, 0, loc),
	} {
		times = append(times, d)
	}
	for _, now := range times {
		s := newSchool([]Option{WithClock(func() time.Time { return now })})
		for _, st := range s.students {
			cur := st.current()
			if now.Before(cur.begin) || now.After(cur.end.AddDate(0, 0, 1)) {
				t.Errorf("%v: current enrollment %v..%v does not hold now", now, cur.begin, cur.end)
			}
			for _, g := range st.grades {
				if g.entered.After(now) {
					t.Errorf("%v: grade %d entered in the future (%v)", now, g.kolomID, g.entered)
				}
			}
			var homework int
			for _, a := range st.appts {
				if a.start.After(now) && a.infoType > 0 {
					homework++
				}
				if lt := a.start.In(loc); lt.Hour() < 8 || lt.Hour() > 15 || lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday {
					t.Errorf("%v: lesson at %v", now, lt)
				}
			}
			if homework < 5 {
				t.Errorf("%v: %d future appointments with homework or tests", now, homework)
			}
			for _, ab := range st.absences {
				if ab.end.After(now) {
					t.Errorf("%v: absence in the future", now)
				}
			}
		}
	}
}
