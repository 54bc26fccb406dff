package magister

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The decoders must never panic, and on error must return no data.

var envelopeSeeds = []string{
	`{"Items":[]}`, `{"items":[]}`, `[]`, `{}`, `null`, ``, `<HTML><HEAD>`, "{\"items\":[{\"kolomId\":7\x00\xff",
	`{"items":null}`, `{"Items":[{"Id":"1"}]}`, `{"items":[{"id":1e400}]}`, `{"items":[{"id":-0.0}]}`,
}

func addSeeds(f *testing.F, seeds ...string) {
	for _, s := range append(seeds, envelopeSeeds...) {
		f.Add([]byte(s))
	}
}

func FuzzDecodeAccount(f *testing.F) {
	addSeeds(f,
		`{"UuId":"x","Persoon":{"Id":1001,"Roepnaam":"Petra","Tussenvoegsel":"de","Achternaam":"Boer"},"Groep":[{"Naam":"Ouder","Privileges":[{"Naam":"Kinderen","AccessType":["Read"]}]}]}`,
		`{"persoon":{"id":"7","voornaam":"A"},"groep":[{"naam":"ouder"}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := decodeAccount(b)
		if err != nil && a != (Account{}) {
			t.Errorf("data with an error: %+v", a)
		}
		if err == nil && a.ID <= 0 {
			t.Errorf("account without id: %+v", a)
		}
	})
}

func FuzzDecodeChildren(f *testing.F) {
	addSeeds(f, `{"Items":[{"Id":11,"Roepnaam":"Anna","ZichtbaarVoorOuder":true},{"Id":13,"ZichtbaarVoorOuder":false}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := decodeChildren(b)
		if err != nil && cs != nil {
			t.Errorf("data with an error: %+v", cs)
		}
		for _, c := range cs {
			if c.ID <= 0 {
				t.Errorf("child without id: %+v", c)
			}
		}
	})
}

func FuzzDecodeLatestGrades(f *testing.F) {
	addSeeds(f,
		`{"items":[{"kolomId":1,"omschrijving":"PW","ingevoerdOp":"2026-01-07T12:00:00.0000000Z","vak":{"code":"netl","omschrijving":"Nederlands"},"waarde":"7,5","weegfactor":2,"isVoldoende":true,"teltMee":true}],"totalCount":1}`,
		`{"Items":[{"KolomId":"1","Waarde":"V","Weegfactor":"1,5","IsVoldoende":null,"IngevoerdOp":"2026-01-07T12:00:00"}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		gs, err := decodeLatestGrades(b)
		if err != nil && gs != nil {
			t.Errorf("data with an error: %+v", gs)
		}
		for _, g := range gs {
			if n, ok := ParseGradeValue(g.Value); ok != (g.Numeric != nil) || (ok && n != *g.Numeric) {
				t.Errorf("Numeric %v for %q", g.Numeric, g.Value)
			}
		}
		_, _ = Average(gs)
	})
}

func FuzzDecodeEnrollments(f *testing.F) {
	addSeeds(f,
		`{"items":[{"id":501,"begin":"2025-08-01","einde":"2026-07-31","isHoofdAanmelding":true,"studie":{"id":9,"code":"3havo"},"groep":{"code":"3h2"},"lesperiode":{"code":"2526"}}]}`,
		`{"Items":[{"Id":501,"Start":"2025-08-01T00:00:00.0000000Z","Einde":"2026-07-31T00:00:00.0000000Z","Lesperiode":"2526","Studie":{"Id":9,"Omschrijving":"3havo"}}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := decodeEnrollments(b)
		if err != nil && es != nil {
			t.Errorf("data with an error: %+v", es)
		}
	})
}

func FuzzDecodeEnrollmentGrades(f *testing.F) {
	addSeeds(f,
		`{"items":[{"waarde":"6,5","teltMee":true,"kolom":{"id":801,"studievakId":31,"naam":"T1","weegfactor":1,"type":"cijfer"}}]}`,
		`{"items":[{"id":1,"studievak":{"id":31,"code":"wisA","omschrijving":"Wiskunde A"}}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		raws, err := decodeEnrollmentGrades(b)
		if err != nil && raws != nil {
			t.Errorf("data with an error: %+v", raws)
		}
		subj, err := decodeCourses(b)
		if err != nil && subj != nil {
			t.Errorf("data with an error: %+v", subj)
		}
		_, _ = Average(enrollmentGrades(raws, subj))
	})
}

func FuzzDecodeAppointments(f *testing.F) {
	addSeeds(f,
		`{"Items":[{"Id":1001,"Start":"2026-01-09T08:00:00.0000000Z","Einde":"2026-01-09T08:50:00.0000000Z","LesuurVan":1,"Omschrijving":"wis","Lokatie":"B1","Status":4,"Type":13,"InfoType":2,"Inhoud":"<p>Leer &amp; H4</p>","Afgerond":false,"Vakken":[{"Id":1,"Naam":"wiskunde"}],"Lokalen":[{"Naam":"B1"}]}],"TotalCount":1}`,
		`{"items":[{"id":1,"start":"2026-01-09T09:00:00","einde":null,"status":"3","lesuurVan":null,"inhoud":"<script>x</script>"}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		as, err := decodeAppointments(b)
		if err != nil && as != nil {
			t.Errorf("data with an error: %+v", as)
		}
		for _, a := range as {
			_ = a.IsCancelled() || a.IsChanged() || a.IsTest() || a.HasHomework()
			_, _ = a.Room(), a.Subject()
		}
	})
}

// FuzzItemsEnvelope holds decodeItems to finding the list through a map
// (decodeItemsByMap), for any bytes: the same items or the same error.
func FuzzItemsEnvelope(f *testing.F) {
	addSeeds(f, `{"Items":[{"Id":1}],"TotalCount":1}`, `{"items":[{"id":"2"}],"links":{"items":[]}}`,
		`{"ITEMS":null,"items":[]}`, `{"It\u0065ms":[{"id":1}],"x":"\""}`, `{"Items":[{"id":1}] "x":1}`, `[{"id":3}]`)
	type item struct {
		ID    flexInt  `json:"id"`
		Naam  flexText `json:"naam"`
		Start flexTime `json:"start"`
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if ambiguousItems(b) {
			return
		}
		got, err := decodeItems[item](b)
		want, wantErr := decodeItemsByMap[item](b)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeItems = %v, %v; through the map %v, %v", got, err, want, wantErr)
		}
	})
}

func FuzzDecodeAbsences(f *testing.F) {
	addSeeds(f, `{"Items":[{"Id":1,"Start":"2026-01-08T08:00:00.0000000Z","Eind":"2026-01-08T08:50:00.0000000Z","Lesuur":1,"Geoorloofd":true,"AfspraakId":1001,"Omschrijving":"Ziek","Code":"Z","Verantwoordingtype":3}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		as, err := decodeAbsences(b)
		if err != nil && as != nil {
			t.Errorf("data with an error: %+v", as)
		}
	})
}

func FuzzDecodeMessages(f *testing.F) {
	addSeeds(f,
		`{"items":[{"id":1,"naam":"Postvak IN","aantalOngelezen":2,"links":{"berichten":{"href":"/api/berichten/postvakin/berichten"}}}]}`,
		`{"items":[{"id":9,"onderwerp":"O","afzender":{"id":3,"naam":"M"},"verzondenOp":"2026-01-08T15:04:05.0000000Z","isGelezen":false}],"totalCount":1}`,
		`{"items":[{"links":{"berichten":{"href":"https://evil.example/api/x"}}}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := decodeFolders(b, "https://school.magister.net")
		if err != nil && fs != nil {
			t.Errorf("data with an error: %+v", fs)
		}
		for _, fo := range fs {
			if fo.MessagesPath != "" && !strings.HasPrefix(fo.MessagesPath, "/api/") {
				t.Errorf("unsafe path %q", fo.MessagesPath)
			}
		}
		ms, err := decodeMessages(b)
		if err != nil && ms != nil {
			t.Errorf("data with an error: %+v", ms)
		}
	})
}

func FuzzParseRedirect(f *testing.F) {
	for _, s := range []string{
		"m6loapp://oauth2redirect/#code=C1&id_token=a.b.c&scope=openid%20profile&state=S1&session_state=x",
		"m6loapp://oauth2redirect/?code=C2&state=S2", "code=C5&state=S5", "ABCDEF0123456789", "",
		"m6loapp://oauth2redirect/#error=access_denied&error_description=x", "#", "?", "=", "%zz", "m6loapp://oauth2redirect/?a=1#",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRedirect(s)
		if err == nil && r.Code == "" {
			t.Errorf("success without a code: %q", s)
		}
		if err != nil && r != (Redirect{}) {
			t.Errorf("data with an error: %q", s)
		}
		if err != nil && utf8.ValidString(s) && len(s) > 200 && strings.Contains(err.Error(), s) {
			t.Errorf("input echoed in the error")
		}
	})
}

func FuzzParseGradeValue(f *testing.F) {
	for _, s := range []string{"7,5", "7.5", "10", "V", "voldoende", "", "-1", "1e3", "NaN", "+Inf", "5,45"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseGradeValue(s)
		if !ok && v != 0 {
			t.Errorf("%q: %v without ok", s, v)
		}
		_ = IsUnsatisfactory(s)
	})
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "a < b", "<script>x", "&amp;&#x3c;", "<", "<<>>", "<br/>\n<li>x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := PlainText(s)
		if strings.Contains(out, "\n\n") {
			t.Errorf("%q gives empty lines: %q", s, out)
		}
	})
}
