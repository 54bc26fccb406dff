package magistertest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// GradeSpec describes a grade to add with [School.AddGrade].
type GradeSpec struct {
	Child       string  `json:"child"`       // first name or person id; "" is the parent's first child (Anna)
	Subject     string  `json:"subject"`     // subject code such as "wisA"; "" is the first subject (netl)
	Value       string  `json:"value"`       // as Magister writes it: "7,5", "V", "U"
	Description string  `json:"description"` // "" gives "Toets <subject>"
	Weight      float64 `json:"weight"`      // weegfactor; 0 is a column that does not count
}

// Grade is a copy of one grade column, as returned by [School.Grades].
type Grade struct {
	KolomID     int       `json:"kolomId"`
	Subject     string    `json:"subject"`
	Value       string    `json:"value"`
	Description string    `json:"description"`
	Weight      float64   `json:"weight"`
	Entered     time.Time `json:"entered"` // ingevoerdOp
	Current     bool      `json:"current"` // in the current school year (so in cijfers/laatste)
}

// AddGrade enters a new grade now (by the school's clock) in the child's
// current enrollment and returns its column id.
func (s *School) AddGrade(g GradeSpec) (kolomID int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.findStudent(g.Child)
	if err != nil {
		return 0, err
	}
	sj, err := s.findSubject(g.Subject)
	if err != nil {
		return 0, err
	}
	value := strings.TrimSpace(g.Value)
	if value == "" || g.Weight < 0 {
		return 0, fmt.Errorf("magistertest: grade value %q weight %v: %w", g.Value, g.Weight, ErrInvalid)
	}
	desc := g.Description
	if desc == "" {
		desc = "Toets " + sj.name
	}
	gr := &grade{
		kolomID: s.nextID("kolom", 700000), enr: st.current(), subj: sj, desc: desc,
		value: value, weight: g.Weight, entered: s.now().UTC(),
	}
	gr.column = fmt.Sprintf("T%d", gr.kolomID%1000)
	st.grades = append(st.grades, gr)
	return gr.kolomID, nil
}

// CorrectGrade changes the value of a grade column, as a teacher's correction
// does: the entry time (ingevoerdOp) becomes now.
func (s *School) CorrectGrade(kolomID int, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	value = strings.TrimSpace(value)
	if value == "" {
		return fmt.Errorf("magistertest: correct grade %d: empty value: %w", kolomID, ErrInvalid)
	}
	for _, st := range s.students {
		for _, g := range st.grades {
			if g.kolomID == kolomID {
				g.value, g.entered = value, s.now().UTC()
				return nil
			}
		}
	}
	return fmt.Errorf("magistertest: grade column %d: %w", kolomID, ErrNotFound)
}

// Grades returns a copy of the child's grades, newest first; nil for an
// unknown child.
func (s *School) Grades(child string) []Grade {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.findStudent(child)
	if err != nil {
		return nil
	}
	gs := slices.Clone(st.grades)
	slices.SortFunc(gs, newestFirst)
	out := make([]Grade, 0, len(gs))
	for _, g := range gs {
		out = append(out, Grade{KolomID: g.kolomID, Subject: g.subj.code, Value: g.value, Description: g.desc,
			Weight: g.weight, Entered: g.entered, Current: g.enr == st.current()})
	}
	return out
}

// Appointment is a copy of one appointment (afspraak) of a child, as returned
// by [School.Appointments].
type Appointment struct {
	ID          int       `json:"id"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Hour        int       `json:"hour"`        // LesuurVan; 0 when it does not start on a lesson hour
	Subject     string    `json:"subject"`     // subject code; "" when it is not a lesson
	Teacher     string    `json:"teacher"`     // teacher code; "" when it is not a lesson
	Description string    `json:"description"` // Omschrijving
	Room        string    `json:"room"`        // Lokatie
	Status      int       `json:"status"`      // 1 scheduled, 3 changed, 4 cancelled, 9 moved, 10 changed and moved
	Type        int       `json:"type"`        // 13 lesson
	InfoType    int       `json:"infoType"`    // 0 none, 1 homework, 2..5 tests
	Content     string    `json:"content"`     // Inhoud (HTML)
	Done        bool      `json:"done"`        // Afgerond
}

// AppointmentSpec describes an appointment to add with [School.AddAppointment].
type AppointmentSpec struct {
	Start       time.Time `json:"start"`       // required
	End         time.Time `json:"end"`         // zero: Start + 50 minutes
	Subject     string    `json:"subject"`     // subject code; "" adds an appointment that is not a lesson
	Description string    `json:"description"` // "" gives "<code> - <teacher> - <class>" for a lesson
	Room        string    `json:"room"`        // "" gives the subject's usual room
	Type        int       `json:"type"`        // 0 gives 13 (lesson) with a subject, else 2 (general)
	InfoType    int       `json:"infoType"`    // 1 homework, 2 test, 3 exam, 4 written quiz, 5 oral quiz; 0 with Content gives 1
	Content     string    `json:"content"`     // Inhoud (HTML), the homework or test text
}

// Appointments returns a copy of the child's appointments ordered by start
// (nil for an unknown child), so tests can find ids.
func (s *School) Appointments(child string) []Appointment {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.findStudent(child)
	if err != nil {
		return nil
	}
	s.extendTimetable(st, localMidnight(s.now(), s.loc).AddDate(0, 0, 15))
	appts := slices.Clone(st.appts)
	slices.SortFunc(appts, byStart)
	out := make([]Appointment, 0, len(appts))
	for _, a := range appts {
		c := Appointment{ID: a.id, Start: a.start, End: a.end, Hour: a.hour, Description: a.desc, Room: a.room,
			Status: a.status, Type: a.typ, InfoType: a.infoType, Content: a.content, Done: a.done}
		if a.subj != nil {
			c.Subject, c.Teacher = a.subj.code, a.subj.teacher.code
		}
		out = append(out, c)
	}
	return out
}

// AddAppointment adds an appointment (a lesson, homework or a test) to the
// child's timetable and returns its id.
func (s *School) AddAppointment(child string, spec AppointmentSpec) (id int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.findStudent(child)
	if err != nil {
		return 0, err
	}
	if spec.Start.IsZero() || (!spec.End.IsZero() && !spec.End.After(spec.Start)) || spec.InfoType < 0 || spec.InfoType > 7 {
		return 0, fmt.Errorf("magistertest: appointment start %v end %v info type %d: %w", spec.Start, spec.End, spec.InfoType, ErrInvalid)
	}
	a := &appointment{
		start: spec.Start.UTC(), end: spec.End.UTC(), hour: hourAt(spec.Start, s.loc), desc: spec.Description,
		room: spec.Room, status: 1, typ: spec.Type, infoType: spec.InfoType, content: spec.Content,
	}
	if spec.End.IsZero() {
		a.end = a.start.Add(50 * time.Minute)
	}
	if spec.Subject != "" {
		if a.subj, err = s.findSubject(spec.Subject); err != nil {
			return 0, err
		}
		if a.typ == 0 {
			a.typ = 13
		}
		if a.desc == "" {
			a.desc = fmt.Sprintf("%s - %s - %s", a.subj.code, a.subj.teacher.code, st.class)
		}
		if a.room == "" {
			a.room = a.subj.room
		}
	}
	if a.typ == 0 {
		a.typ = 2
	}
	if a.desc == "" {
		a.desc = "Activiteit"
	}
	if a.infoType == 0 && a.content != "" {
		a.infoType = 1
	}
	a.id = s.nextID("afspraak", 1400000)
	st.appts = append(st.appts, a)
	return a.id, nil
}

// changeAppointment runs f on one of the child's appointments under the lock.
func (s *School) changeAppointment(child string, id int, f func(a *appointment) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.findStudent(child)
	if err != nil {
		return err
	}
	a, _, err := st.findAppointment(id)
	if err != nil {
		return err
	}
	return f(a)
}

// CancelLesson cancels an appointment (Status 4, cancelled manually).
func (s *School) CancelLesson(child string, appointmentID int) error {
	return s.changeAppointment(child, appointmentID, func(a *appointment) error {
		a.status = 4
		return nil
	})
}

// RestoreLesson takes a cancellation back: the lesson takes place after all
// (Status 1).
func (s *School) RestoreLesson(child string, appointmentID int) error {
	return s.changeAppointment(child, appointmentID, func(a *appointment) error {
		if a.status != 4 && a.status != 5 {
			return fmt.Errorf("magistertest: appointment %d is not cancelled: %w", appointmentID, ErrInvalid)
		}
		a.status = 1
		return nil
	})
}

// MoveLesson moves an appointment to newStart, keeping its length (Status 9,
// or 10 when its room was changed too).
func (s *School) MoveLesson(child string, appointmentID int, newStart time.Time) error {
	if newStart.IsZero() {
		return fmt.Errorf("magistertest: move appointment %d: no start: %w", appointmentID, ErrInvalid)
	}
	return s.changeAppointment(child, appointmentID, func(a *appointment) error {
		d := a.end.Sub(a.start)
		a.start = newStart.UTC()
		a.end = a.start.Add(d)
		a.hour = hourAt(newStart, s.loc)
		if a.status == 3 || a.status == 10 {
			a.status = 10
		} else {
			a.status = 9
		}
		return nil
	})
}

// ChangeRoom gives an appointment a new room (Lokatie; Status 3, or 10 when
// it was moved too).
func (s *School) ChangeRoom(child string, appointmentID int, room string) error {
	if strings.TrimSpace(room) == "" {
		return fmt.Errorf("magistertest: change room of appointment %d: empty room: %w", appointmentID, ErrInvalid)
	}
	return s.changeAppointment(child, appointmentID, func(a *appointment) error {
		a.room = room
		if a.status == 9 || a.status == 10 {
			a.status = 10
		} else {
			a.status = 3
		}
		return nil
	})
}

// SetHomeworkDone sets whether the child ticked off an appointment's homework
// (Afgerond).
func (s *School) SetHomeworkDone(child string, id int, done bool) error {
	return s.changeAppointment(child, id, func(a *appointment) error {
		a.done = done
		return nil
	})
}

// RemoveAppointment deletes an appointment from the child's timetable.
func (s *School) RemoveAppointment(child string, id int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.findStudent(child)
	if err != nil {
		return err
	}
	_, i, err := st.findAppointment(id)
	if err != nil {
		return err
	}
	st.appts = slices.Delete(st.appts, i, i+1)
	return nil
}

// AddMessage delivers a new, unread message to the inbox of the account that
// sees the child's messages: the parent's inbox for Anna, Daan and Lotte,
// Sem's own inbox for Sem. It returns the message id.
func (s *School) AddMessage(child string, from, subject string) (id int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.findStudent(child)
	if err != nil {
		return 0, err
	}
	if from == "" {
		from = "Mentor"
	}
	if subject == "" {
		subject = "Nieuw bericht"
	}
	m := &message{
		id: s.nextID("bericht", 5100000), folder: folderInbox, subject: subject, fromID: 2200, from: from,
		sent: s.now().UTC(), body: "<p>" + subject + "</p>",
	}
	st.account.messages = append(st.account.messages, m)
	return m.id, nil
}

// SetMessageRead marks a message in the inbox that sees the child's messages
// as read or unread, as opening it in Magister would.
func (s *School) SetMessageRead(child string, id int, read bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.findStudent(child)
	if err != nil {
		return err
	}
	m := findMessage(st.account, id)
	if m == nil {
		return fmt.Errorf("magistertest: message %d: %w", id, ErrNotFound)
	}
	m.read = read
	return nil
}

// AddChild enrols a new child of the parent account in the middle of the
// year (a brother or sister who changes schools), with a past of its own:
// last year's and this year's grades, a timetable and absences. It returns
// the child's person id.
func (s *School) AddChild(firstName string) (id int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.TrimSpace(firstName) == "" {
		return 0, fmt.Errorf("magistertest: add a child without a name: %w", ErrInvalid)
	}
	parent := s.accounts[ParentLogin]
	now := s.now()
	id = s.nextID("person", 20430)
	st := &student{
		person:  person{id, firstName, firstName[:1] + ".", "van den", "Berg"},
		visible: true, account: parent, stamnummer: fmt.Sprint(104400 + id%1000),
	}
	s.students = append(s.students, st)
	parent.children = append(parent.children, st)
	s.seedEnrollments(st, 1, "vwo", now)
	s.seedGrades(st, [12]string{"6,1", "7,3", "5,8", "6,6", "7,0", "8,2", "6,4", "V", "5,9", "7,1", "6,8", "V"}, now)
	s.seedTimetable(st, len(s.students), now)
	s.seedAbsences(st, now)
	return id, nil
}
