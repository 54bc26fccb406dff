package magistertest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrNotFound reports that a control named a child, subject, grade column or
// appointment the fake school does not have.
var ErrNotFound = errors.New("not found")

// ErrInvalid reports a control argument the fake school cannot use, such as an
// empty grade value or an appointment without a start time.
var ErrInvalid = errors.New("invalid argument")

// Message folders; the ids are the same for every account, like mapId 3 for
// deleted items in the real API.
const (
	folderInbox   = 1
	folderSent    = 2
	folderDeleted = 3
)

type teacher struct {
	id                           int
	code, initials, tussen, last string
}

func (t teacher) name() string {
	parts := []string{t.initials}
	if t.tussen != "" {
		parts = append(parts, t.tussen)
	}
	return strings.Join(append(parts, t.last), " ")
}

type subject struct {
	id         int // studievak id
	code, name string
	room       string
	teacher    teacher
}

type person struct {
	id                            int
	first, initials, tussen, last string
}

type student struct {
	person
	visible    bool // ZichtbaarVoorOuder
	stamnummer string
	class      string
	account    *account // whose inbox gets the messages about this child

	enrollments []*enrollment // oldest first; the last one is current

	// The regular timetable: lessons exist from firstDay up to (not
	// including) through, and offset varies the subjects per student.
	firstDay, through time.Time
	offset            int
	grades            []*grade
	appts             []*appointment
	absences          []*absence
}

func (st *student) current() *enrollment { return st.enrollments[len(st.enrollments)-1] }

type enrollment struct {
	id         int
	begin, end time.Time // local midnight; end is the last day (Jul 31)
	period     string    // lesperiode code, e.g. "2526"
	study      string    // e.g. "4 havo"
	studyCode  string
	studyID    int
	groupID    int
	group      string // class code, e.g. "4H"
	firstVak   int    // id of the first subject row in /vakken
}

type grade struct {
	kolomID int
	enr     *enrollment
	subj    *subject
	column  string // kolom naam, e.g. "PW1"
	desc    string
	value   string
	weight  float64
	entered time.Time
}

type appointment struct {
	id         int
	start, end time.Time
	hour       int      // LesuurVan; 0 when not a lesson hour
	subj       *subject // nil for appointments that are not lessons
	desc       string
	room       string
	status     int
	typ        int
	infoType   int
	content    string
	done       bool
}

type absence struct {
	id         int
	apptID     int
	start, end time.Time
	hour       int
	excused    bool
	desc, code string
	kind       int // Verantwoordingtype
}

type account struct {
	login string
	uuid  string
	person
	birth    string
	parent   bool
	children []*student // parent accounts only
	self     *student   // student accounts only
	messages []*message
}

type message struct {
	id          int
	folder      int
	subject     string
	fromID      int
	from        string
	sent        time.Time
	read        bool
	attachments bool
	priority    bool
	body        string
}

// isSufficient reports whether a grade value counts as "voldoende": numbers of
// at least 5.5 and the usual text grades. ok is false for values it cannot judge.
func isSufficient(value string) (sufficient, ok bool) {
	v := strings.TrimSpace(value)
	if f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64); err == nil {
		return f >= 5.5, true
	}
	switch strings.ToLower(v) {
	case "v", "g", "u", "ruim voldoende", "voldoende", "goed", "zeer goed", "uitstekend":
		return true, true
	case "o", "on", "zo", "onvoldoende", "zeer onvoldoende", "matig", "m":
		return false, true
	}
	return false, false
}

// findStudent resolves a control's child argument: a first name (any case),
// a person id, or "" for the parent's first child. Callers hold s.mu.
func (s *School) findStudent(child string) (*student, error) {
	if child == "" {
		return s.accounts[ParentLogin].children[0], nil
	}
	for _, st := range s.students {
		if strings.EqualFold(st.first, child) {
			return st, nil
		}
	}
	if id, err := strconv.Atoi(child); err == nil {
		for _, st := range s.students {
			if st.id == id {
				return st, nil
			}
		}
	}
	return nil, fmt.Errorf("magistertest: child %q: %w", child, ErrNotFound)
}

// findSubject resolves a subject code (any case); "" is the first subject.
func (s *School) findSubject(code string) (*subject, error) {
	if code == "" {
		return s.subjects[0], nil
	}
	for _, sj := range s.subjects {
		if strings.EqualFold(sj.code, code) {
			return sj, nil
		}
	}
	return nil, fmt.Errorf("magistertest: subject %q: %w", code, ErrNotFound)
}

func (st *student) findAppointment(id int) (*appointment, int, error) {
	for i, a := range st.appts {
		if a.id == id {
			return a, i, nil
		}
	}
	return nil, -1, fmt.Errorf("magistertest: appointment %d of %s: %w", id, st.first, ErrNotFound)
}

// readable reports whether acc may read person id's data, and the student
// record behind it (nil for the parent's own person). Callers hold s.mu.
func (acc *account) readable(id int) (st *student, ok bool) {
	if acc.id == id {
		return acc.self, true
	}
	for _, c := range acc.children {
		if c.id == id && c.visible {
			return c, true
		}
	}
	return nil, false
}

// enrollmentByID finds an enrollment and the student it belongs to.
func (s *School) enrollmentByID(id int) (*student, *enrollment) {
	for _, st := range s.students {
		for _, e := range st.enrollments {
			if e.id == id {
				return st, e
			}
		}
	}
	return nil, nil
}
