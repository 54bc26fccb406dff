package magister

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// Appointment status codes (Status) that callers branch on.
const (
	StatusChanged            = 3
	StatusCancelledManually  = 4
	StatusCancelledAutomatic = 5
	StatusMoved              = 9
	StatusChangedAndMoved    = 10
)

// Appointment kinds (Type) and info types (InfoType) that callers branch on.
const (
	TypeLesson = 13

	InfoHomework    = 1
	InfoTest        = 2 // proefwerk
	InfoExam        = 3 // tentamen
	InfoWrittenQuiz = 4 // schriftelijke overhoring
	InfoOralQuiz    = 5 // mondelinge overhoring
)

// Appointment is one item of a student's timetable (afspraak): a lesson, a
// test, homework on a lesson, an activity.
type Appointment struct {
	ID    int       `json:"id"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// LessonFrom and LessonTo are the lesson hours (0 if none).
	LessonFrom int  `json:"lessonFrom,omitempty"`
	LessonTo   int  `json:"lessonTo,omitempty"`
	AllDay     bool `json:"allDay,omitempty"`
	// Description is Omschrijving, often "ak - DOC - 3h".
	Description string `json:"description"`
	// Location is Lokatie, the room as Magister spells it.
	Location string   `json:"location,omitempty"`
	Rooms    []string `json:"rooms,omitempty"`
	Subjects []string `json:"subjects,omitempty"`
	Teachers []string `json:"teachers,omitempty"`
	Status   int      `json:"status"`
	Type     int      `json:"type"`
	InfoType int      `json:"infoType"`
	// Content is Inhoud: the homework or test text, as HTML.
	Content string `json:"content,omitempty"`
	// Note is Opmerking.
	Note string `json:"note,omitempty"`
	// Done is Afgerond: the student marked the homework done.
	Done           bool `json:"done,omitempty"`
	HasAttachments bool `json:"hasAttachments,omitempty"`
}

// IsCancelled reports a cancelled appointment (Status 4 or 5).
func (a Appointment) IsCancelled() bool {
	return a.Status == StatusCancelledManually || a.Status == StatusCancelledAutomatic
}

// IsChanged reports a changed or moved appointment (Status 3, 9 or 10).
func (a Appointment) IsChanged() bool {
	return a.Status == StatusChanged || a.Status == StatusMoved || a.Status == StatusChangedAndMoved
}

// IsTest reports a test, exam or quiz (InfoType 2 to 5).
func (a Appointment) IsTest() bool { return a.InfoType >= InfoTest && a.InfoType <= InfoOralQuiz }

// HasHomework reports homework still to do: an appointment of InfoType 1
// (homework) with content that is not marked done. Tests (2–5) carry their
// own content, and information (6) and notes (7) are not homework even when
// they have content.
func (a Appointment) HasHomework() bool {
	return a.InfoType == InfoHomework && a.Homework() != "" && !a.Done
}

// Homework is Content as plain text.
func (a Appointment) Homework() string { return PlainText(a.Content) }

// Room is the location, else the first of the rooms; "" when there is none.
// Magister writes "-" for "no room", which is no room.
func (a Appointment) Room() string {
	if r := roomName(a.Location); r != "" {
		return r
	}
	for _, r := range a.Rooms {
		if r = roomName(r); r != "" {
			return r
		}
	}
	return ""
}

// roomName is r without spaces, and "" for Magister's "no room" ("-").
func roomName(r string) string {
	r = strings.TrimSpace(r)
	if strings.Trim(r, "-") == "" {
		return ""
	}
	return r
}

// Subject is the first subject's name, else the description.
func (a Appointment) Subject() string {
	for _, s := range a.Subjects {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return strings.TrimSpace(a.Description)
}

type rawNamed struct {
	Naam       flexText `json:"naam"`
	Docentcode flexText `json:"docentcode"`
	Afkorting  flexText `json:"afkorting"`
}

type rawAppointment struct {
	ID            flexInt    `json:"id"`
	Start         flexTime   `json:"start"`
	Einde         flexTime   `json:"einde"`
	LesuurVan     flexInt    `json:"lesuurVan"`
	LesuurTotMet  flexInt    `json:"lesuurTotMet"`
	DuurtHeleDag  flexBool   `json:"duurtHeleDag"`
	Omschrijving  flexText   `json:"omschrijving"`
	Lokatie       flexText   `json:"lokatie"`
	Status        flexInt    `json:"status"`
	Type          flexInt    `json:"type"`
	InfoType      flexInt    `json:"infoType"`
	Inhoud        flexText   `json:"inhoud"`
	Huiswerk      flexText   `json:"huiswerk"`
	Opmerking     flexText   `json:"opmerking"`
	Afgerond      flexBool   `json:"afgerond"`
	HeeftBijlagen flexBool   `json:"heeftBijlagen"`
	Vakken        []rawNamed `json:"vakken"`
	Docenten      []rawNamed `json:"docenten"`
	Lokalen       []rawNamed `json:"lokalen"`
}

func names(rs []rawNamed) []string {
	var out []string
	for _, r := range rs {
		if n := firstNonEmpty(string(r.Naam), string(r.Afkorting), string(r.Docentcode)); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func decodeAppointments(body []byte) ([]Appointment, error) {
	return decodeList(body, rawAppointment.appointment)
}

func (r rawAppointment) appointment() Appointment {
	return Appointment{
		ID:             int(r.ID),
		Start:          r.Start.Time(),
		End:            r.Einde.Time(),
		LessonFrom:     int(r.LesuurVan),
		LessonTo:       int(r.LesuurTotMet),
		AllDay:         r.DuurtHeleDag.or(false),
		Description:    string(r.Omschrijving),
		Location:       string(r.Lokatie),
		Rooms:          names(r.Lokalen),
		Subjects:       names(r.Vakken),
		Teachers:       names(r.Docenten),
		Status:         int(r.Status),
		Type:           int(r.Type),
		InfoType:       int(r.InfoType),
		Content:        firstNonEmpty(string(r.Inhoud), string(r.Huiswerk)),
		Note:           string(r.Opmerking),
		Done:           r.Afgerond.or(false),
		HasAttachments: r.HeeftBijlagen.or(false),
	}
}

// dateQuery formats the inclusive van/tot window as dates in the location
// of from and to.
func dateQuery(from, to time.Time) url.Values {
	return url.Values{"van": {from.Format(time.DateOnly)}, "tot": {to.Format(time.DateOnly)}}
}

// Appointments returns a student's appointments on the days from to to, both
// inclusive, taken as dates in the location of from and to.
func (c *Client) Appointments(ctx context.Context, childID int, from, to time.Time) ([]Appointment, error) {
	return getByID(ctx, c, "/api/personen/{id}/afspraken", childID, dateQuery(from, to), decodeAppointments)
}

// Absence is one recorded absence (one per lesson hour).
type Absence struct {
	ID            int       `json:"id"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Lesson        int       `json:"lesson,omitempty"`
	Excused       bool      `json:"excused"`
	AppointmentID int       `json:"appointmentId,omitempty"`
	// Description is Omschrijving, e.g. "Ziek" or "Te laat".
	Description string `json:"description"`
	// Code is the school's short code, e.g. "TR".
	Code string `json:"code,omitempty"`
	// Kind is Verantwoordingtype: 1 absent, 2 late, 3 sick, 4 sent out,
	// 6 exemption, 7 books, 8 homework.
	Kind int `json:"kind,omitempty"`
}

type rawAbsence struct {
	ID                 flexInt  `json:"id"`
	Start              flexTime `json:"start"`
	Eind               flexTime `json:"eind"`
	Einde              flexTime `json:"einde"`
	Lesuur             flexInt  `json:"lesuur"`
	Geoorloofd         flexBool `json:"geoorloofd"`
	AfspraakID         flexInt  `json:"afspraakId"`
	Omschrijving       flexText `json:"omschrijving"`
	Code               flexText `json:"code"`
	Verantwoordingtype flexInt  `json:"verantwoordingtype"`
}

func decodeAbsences(body []byte) ([]Absence, error) {
	return decodeList(body, rawAbsence.absence)
}

func (r rawAbsence) absence() Absence {
	return Absence{
		ID:            int(r.ID),
		Start:         r.Start.Time(),
		End:           firstTime(r.Eind, r.Einde),
		Lesson:        int(r.Lesuur),
		Excused:       r.Geoorloofd.or(false),
		AppointmentID: int(r.AfspraakID),
		Description:   string(r.Omschrijving),
		Code:          string(r.Code),
		Kind:          int(r.Verantwoordingtype),
	}
}

// Absences returns a student's absences on the days from to to, inclusive.
func (c *Client) Absences(ctx context.Context, childID int, from, to time.Time) ([]Absence, error) {
	return getByID(ctx, c, "/api/personen/{id}/absenties", childID, dateQuery(from, to), decodeAbsences)
}
