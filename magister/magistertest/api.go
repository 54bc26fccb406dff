package magistertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

type accountKey struct{}

// apiFunc computes one API answer while s.mu is held; the body is written
// after the lock is released.
type apiFunc func(acc *account, r *http.Request) (status int, body any)

// apiError is the ASP.NET-style error body of the API.
type apiError struct {
	Message string `json:"Message"`
}

var (
	errForbidden = apiError{"Authorization has been denied for this request."}
	errNotFound  = apiError{"No HTTP resource was found that matches the request URI."}
)

// encoded is a body already in JSON; writeJSON writes it as it is.
type encoded []byte

func writeJSON(w http.ResponseWriter, status int, body any) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	b, ok := body.(encoded)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			http.Error(w, "magistertest: encode: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// itemJSONLimit bounds the item JSON a school keeps (a few MB).
const itemJSONLimit = 20000

// listJSON is json.Marshal of {"<items>":[…],"<count>":n} (or without a
// count when count is ""), with the items' JSON kept by key: a key holds
// everything the item is made of, so an item that changed has another key,
// and a client that asks for the same list every few minutes (a check)
// does not have it marshalled again. It is called with s.mu held.
// TestListJSONIsMarshal holds it to json.Marshal.
func (s *School) listJSON(items, count string, n int, key func(i int) any, item func(i int) any) encoded {
	if s.itemJSON == nil || len(s.itemJSON) > itemJSONLimit {
		s.itemJSON = map[any][]byte{}
	}
	var b []byte
	b = append(b, `{"`+items+`":[`...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		k := key(i)
		js, ok := s.itemJSON[k]
		if !ok {
			var err error
			if js, err = json.Marshal(item(i)); err != nil {
				panic("magistertest: encode: " + err.Error()) // the fake's own types always encode
			}
			s.itemJSON[k] = js
		}
		b = append(b, js...)
	}
	b = append(b, ']')
	if count != "" {
		b = strconv.AppendInt(append(b, `,"`+count+`":`...), int64(n), 10)
	}
	return append(b, '}')
}

func (s *School) apiHandler() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, f apiFunc) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			acc := r.Context().Value(accountKey{}).(*account)
			s.mu.Lock()
			status, body := f(acc, r)
			s.mu.Unlock()
			writeJSON(w, status, body)
		})
	}
	handle("GET /api/account", s.apiAccount)
	handle("GET /api/personen/{id}/kinderen", s.apiKinderen)
	handle("GET /api/personen/{id}/cijfers/laatste", s.apiLaatsteCijfers)
	handle("GET /api/leerlingen/{id}/aanmeldingen", s.apiLeerlingAanmeldingen)
	handle("GET /api/personen/{id}/aanmeldingen", s.apiPersoonAanmeldingen)
	handle("GET /api/aanmeldingen/{aid}", s.apiAanmelding)
	handle("GET /api/aanmeldingen/{aid}/cijfers", s.apiAanmeldingCijfers)
	handle("GET /api/aanmeldingen/{aid}/vakken", s.apiAanmeldingVakken)
	handle("GET /api/personen/{id}/afspraken", s.apiAfspraken)
	handle("GET /api/personen/{id}/afspraken/{aid}", s.apiAfspraak)
	handle("PUT /api/personen/{id}/afspraken/{aid}", s.apiAfspraakUpdate)
	handle("GET /api/personen/{id}/absenties", s.apiAbsenties)
	handle("GET /api/berichten/mappen/alle", s.apiMappen)
	handle("GET /api/berichten/postvakin/berichten", s.apiBerichten(folderInbox))
	handle("GET /api/berichten/verzondenitems/berichten", s.apiBerichten(folderSent))
	handle("GET /api/berichten/verwijderditems/berichten", s.apiBerichten(folderDeleted))
	handle("GET /api/berichten/berichten/{bid}", s.apiBericht)
	handle("GET /api/berichten/berichten/{bid}/bijlagen", s.apiBijlagen)
	handle("PATCH /api/berichten/berichten", s.apiBerichtenPatch)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.waitHold(r) || s.injectFailure(w, r) {
			return
		}
		s.mu.Lock()
		acc, ok := s.authenticateLocked(r)
		s.mu.Unlock()
		if !ok {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("SecurityToken Expired"))
			return
		}
		mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), accountKey{}, acc)))
	})
}

// personFor resolves {id} to a student the account may read. st is nil (with ok
// true) for a parent's own person id, which has no school data.
func personFor(acc *account, r *http.Request) (st *student, status int, ok bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return nil, http.StatusNotFound, false
	}
	st, ok = acc.readable(id)
	if !ok {
		return nil, http.StatusForbidden, false
	}
	return st, http.StatusOK, true
}

func errorBody(status int) any {
	if status == http.StatusForbidden {
		return errForbidden
	}
	return errNotFound
}

// pageParams reads top and skip with a default page size.
func pageParams(r *http.Request, def int) (top, skip int, err error) {
	top, skip = def, 0
	q := r.URL.Query()
	if v := q.Get("top"); v != "" {
		if top, err = strconv.Atoi(v); err != nil || top < 0 {
			return 0, 0, fmt.Errorf("top=%q", v)
		}
	}
	if v := q.Get("skip"); v != "" {
		if skip, err = strconv.Atoi(v); err != nil || skip < 0 {
			return 0, 0, fmt.Errorf("skip=%q", v)
		}
	}
	return top, skip, nil
}

func page[T any](items []T, top, skip int) []T {
	if skip >= len(items) {
		return []T{}
	}
	items = items[skip:]
	if top < len(items) {
		items = items[:top]
	}
	return items
}

// ---- account and children (PascalCase) ----

type link struct {
	Rel  string `json:"Rel"`
	Href string `json:"Href"`
}

type privilege struct {
	Naam       string   `json:"Naam"`
	AccessType []string `json:"AccessType"`
	Links      []link   `json:"Links"`
}

type groep struct {
	Naam       string      `json:"Naam"`
	Privileges []privilege `json:"Privileges"`
	Links      []link      `json:"Links"`
}

type persoonJSON struct {
	ID                        int     `json:"Id"`
	Roepnaam                  string  `json:"Roepnaam"`
	Tussenvoegsel             *string `json:"Tussenvoegsel"`
	Achternaam                string  `json:"Achternaam"`
	OfficieleVoornamen        string  `json:"OfficieleVoornamen"`
	Voorletters               string  `json:"Voorletters"`
	OfficieleTussenvoegsels   *string `json:"OfficieleTussenvoegsels"`
	OfficieleAchternaam       string  `json:"OfficieleAchternaam"`
	Geboortedatum             *string `json:"Geboortedatum"`
	GeboorteAchternaam        *string `json:"GeboorteAchternaam"`
	GeboortenaamTussenvoegsel *string `json:"GeboortenaamTussenvoegsel"`
	GebruikGeboortenaam       bool    `json:"GebruikGeboortenaam"`
}

type accountJSON struct {
	UUID    string      `json:"UuId"`
	Persoon persoonJSON `json:"Persoon"`
	Groep   []groep     `json:"Groep"`
	Links   []link      `json:"Links"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func privileges(names ...string) []privilege {
	var ps []privilege
	for _, n := range names {
		name, access, _ := strings.Cut(n, ":")
		ps = append(ps, privilege{Naam: name, AccessType: strings.Split(access, ","), Links: []link{}})
	}
	return ps
}

func (s *School) apiAccount(acc *account, _ *http.Request) (int, any) {
	g := groep{Naam: "Leerling", Links: []link{}, Privileges: privileges(
		"Afspraken:Read,Update", "Cijfers:Read", "Absenties:Read", "Aanmeldingen:Read",
		"Berichten:Read,Create,Update,Delete", "Huiswerk:Read,Update")}
	if acc.parent {
		g = groep{Naam: "Ouder", Links: []link{}, Privileges: privileges(
			"Kinderen:Read", "Afspraken:Read", "Cijfers:Read", "Absenties:Read", "Aanmeldingen:Read",
			"Berichten:Read,Create,Update,Delete")}
	}
	return http.StatusOK, accountJSON{
		UUID: acc.uuid,
		Persoon: persoonJSON{
			ID: acc.id, Roepnaam: acc.first, Tussenvoegsel: optional(acc.tussen), Achternaam: acc.last,
			OfficieleVoornamen: acc.first, Voorletters: acc.initials, OfficieleTussenvoegsels: optional(acc.tussen),
			OfficieleAchternaam: acc.last, Geboortedatum: optional(acc.birth),
		},
		Groep: []groep{g},
		Links: []link{{Rel: "Self", Href: "/api/account"}},
	}
}

type kindJSON struct {
	ID                 int     `json:"Id"`
	Roepnaam           string  `json:"Roepnaam"`
	Voorletters        string  `json:"Voorletters"`
	Tussenvoegsel      *string `json:"Tussenvoegsel"`
	Achternaam         string  `json:"Achternaam"`
	Stamnummer         string  `json:"Stamnummer"`
	ZichtbaarVoorOuder bool    `json:"ZichtbaarVoorOuder"`
	Links              []link  `json:"Links"`
}

type itemsPascal[T any] struct {
	Items []T `json:"Items"`
}

type itemsPascalCount[T any] struct {
	Items      []T `json:"Items"`
	TotalCount int `json:"TotalCount"`
}

type itemsCamel[T any] struct {
	Items []T `json:"items"`
}

type itemsCamelCount[T any] struct {
	Items      []T `json:"items"`
	TotalCount int `json:"totalCount"`
}

func (s *School) apiKinderen(acc *account, r *http.Request) (int, any) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return http.StatusNotFound, errNotFound
	}
	if !acc.parent || id != acc.id {
		return http.StatusForbidden, errForbidden
	}
	items := []kindJSON{}
	for _, c := range acc.children {
		items = append(items, kindJSON{
			ID: c.id, Roepnaam: c.first, Voorletters: c.initials, Tussenvoegsel: optional(c.tussen),
			Achternaam: c.last, Stamnummer: c.stamnummer, ZichtbaarVoorOuder: c.visible,
			Links: []link{{Rel: "Self", Href: fmt.Sprintf("/api/personen/%d", c.id)}},
		})
	}
	return http.StatusOK, itemsPascal[kindJSON]{items}
}

// ---- grades (camelCase) ----

type href struct {
	Href string `json:"href"`
}

type vakRefJSON struct {
	Code         string `json:"code"`
	Omschrijving string `json:"omschrijving"`
}

type laatsteCijferJSON struct {
	KolomID           int        `json:"kolomId"`
	Omschrijving      string     `json:"omschrijving"`
	IngevoerdOp       string     `json:"ingevoerdOp"`
	Vak               vakRefJSON `json:"vak"`
	Waarde            string     `json:"waarde"`
	CijferGetal       *float64   `json:"cijferGetal"`
	Weegfactor        float64    `json:"weegfactor"`
	IsVoldoende       *bool      `json:"isVoldoende"`
	TeltMee           bool       `json:"teltMee"`
	MoetInhalen       bool       `json:"moetInhalen"`
	HeeftVrijstelling bool       `json:"heeftVrijstelling"`
	BehaaldOp         *string    `json:"behaaldOp"`
	Links             any        `json:"links"`
}

// cijferGetal is the grade as a number, as real schools send it next to
// waarde; null for a text grade.
func cijferGetal(value string) *float64 {
	f, err := strconv.ParseFloat(strings.Replace(value, ",", ".", 1), 64)
	if err != nil {
		return nil
	}
	return &f
}

func sufficientPtr(value string) *bool {
	v, ok := isSufficient(value)
	if !ok {
		return nil
	}
	return &v
}

// newestFirst orders grades by entry time, then column id, newest first.
func newestFirst(a, b *grade) int {
	if c := b.entered.Compare(a.entered); c != 0 {
		return c
	}
	return b.kolomID - a.kolomID
}

func (s *School) apiLaatsteCijfers(acc *account, r *http.Request) (int, any) {
	st, status, ok := personFor(acc, r)
	if !ok {
		return status, errorBody(status)
	}
	top, skip, err := pageParams(r, 25)
	if err != nil {
		return http.StatusBadRequest, apiError{"The request is invalid: " + err.Error()}
	}
	// Like a real school's, the list is not limited to the current school
	// year: last year's grades stay in it until newer ones push them out.
	var gs []*grade
	if st != nil {
		gs = slices.Clone(st.grades)
	}
	slices.SortFunc(gs, newestFirst)
	pg := page(gs, top, skip)
	b := s.listJSON("items", "", len(pg), func(i int) any { return laatsteKey{*pg[i], *pg[i].subj} },
		func(i int) any { return laatsteCijfer(pg[i]) })
	// The count is of all grades, not of the page.
	b = strconv.AppendInt(append(b[:len(b)-1], `,"totalCount":`...), int64(len(gs)), 10)
	return http.StatusOK, append(b, '}')
}

// laatsteKey is everything a latest-grades item is made of.
type laatsteKey struct {
	g    grade
	subj subject
}

func laatsteCijfer(g *grade) laatsteCijferJSON {
	return laatsteCijferJSON{
		KolomID: g.kolomID, Omschrijving: g.desc, IngevoerdOp: apiTime(g.entered),
		Vak: vakRefJSON{g.subj.code, g.subj.name}, Waarde: g.value, CijferGetal: cijferGetal(g.value), Weegfactor: g.weight,
		IsVoldoende: sufficientPtr(g.value), TeltMee: g.weight > 0,
	}
}

// ---- enrollments ----

type codeRef struct {
	ID    int    `json:"id"`
	Code  string `json:"code"`
	Links any    `json:"links"`
}

type groepRef struct {
	ID           int    `json:"id"`
	Code         string `json:"code"`
	Omschrijving string `json:"omschrijving"`
	Links        any    `json:"links"`
}

type periodeRef struct {
	Code  string `json:"code"`
	Links any    `json:"links"`
}

type aanmeldingJSON struct {
	ID                 int             `json:"id"`
	Begin              string          `json:"begin"`
	Einde              string          `json:"einde"`
	IsHoofdAanmelding  bool            `json:"isHoofdAanmelding"`
	Studie             codeRef         `json:"studie"`
	Groep              groepRef        `json:"groep"`
	Lesperiode         periodeRef      `json:"lesperiode"`
	Profielen          []any           `json:"profielen"`
	PersoonlijkeMentor any             `json:"persoonlijkeMentor"`
	Links              map[string]href `json:"links"`
}

func aanmelding(e *enrollment) aanmeldingJSON {
	return aanmeldingJSON{
		ID: e.id, Begin: apiDate(e.begin), Einde: apiDate(e.end), IsHoofdAanmelding: true,
		Studie:     codeRef{ID: e.studyID, Code: e.studyCode},
		Groep:      groepRef{ID: e.groupID, Code: e.group, Omschrijving: "Klas " + e.group},
		Lesperiode: periodeRef{Code: e.period},
		Profielen:  []any{},
		Links: map[string]href{
			"self":    {fmt.Sprintf("/api/aanmeldingen/%d", e.id)},
			"cijfers": {fmt.Sprintf("/api/aanmeldingen/%d/cijfers", e.id)},
			"vakken":  {fmt.Sprintf("/api/aanmeldingen/%d/vakken", e.id)},
		},
	}
}

func (s *School) apiLeerlingAanmeldingen(acc *account, r *http.Request) (int, any) {
	st, status, ok := personFor(acc, r)
	if !ok {
		return status, errorBody(status)
	}
	from := time.Time{}
	if v := r.URL.Query().Get("begin"); v != "" {
		d, ok := parseQueryDate(v, s.loc)
		if !ok {
			return http.StatusBadRequest, apiError{"The request is invalid: begin=" + v}
		}
		from = d
	}
	items := []aanmeldingJSON{}
	if st != nil {
		for _, e := range st.enrollments {
			if !e.end.Before(from) {
				items = append(items, aanmelding(e))
			}
		}
	}
	return http.StatusOK, itemsCamel[aanmeldingJSON]{items}
}

type idOmschrijving struct {
	ID           int    `json:"Id"`
	Omschrijving string `json:"Omschrijving"`
}

type persoonAanmeldingJSON struct {
	ID         int            `json:"Id"`
	Start      string         `json:"Start"`
	Einde      string         `json:"Einde"`
	Lesperiode string         `json:"Lesperiode"`
	Studie     idOmschrijving `json:"Studie"`
	Groep      struct {
		ID           int    `json:"Id"`
		Omschrijving string `json:"Omschrijving"`
		LocatieID    int    `json:"LocatieId"`
	} `json:"Groep"`
	Profiel  *string `json:"Profiel"`
	Profiel2 *string `json:"Profiel2"`
}

// dateAsUTC writes a calendar date as midnight UTC, which reads as the same
// date both to clients that take the date part and to those that convert to
// Amsterdam time.
func dateAsUTC(d time.Time) string {
	return d.Format(dateLayout) + "T00:00:00.0000000Z"
}

func (s *School) apiPersoonAanmeldingen(acc *account, r *http.Request) (int, any) {
	st, status, ok := personFor(acc, r)
	if !ok {
		return status, errorBody(status)
	}
	items := []persoonAanmeldingJSON{}
	if st != nil {
		for _, e := range st.enrollments {
			it := persoonAanmeldingJSON{
				ID: e.id, Start: dateAsUTC(e.begin), Einde: dateAsUTC(e.end), Lesperiode: e.period,
				Studie: idOmschrijving{e.studyID, e.study},
			}
			it.Groep.ID, it.Groep.Omschrijving, it.Groep.LocatieID = e.groupID, e.group, 1
			items = append(items, it)
		}
	}
	return http.StatusOK, itemsPascal[persoonAanmeldingJSON]{items}
}

// enrollmentFor resolves {aid} to an enrollment the account may read.
func (s *School) enrollmentFor(acc *account, r *http.Request) (*student, *enrollment, int) {
	aid, err := strconv.Atoi(r.PathValue("aid"))
	if err != nil {
		return nil, nil, http.StatusNotFound
	}
	st, e := s.enrollmentByID(aid)
	if e == nil {
		return nil, nil, http.StatusNotFound
	}
	if _, ok := acc.readable(st.id); !ok {
		return nil, nil, http.StatusForbidden
	}
	return st, e, http.StatusOK
}

func (s *School) apiAanmelding(acc *account, r *http.Request) (int, any) {
	_, e, status := s.enrollmentFor(acc, r)
	if e == nil {
		return status, errorBody(status)
	}
	return http.StatusOK, aanmelding(e)
}

type kolomJSON struct {
	ID           int     `json:"id"`
	StudievakID  int     `json:"studievakId"`
	Naam         string  `json:"naam"`
	Omschrijving string  `json:"omschrijving"`
	Weegfactor   float64 `json:"weegfactor"`
	Type         string  `json:"type"`
}

type aanmeldingCijferJSON struct {
	Waarde            string    `json:"waarde"`
	IsVoldoende       *bool     `json:"isVoldoende"`
	TeltMee           bool      `json:"teltMee"`
	MoetInhalen       bool      `json:"moetInhalen"`
	HeeftVrijstelling bool      `json:"heeftVrijstelling"`
	IngevoerdOp       string    `json:"ingevoerdOp"`
	Kolom             kolomJSON `json:"kolom"`
}

func (s *School) apiAanmeldingCijfers(acc *account, r *http.Request) (int, any) {
	st, e, status := s.enrollmentFor(acc, r)
	if e == nil {
		return status, errorBody(status)
	}
	items := []aanmeldingCijferJSON{}
	for _, g := range st.grades {
		if g.enr != e {
			continue
		}
		items = append(items, aanmeldingCijferJSON{
			Waarde: g.value, IsVoldoende: sufficientPtr(g.value), TeltMee: g.weight > 0,
			IngevoerdOp: apiTime(g.entered),
			Kolom: kolomJSON{ID: g.kolomID, StudievakID: g.subj.id, Naam: g.column, Omschrijving: g.desc,
				Weegfactor: g.weight, Type: "cijfer"},
		})
	}
	return http.StatusOK, itemsCamel[aanmeldingCijferJSON]{items}
}

type studievakJSON struct {
	ID                   int     `json:"id"`
	Code                 string  `json:"code"`
	Omschrijving         string  `json:"omschrijving"`
	Niveau               *string `json:"niveau"`
	Volgnummer           int     `json:"volgnummer"`
	HeeftCijferstructuur bool    `json:"heeftCijferstructuur"`
}

type docentJSON struct {
	IsHoofdDocent bool    `json:"isHoofdDocent"`
	Code          string  `json:"code"`
	Voorletters   string  `json:"voorletters"`
	Tussenvoegsel *string `json:"tussenvoegsel"`
	Achternaam    string  `json:"achternaam"`
}

type vakJSON struct {
	ID                 int           `json:"id"`
	Begin              string        `json:"begin"`
	Einde              string        `json:"einde"`
	Studievak          studievakJSON `json:"studievak"`
	Docenten           []docentJSON  `json:"docenten"`
	HeeftOntheffing    bool          `json:"heeftOntheffing"`
	HeeftVrijstelling  bool          `json:"heeftVrijstelling"`
	IsRoostertechnisch bool          `json:"isRoostertechnisch"`
}

func (s *School) apiAanmeldingVakken(acc *account, r *http.Request) (int, any) {
	_, e, status := s.enrollmentFor(acc, r)
	if e == nil {
		return status, errorBody(status)
	}
	items := []vakJSON{}
	for i, sj := range s.subjects {
		t := sj.teacher
		items = append(items, vakJSON{
			ID: e.firstVak + i, Begin: apiDate(e.begin), Einde: apiDate(e.end),
			Studievak: studievakJSON{ID: sj.id, Code: sj.code, Omschrijving: sj.name, Volgnummer: i + 1, HeeftCijferstructuur: true},
			Docenten: []docentJSON{{IsHoofdDocent: true, Code: t.code, Voorletters: t.initials,
				Tussenvoegsel: optional(t.tussen), Achternaam: t.last}},
		})
	}
	return http.StatusOK, itemsCamel[vakJSON]{items}
}

// ---- appointments and absences (PascalCase) ----

type vakNaam struct {
	ID   int    `json:"Id"`
	Naam string `json:"Naam"`
}

type docentNaam struct {
	ID         int    `json:"Id"`
	Naam       string `json:"Naam"`
	Docentcode string `json:"Docentcode"`
}

type lokaal struct {
	Naam string `json:"Naam"`
}

type afspraakJSON struct {
	ID               int          `json:"Id"`
	Links            []link       `json:"Links"`
	Start            string       `json:"Start"`
	Einde            string       `json:"Einde"`
	LesuurVan        *int         `json:"LesuurVan"`
	LesuurTotMet     *int         `json:"LesuurTotMet"`
	DuurtHeleDag     bool         `json:"DuurtHeleDag"`
	Omschrijving     string       `json:"Omschrijving"`
	Lokatie          *string      `json:"Lokatie"`
	Status           int          `json:"Status"`
	Type             int          `json:"Type"`
	Subtype          int          `json:"Subtype"`
	IsOnlineDeelname bool         `json:"IsOnlineDeelname"`
	WeergaveType     int          `json:"WeergaveType"`
	Inhoud           *string      `json:"Inhoud"`
	Opmerking        *string      `json:"Opmerking"`
	InfoType         int          `json:"InfoType"`
	Aantekening      *string      `json:"Aantekening"`
	Afgerond         bool         `json:"Afgerond"`
	HerhaalStatus    int          `json:"HerhaalStatus"`
	Herhaling        any          `json:"Herhaling"`
	Vakken           []vakNaam    `json:"Vakken"`
	Docenten         []docentNaam `json:"Docenten"`
	Lokalen          []lokaal     `json:"Lokalen"`
	Groepen          any          `json:"Groepen"`
	OpdrachtID       int          `json:"OpdrachtId"`
	HeeftBijlagen    bool         `json:"HeeftBijlagen"`
	Bijlagen         any          `json:"Bijlagen"`
}

func afspraak(st *student, a *appointment) afspraakJSON {
	j := afspraakJSON{
		ID:    a.id,
		Links: []link{{Rel: "Self", Href: fmt.Sprintf("/api/personen/%d/afspraken/%d", st.id, a.id)}},
		Start: apiTime(a.start), Einde: apiTime(a.end), Omschrijving: a.desc, Lokatie: optional(a.room),
		Status: a.status, Type: a.typ, Subtype: 1, WeergaveType: 1, Inhoud: optional(a.content),
		InfoType: a.infoType, Afgerond: a.done, Vakken: []vakNaam{}, Docenten: []docentNaam{}, Lokalen: []lokaal{},
	}
	if a.hour > 0 {
		h := a.hour
		j.LesuurVan, j.LesuurTotMet = &h, &h
	}
	if a.room != "" && a.room != "-" {
		j.Lokalen = []lokaal{{a.room}}
	}
	if a.subj != nil {
		j.Vakken = []vakNaam{{a.subj.id, a.subj.name}}
		t := a.subj.teacher
		j.Docenten = []docentNaam{{t.id, t.name(), t.code}}
	}
	return j
}

// dateRange reads van and tot (both required, both inclusive) as the local
// half-open interval [van 00:00, tot+1 00:00).
func (s *School) dateRange(r *http.Request) (from, to time.Time, err error) {
	q := r.URL.Query()
	from, ok1 := parseQueryDate(q.Get("van"), s.loc)
	to, ok2 := parseQueryDate(q.Get("tot"), s.loc)
	if !ok1 || !ok2 {
		return from, to, fmt.Errorf("van=%q tot=%q, want YYYY-MM-DD", q.Get("van"), q.Get("tot"))
	}
	return from, to.AddDate(0, 0, 1), nil
}

func byStart(a, b *appointment) int {
	if c := a.start.Compare(b.start); c != 0 {
		return c
	}
	return a.id - b.id
}

func (s *School) apiAfspraken(acc *account, r *http.Request) (int, any) {
	st, status, ok := personFor(acc, r)
	if !ok {
		return status, errorBody(status)
	}
	from, to, err := s.dateRange(r)
	if err != nil {
		return http.StatusBadRequest, apiError{"The request is invalid: " + err.Error()}
	}
	var in []*appointment
	if st != nil {
		s.extendTimetable(st, to)
		appts := slices.Clone(st.appts)
		slices.SortFunc(appts, byStart)
		for _, a := range appts {
			if !a.start.Before(from) && a.start.Before(to) {
				in = append(in, a)
			}
		}
	}
	return http.StatusOK, s.listJSON("Items", "TotalCount", len(in), func(i int) any { return afspraakKey(st, in[i]) },
		func(i int) any { return afspraak(st, in[i]) })
}

// afspraakKey is everything afspraak makes an item of.
func afspraakKey(st *student, a *appointment) any {
	type key struct {
		student int
		a       appointment
		subj    subject
	}
	k := key{student: st.id, a: *a}
	if a.subj != nil {
		k.subj = *a.subj
	}
	return k
}

func (s *School) appointmentFor(acc *account, r *http.Request) (*student, *appointment, int) {
	st, status, ok := personFor(acc, r)
	if !ok {
		return nil, nil, status
	}
	aid, err := strconv.Atoi(r.PathValue("aid"))
	if err != nil || st == nil {
		return nil, nil, http.StatusNotFound
	}
	a, _, err := st.findAppointment(aid)
	if err != nil {
		return nil, nil, http.StatusNotFound
	}
	return st, a, http.StatusOK
}

func (s *School) apiAfspraak(acc *account, r *http.Request) (int, any) {
	st, a, status := s.appointmentFor(acc, r)
	if a == nil {
		return status, errorBody(status)
	}
	return http.StatusOK, afspraak(st, a)
}

// apiAfspraakUpdate lets a student tick homework off (Afgerond), as the app does.
func (s *School) apiAfspraakUpdate(acc *account, r *http.Request) (int, any) {
	_, a, status := s.appointmentFor(acc, r)
	if a == nil {
		return status, errorBody(status)
	}
	var body struct {
		Afgerond *bool `json:"Afgerond"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Afgerond == nil {
		return http.StatusBadRequest, apiError{"The request is invalid: want a JSON body with Afgerond"}
	}
	if acc.parent {
		return http.StatusForbidden, errForbidden
	}
	a.done = *body.Afgerond
	return http.StatusNoContent, nil
}

type absentieJSON struct {
	ID                 int           `json:"Id"`
	Start              string        `json:"Start"`
	Eind               string        `json:"Eind"`
	Lesuur             int           `json:"Lesuur"`
	Geoorloofd         bool          `json:"Geoorloofd"`
	AfspraakID         int           `json:"AfspraakId"`
	Afspraak           *afspraakJSON `json:"Afspraak"`
	Omschrijving       string        `json:"Omschrijving"`
	Code               string        `json:"Code"`
	Verantwoordingtype int           `json:"Verantwoordingtype"`
}

func (s *School) apiAbsenties(acc *account, r *http.Request) (int, any) {
	st, status, ok := personFor(acc, r)
	if !ok {
		return status, errorBody(status)
	}
	from, to, err := s.dateRange(r)
	if err != nil {
		return http.StatusBadRequest, apiError{"The request is invalid: " + err.Error()}
	}
	items := []absentieJSON{}
	if st != nil {
		for _, ab := range st.absences {
			if ab.start.Before(from) || !ab.start.Before(to) {
				continue
			}
			it := absentieJSON{
				ID: ab.id, Start: apiTime(ab.start), Eind: apiTime(ab.end), Lesuur: ab.hour, Geoorloofd: ab.excused,
				AfspraakID: ab.apptID, Omschrijving: ab.desc, Code: ab.code, Verantwoordingtype: ab.kind,
			}
			if a, _, err := st.findAppointment(ab.apptID); err == nil {
				j := afspraak(st, a)
				it.Afspraak = &j
			}
			items = append(items, it)
		}
	}
	return http.StatusOK, itemsPascal[absentieJSON]{items}
}

// ---- messages (camelCase); they belong to the signed-in account ----

type mapJSON struct {
	ID              int             `json:"id"`
	Naam            string          `json:"naam"`
	AantalOngelezen int             `json:"aantalOngelezen"`
	BovenliggendeID int             `json:"bovenliggendeId"`
	Links           map[string]href `json:"links"`
}

var folders = []struct {
	id         int
	name, path string
}{
	{folderInbox, "Postvak IN", "/api/berichten/postvakin/berichten"},
	{folderSent, "Verzonden items", "/api/berichten/verzondenitems/berichten"},
	{folderDeleted, "Verwijderde items", "/api/berichten/verwijderditems/berichten"},
}

func (s *School) apiMappen(acc *account, _ *http.Request) (int, any) {
	items := []mapJSON{}
	for _, f := range folders {
		unread := 0
		for _, m := range acc.messages {
			if m.folder == f.id && !m.read {
				unread++
			}
		}
		items = append(items, mapJSON{
			ID: f.id, Naam: f.name, AantalOngelezen: unread,
			Links: map[string]href{"self": {fmt.Sprintf("/api/berichten/mappen/%d", f.id)}, "berichten": {f.path}},
		})
	}
	return http.StatusOK, itemsCamel[mapJSON]{items}
}

type afzenderJSON struct {
	ID    int    `json:"id"`
	Naam  string `json:"naam"`
	Links any    `json:"links"`
}

type berichtJSON struct {
	ID              int             `json:"id"`
	Onderwerp       string          `json:"onderwerp"`
	Afzender        afzenderJSON    `json:"afzender"`
	VerzondenOp     string          `json:"verzondenOp"`
	IsGelezen       bool            `json:"isGelezen"`
	HeeftBijlagen   bool            `json:"heeftBijlagen"`
	HeeftPrioriteit bool            `json:"heeftPrioriteit"`
	MapID           int             `json:"mapId"`
	Links           map[string]href `json:"links"`
}

func bericht(m *message) berichtJSON {
	links := map[string]href{
		"self": {fmt.Sprintf("/api/berichten/berichten/%d", m.id)},
		"map":  {fmt.Sprintf("/api/berichten/mappen/%d", m.folder)},
	}
	if m.attachments {
		links["bijlagen"] = href{fmt.Sprintf("/api/berichten/berichten/%d/bijlagen", m.id)}
	}
	return berichtJSON{
		ID: m.id, Onderwerp: m.subject, Afzender: afzenderJSON{ID: m.fromID, Naam: m.from},
		VerzondenOp: apiTime(m.sent), IsGelezen: m.read, HeeftBijlagen: m.attachments,
		HeeftPrioriteit: m.priority, MapID: m.folder, Links: links,
	}
}

func (s *School) apiBerichten(folder int) apiFunc {
	return func(acc *account, r *http.Request) (int, any) {
		top, skip, err := pageParams(r, 25)
		if err != nil {
			return http.StatusBadRequest, apiError{"The request is invalid: " + err.Error()}
		}
		filter := r.URL.Query().Get("gelezenStatus")
		var ms []*message
		for _, m := range acc.messages {
			if m.folder != folder ||
				(strings.EqualFold(filter, "ongelezen") && m.read) ||
				(strings.EqualFold(filter, "gelezen") && !m.read) {
				continue
			}
			ms = append(ms, m)
		}
		slices.SortFunc(ms, func(a, b *message) int {
			if c := b.sent.Compare(a.sent); c != 0 {
				return c
			}
			return b.id - a.id
		})
		items := []berichtJSON{}
		for _, m := range page(ms, top, skip) {
			items = append(items, bericht(m))
		}
		return http.StatusOK, itemsCamelCount[berichtJSON]{items, len(ms)}
	}
}

type ontvangerJSON struct {
	ID           int    `json:"id"`
	Weergavenaam string `json:"weergavenaam"`
	Type         string `json:"type"`
}

type berichtDetailJSON struct {
	berichtJSON
	Inhoud                string          `json:"inhoud"`
	Ontvangers            []ontvangerJSON `json:"ontvangers"`
	KopieOntvangers       []ontvangerJSON `json:"kopieOntvangers"`
	BlindeKopieOntvangers []ontvangerJSON `json:"blindeKopieOntvangers"`
}

func findMessage(acc *account, id int) *message {
	for _, m := range acc.messages {
		if m.id == id {
			return m
		}
	}
	return nil
}

func (s *School) apiBericht(acc *account, r *http.Request) (int, any) {
	id, err := strconv.Atoi(r.PathValue("bid"))
	if err != nil {
		return http.StatusNotFound, errNotFound
	}
	m := findMessage(acc, id)
	if m == nil {
		return http.StatusNotFound, errNotFound
	}
	return http.StatusOK, berichtDetailJSON{
		berichtJSON: bericht(m), Inhoud: m.body,
		Ontvangers:      []ontvangerJSON{{ID: acc.id, Weergavenaam: acc.initials + " " + acc.last, Type: "persoon"}},
		KopieOntvangers: []ontvangerJSON{}, BlindeKopieOntvangers: []ontvangerJSON{},
	}
}

type bijlageJSON struct {
	ID          int    `json:"id"`
	Naam        string `json:"naam"`
	ContentType string `json:"contentType"`
	Grootte     int    `json:"grootte"`
	Links       any    `json:"links"`
}

// apiBijlagen lists a message's attachments; the fake serves no downloads.
func (s *School) apiBijlagen(acc *account, r *http.Request) (int, any) {
	id, err := strconv.Atoi(r.PathValue("bid"))
	if err != nil {
		return http.StatusNotFound, errNotFound
	}
	m := findMessage(acc, id)
	if m == nil {
		return http.StatusNotFound, errNotFound
	}
	items := []bijlageJSON{}
	if m.attachments {
		items = append(items, bijlageJSON{ID: m.id*10 + 1, Naam: "brief.pdf", ContentType: "application/pdf", Grootte: 48213})
	}
	return http.StatusOK, itemsCamel[bijlageJSON]{items}
}

// apiBerichtenPatch applies the app's JSON-patch style updates: marking read
// (path /isGelezen) and moving (path /mapId).
func (s *School) apiBerichtenPatch(acc *account, r *http.Request) (int, any) {
	var body struct {
		Berichten []struct {
			BerichtID  int `json:"berichtId"`
			Operations []struct {
				Op    string          `json:"op"`
				Path  string          `json:"path"`
				Value json.RawMessage `json:"value"`
			} `json:"operations"`
		} `json:"berichten"`
	}
	invalid := func(why string) (int, any) { return http.StatusBadRequest, apiError{"The request is invalid: " + why} }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return invalid("body is not JSON")
	}
	// Validate everything first so a bad request changes nothing.
	type change struct {
		m      *message
		read   *bool
		folder *int
	}
	var changes []change
	for _, b := range body.Berichten {
		m := findMessage(acc, b.BerichtID)
		if m == nil {
			return http.StatusNotFound, errNotFound
		}
		for _, op := range b.Operations {
			if !strings.EqualFold(op.Op, "replace") {
				return invalid("op " + op.Op)
			}
			c := change{m: m}
			switch strings.ToLower(op.Path) {
			case "/isgelezen":
				if json.Unmarshal(op.Value, &c.read) != nil || c.read == nil {
					return invalid("isGelezen wants a boolean")
				}
			case "/mapid":
				if json.Unmarshal(op.Value, &c.folder) != nil || c.folder == nil || *c.folder < folderInbox || *c.folder > folderDeleted {
					return invalid("mapId wants a folder id")
				}
			default:
				return invalid("path " + op.Path)
			}
			changes = append(changes, c)
		}
	}
	for _, c := range changes {
		if c.read != nil {
			c.m.read = *c.read
		}
		if c.folder != nil {
			c.m.folder = *c.folder
		}
	}
	return http.StatusNoContent, nil
}
