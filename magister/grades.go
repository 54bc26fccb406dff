package magister

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Subject is a school subject (vak).
type Subject struct {
	ID   int    `json:"id,omitempty"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// subject is the Subject a vak or studievak lookup object names.
func (c code) subject() Subject { return Subject{ID: c.ID, Code: c.Code, Name: c.Description} }

// Grade is one grade (cijfer) in one grade column.
type Grade struct {
	// ColumnID is the grade column (kolom) id, the grade's identity.
	ColumnID int     `json:"columnId"`
	Subject  Subject `json:"subject"`
	// Value is the grade as Magister shows it: "7,5", "V", "voldoende".
	Value string `json:"value"`
	// Numeric is Value as a number when it is one ("7,5" → 7.5).
	Numeric     *float64  `json:"numeric,omitempty"`
	Weight      float64   `json:"weight"`
	Description string    `json:"description"`
	EnteredAt   time.Time `json:"enteredAt"`
	// Sufficient is Magister's own verdict, when it gives one.
	Sufficient *bool `json:"sufficient,omitempty"`
	// Counts is false for grades that do not count towards the average.
	Counts     bool `json:"counts"`
	MustRetake bool `json:"mustRetake,omitempty"`
	Exempt     bool `json:"exempt,omitempty"`
	// Type is the column type of enrollment grades ("cijfer",
	// "gemiddelde", …); empty for LatestGrades.
	Type string `json:"type,omitempty"`
	// ColumnName is the column's short name (enrollment grades only).
	ColumnName string `json:"columnName,omitempty"`
}

// ParseGradeValue reads a Dutch grade: "7,5" and "7.5" give 7.5. Text grades
// ("V", "U", "voldoende") and anything else give ok == false.
func ParseGradeValue(s string) (float64, bool) {
	s = strings.TrimSpace(strings.Replace(s, ",", ".", 1))
	if s == "" || len(s) > 32 {
		return 0, false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' {
			return 0, false // rejects "1e3", "NaN", "Inf", hex
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// IsUnsatisfactory reports whether a grade value is a fail: a number below
// 5.5, or the text "O", "U" or "onvoldoende".
func IsUnsatisfactory(value string) bool {
	if f, ok := ParseGradeValue(value); ok {
		return f < 5.5
	}
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "o", "u", "onvoldoende":
		return true
	}
	return false
}

// IsUnsatisfactory reports whether g is a fail. Magister's own verdict
// (isVoldoende) decides when it gives one, since schools read letters such as
// "U" differently; otherwise the value does (see the function of that name).
func (g Grade) IsUnsatisfactory() bool {
	if g.Sufficient != nil {
		return !*g.Sufficient
	}
	return IsUnsatisfactory(g.Value)
}

// CountsInAverage reports whether g counts towards its subject's average:
// numeric, Counts set, not exempt, weight above zero, and of column type
// "cijfer" (or of no known type, as from LatestGrades).
func (g Grade) CountsInAverage() bool {
	if g.Numeric == nil || !g.Counts || g.Exempt || g.Weight <= 0 {
		return false
	}
	return g.Type == "" || strings.EqualFold(g.Type, "cijfer")
}

// Average is the weighted average of the grades that count (see
// CountsInAverage). ok is false when no grade qualifies.
func Average(grades []Grade) (avg float64, ok bool) {
	var sum, weights float64
	for _, g := range grades {
		if !g.CountsInAverage() {
			continue
		}
		sum += *g.Numeric * g.Weight
		weights += g.Weight
	}
	if weights == 0 {
		return 0, false
	}
	return sum / weights, true
}

// numericOf is Magister's own number for a grade (cijferGetal) when it sent
// one, else v read as a number. Text grades ("V", "RV") can carry one too.
func numericOf(v string, getal optFloat) *float64 {
	if getal.v != nil {
		return getal.v
	}
	return numeric(v)
}

func numeric(v string) *float64 {
	if f, ok := ParseGradeValue(v); ok {
		return &f
	}
	return nil
}

// rawGradeValue is what both grade lists (the latest grades and an
// enrollment's grades) send about the grade itself, under the same names.
type rawGradeValue struct {
	Waarde            flexText `json:"waarde"`
	IngevoerdOp       flexTime `json:"ingevoerdOp"`
	IsVoldoende       flexBool `json:"isVoldoende"`
	TeltMee           flexBool `json:"teltMee"`
	MoetInhalen       flexBool `json:"moetInhalen"`
	HeeftVrijstelling flexBool `json:"heeftVrijstelling"`
}

// grade is the part of a Grade both lists fill in the same way: the value,
// Magister's verdict, and the flags (a grade counts unless Magister says it
// does not).
func (r rawGradeValue) grade() Grade {
	v := strings.TrimSpace(string(r.Waarde))
	return Grade{
		Value:      v,
		Numeric:    numeric(v),
		EnteredAt:  r.IngevoerdOp.Time(),
		Sufficient: r.IsVoldoende.v,
		Counts:     r.TeltMee.or(true),
		MustRetake: r.MoetInhalen.or(false),
		Exempt:     r.HeeftVrijstelling.or(false),
	}
}

type rawLatestGrade struct {
	rawGradeValue
	KolomID      flexInt   `json:"kolomId"`
	Omschrijving flexText  `json:"omschrijving"`
	Vak          code      `json:"vak"`
	CijferGetal  optFloat  `json:"cijferGetal"`
	Weegfactor   flexFloat `json:"weegfactor"`
}

func decodeLatestGrades(body []byte) ([]Grade, error) {
	return decodeList(body, rawLatestGrade.latest)
}

func (r rawLatestGrade) latest() Grade {
	g := r.grade()
	g.ColumnID = int(r.KolomID)
	g.Subject = r.Vak.subject()
	g.Numeric = numericOf(g.Value, r.CijferGetal)
	g.Weight = float64(r.Weegfactor)
	g.Description = string(r.Omschrijving)
	return g
}

// LatestGrades returns a student's most recent grades, newest first (at most
// top; 0 means 25).
func (c *Client) LatestGrades(ctx context.Context, childID, top int) ([]Grade, error) {
	return c.LatestGradesPage(ctx, childID, top, 0)
}

// LatestGradesPage returns one page of a student's most recent grades,
// newest first: at most top (0 means 25) after skipping the skip newest.
// A page shorter than top is the last one.
func (c *Client) LatestGradesPage(ctx context.Context, childID, top, skip int) ([]Grade, error) {
	if top <= 0 {
		top = 25
	}
	q := url.Values{"top": {strconv.Itoa(top)}, "skip": {strconv.Itoa(max(skip, 0))}}
	return getByID(ctx, c, "/api/personen/{id}/cijfers/laatste", childID, q, decodeLatestGrades)
}

// Enrollment is one school year's enrollment (aanmelding).
type Enrollment struct {
	ID    int       `json:"id"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// IsMain is isHoofdAanmelding, when sent.
	IsMain bool `json:"isMain,omitempty"`
	// Period is the school-year code, e.g. "2526".
	Period string `json:"period,omitempty"`
	// Study is the study code or description, e.g. "3havo".
	Study string `json:"study,omitempty"`
	// Group is the class, e.g. "3h2".
	Group string `json:"group,omitempty"`
}

type rawEnrollment struct {
	ID                flexInt  `json:"id"`
	Begin             flexTime `json:"begin"`
	Start             flexTime `json:"start"`
	Einde             flexTime `json:"einde"`
	IsHoofdAanmelding flexBool `json:"isHoofdAanmelding"`
	Studie            code     `json:"studie"`
	Groep             code     `json:"groep"`
	Lesperiode        code     `json:"lesperiode"`
}

func decodeEnrollments(body []byte) ([]Enrollment, error) {
	return decodeList(body, rawEnrollment.enrollment)
}

func (r rawEnrollment) enrollment() Enrollment {
	return Enrollment{
		ID:     int(r.ID),
		Start:  firstTime(r.Begin, r.Start),
		End:    r.Einde.Time(),
		IsMain: r.IsHoofdAanmelding.or(false),
		Period: firstNonEmpty(r.Lesperiode.Code, r.Lesperiode.Description),
		Study:  firstNonEmpty(r.Studie.Code, r.Studie.Description),
		Group:  firstNonEmpty(r.Groep.Code, r.Groep.Description),
	}
}

// Enrollments returns a student's enrollments from
// /leerlingen/{id}/aanmeldingen, falling back to the older
// /personen/{id}/aanmeldingen when that path is unknown (404).
func (c *Client) Enrollments(ctx context.Context, childID int) ([]Enrollment, error) {
	out, err := getByID(ctx, c, "/api/leerlingen/{id}/aanmeldingen", childID, url.Values{"begin": {"1970-01-01"}}, decodeEnrollments)
	if se := (*StatusError)(nil); errors.As(err, &se) && se.Status == http.StatusNotFound {
		return getByID(ctx, c, "/api/personen/{id}/aanmeldingen", childID, nil, decodeEnrollments)
	}
	return out, err
}

// CurrentEnrollment picks the enrollment running at now: begin ≤ now ≤ end
// (a date-only end counts as the whole day), preferring the main enrollment
// and then the latest start. Without one running, it takes the latest that
// has started. ok is false when there is none.
func CurrentEnrollment(es []Enrollment, now time.Time) (Enrollment, bool) {
	var best Enrollment
	found, bestRunning := false, false
	for _, e := range es {
		if e.Start.After(now) {
			continue
		}
		end := e.End
		if !end.IsZero() && end.Equal(end.Truncate(24*time.Hour)) {
			end = end.Add(24*time.Hour - time.Nanosecond)
		}
		running := end.IsZero() || !now.After(end)
		if !found || enrollmentBetter(e, running, best, bestRunning) {
			best, found, bestRunning = e, true, running
		}
	}
	return best, found
}

// enrollmentBetter ranks a running enrollment first; among running ones the
// main one, then the latest start; among ended ones the latest start.
func enrollmentBetter(e Enrollment, running bool, best Enrollment, bestRunning bool) bool {
	if running != bestRunning {
		return running
	}
	if running && e.IsMain != best.IsMain {
		return e.IsMain
	}
	if !e.Start.Equal(best.Start) {
		return e.Start.After(best.Start)
	}
	return e.IsMain && !best.IsMain
}

type rawEnrollmentGrade struct {
	rawGradeValue
	Kolom struct {
		ID           flexInt   `json:"id"`
		StudievakID  flexInt   `json:"studievakId"`
		Naam         flexText  `json:"naam"`
		Omschrijving flexText  `json:"omschrijving"`
		Weegfactor   flexFloat `json:"weegfactor"`
		Type         flexText  `json:"type"`
	} `json:"kolom"`
}

type rawCourse struct {
	ID        flexInt `json:"id"`
	Studievak code    `json:"studievak"`
}

func decodeEnrollmentGrades(body []byte) ([]rawEnrollmentGrade, error) {
	return decodeItems[rawEnrollmentGrade](body)
}

// decodeCourses maps studievak id → subject.
func decodeCourses(body []byte) (map[int]Subject, error) {
	raws, err := decodeItems[rawCourse](body)
	if err != nil {
		return nil, err
	}
	m := make(map[int]Subject, len(raws))
	for _, r := range raws {
		m[r.Studievak.ID] = r.Studievak.subject()
	}
	return m, nil
}

// EnrollmentGrades returns every grade of an enrollment, with its subject
// looked up through /aanmeldingen/{id}/vakken (two requests). Use Average
// per subject for averages.
func (c *Client) EnrollmentGrades(ctx context.Context, enrollmentID int) ([]Grade, error) {
	raws, err := getByID(ctx, c, "/api/aanmeldingen/{id}/cijfers", enrollmentID, nil, decodeEnrollmentGrades)
	if err != nil {
		return nil, err
	}
	subjects, err := getByID(ctx, c, "/api/aanmeldingen/{id}/vakken", enrollmentID, nil, decodeCourses)
	if err != nil {
		return nil, err
	}
	return enrollmentGrades(raws, subjects), nil
}

// CurrentGrades returns every grade of the child's enrollment running at
// now (three requests): what a subject's average is made of.
func (c *Client) CurrentGrades(ctx context.Context, childID int, now time.Time) ([]Grade, error) {
	es, err := c.Enrollments(ctx, childID)
	if err != nil {
		return nil, err
	}
	e, ok := CurrentEnrollment(es, now)
	if !ok {
		return nil, fmt.Errorf("magister: no enrollment of %d runs at %s", childID, now.Format(time.DateOnly))
	}
	return c.EnrollmentGrades(ctx, e.ID)
}

func enrollmentGrades(raws []rawEnrollmentGrade, subjects map[int]Subject) []Grade {
	grades := make([]Grade, 0, len(raws))
	for _, r := range raws {
		sid := int(r.Kolom.StudievakID)
		subj, ok := subjects[sid]
		if !ok {
			subj = Subject{ID: sid}
		}
		g := r.grade()
		g.ColumnID = int(r.Kolom.ID)
		g.Subject = subj
		g.Weight = float64(r.Kolom.Weegfactor)
		g.Description = firstNonEmpty(string(r.Kolom.Omschrijving), string(r.Kolom.Naam))
		g.Type = string(r.Kolom.Type)
		g.ColumnName = string(r.Kolom.Naam)
		grades = append(grades, g)
	}
	return grades
}
