package magistertest

import (
	"fmt"
	"strings"
	"time"
)

// seed fills the school with a fictitious family and a student. Everything
// with a time is placed relative to s.now() so the data always looks current.
func (s *School) seed() {
	now := s.now()
	s.subjects = []*subject{
		{1101, "netl", "Nederlandse taal", "B102", teacher{2001, "BRK", "J.", "", "Brink"}},
		{1102, "entl", "Engelse taal", "B104", teacher{2002, "HGL", "M.", "", "Hoogland"}},
		{1103, "wisA", "Wiskunde A", "B201", teacher{2003, "KLF", "R.", "van", "Kleef"}},
		{1104, "biol", "Biologie", "C012", teacher{2004, "VRS", "P.", "de", "Vries"}},
		{1105, "gs", "Geschiedenis", "B108", teacher{2005, "BKR", "E.", "", "Bakker"}},
		{1106, "ak", "Aardrijkskunde", "B110", teacher{2006, "MLD", "S.", "", "Mulder"}},
		{1107, "fatl", "Franse taal", "B106", teacher{2007, "DPT", "C.", "", "Dupont"}},
		{1108, "lo", "Lichamelijke opvoeding", "Gym 1", teacher{2008, "SMT", "T.", "", "Smit"}},
	}

	parent := &account{
		login: ParentLogin, uuid: personUUID(20417), birth: "1981-03-14T00:00:00.0000000Z", parent: true,
		person: person{20417, "Eva", "E.M.", "van den", "Berg"},
	}
	sem := &account{
		login: StudentLogin, uuid: personUUID(20421), birth: "2011-05-02T00:00:00.0000000Z",
		person: person{20421, "Sem", "S.", "", "Jansen"},
	}
	s.accounts = map[string]*account{ParentLogin: parent, StudentLogin: sem}

	type kid struct {
		p       person
		visible bool
		year    int
		track   string
		acc     *account
		values  [12]string
	}
	kids := []kid{
		{person{20418, "Anna", "A.", "van den", "Berg"}, true, 4, "havo", parent,
			[12]string{"7,2", "6,4", "5,1", "8,0", "4,8", "6,9", "7,5", "V", "6,2", "5,3", "8,4", "U"}},
		{person{20419, "Daan", "D.", "van den", "Berg"}, true, 2, "vwo", parent,
			[12]string{"6,8", "5,9", "7,7", "5,4", "6,6", "3,9", "6,1", "V", "8,2", "7,0", "5,6", "U"}},
		{person{20420, "Lotte", "L.", "van den", "Berg"}, false, 6, "vwo", parent,
			[12]string{"7,9", "8,1", "6,5", "7,3", "6,0", "7,7", "5,8", "V", "7,1", "6,7", "8,8", "U"}},
		{person{20421, "Sem", "S.", "", "Jansen"}, true, 3, "havo", sem,
			[12]string{"5,5", "6,3", "4,2", "7,8", "6,1", "5,0", "6,9", "V", "7,4", "3,4", "6,6", "U"}},
	}
	for i, k := range kids {
		st := &student{
			person: k.p, visible: k.visible, account: k.acc,
			stamnummer: fmt.Sprint(104400 + k.p.id%1000),
		}
		s.students = append(s.students, st)
		if k.acc == parent {
			parent.children = append(parent.children, st)
		} else {
			k.acc.self = st
		}
		s.seedEnrollments(st, k.year, k.track, now)
		s.seedGrades(st, k.values, now)
		s.seedTimetable(st, i, now)
		s.seedAbsences(st, now)
	}
	s.seedMessages(parent, sem, now)
}

// personUUID makes a stable, obviously fake GUID for a person.
func personUUID(id int) string {
	return fmt.Sprintf("f4a6e2c0-0000-4000-8000-%012d", id)
}

func (s *School) seedEnrollments(st *student, year int, track string, now time.Time) {
	cur := schoolYearStart(now, s.loc)
	for back := 1; back >= 0; back-- {
		begin := cur.AddDate(-back, 0, 0)
		y := year - back
		e := &enrollment{
			id:        s.nextID("enrollment", 31000),
			begin:     begin,
			end:       begin.AddDate(1, 0, -1),
			period:    fmt.Sprintf("%02d%02d", begin.Year()%100, (begin.Year()+1)%100),
			study:     fmt.Sprintf("%d %s", y, track),
			studyCode: fmt.Sprintf("%d%s", y, track),
			studyID:   600 + y*10 + len(track),
			group:     fmt.Sprintf("%d%s", y, strings.ToUpper(track[:1])),
		}
		e.groupID = 900 + e.id%1000
		// Reserve one /vakken row id per subject: firstVak, firstVak+1, ...
		e.firstVak = s.nextID("vak", 52000)
		s.seq["vak"] += len(s.subjects) - 1
		st.enrollments = append(st.enrollments, e)
	}
	st.class = st.current().group
}

// gradeSpanDays is how far back the seeded grades of this year reach.
const gradeSpanDays = 42

var seedGradeRows = [12]struct {
	subject, column, desc string
	weight                float64
	daysAgo               int
}{
	{"netl", "LD1", "Leesdossier", 1, 41},
	{"entl", "SO1", "SO vocabulary unit 1", 1, 36},
	{"wisA", "PW1", "Proefwerk H1 Verbanden", 3, 31},
	{"biol", "PO1", "Practicum microscopie", 2, 27},
	{"gs", "SO1", "SO Middeleeuwen", 1, 22},
	{"ak", "PW1", "Proefwerk De aarde", 2, 18},
	{"fatl", "MO1", "Mondeling", 1, 14},
	{"lo", "AT1", "Atletiek", 0, 10},
	{"wisA", "SO1", "SO H2 Formules", 1, 7},
	{"netl", "SV1", "Schrijfvaardigheid: betoog", 2, 5},
	{"entl", "LV1", "Listening test", 1, 3},
	{"lo", "TU1", "Turnen", 0, 1},
}

func (s *School) seedGrades(st *student, values [12]string, now time.Time) {
	cur := st.current()
	// Early in a school year there are fewer than gradeSpanDays behind now:
	// squeeze the grades in between the start of the year and now, keeping
	// their order, so cijfers/laatste is never empty.
	squeeze := now.Sub(cur.begin) < gradeSpanDays*24*time.Hour
	for i, row := range seedGradeRows {
		sj, _ := s.findSubject(row.subject)
		day := localMidnight(now, s.loc).AddDate(0, 0, -row.daysAgo)
		entered := day.Add(14*time.Hour + time.Duration(5+i)*time.Minute)
		if squeeze {
			entered = cur.begin.Add(now.Sub(cur.begin) * time.Duration(gradeSpanDays-row.daysAgo) / gradeSpanDays).Truncate(time.Second)
		}
		st.grades = append(st.grades, &grade{
			kolomID: s.nextID("kolom", 700000), enr: cur, subj: sj, column: row.column,
			desc: row.desc, value: values[i], weight: row.weight, entered: entered.UTC(),
		})
	}
	// Last school year's grades: real schools keep returning them in
	// cijfers/laatste.
	prev := st.enrollments[0]
	for i, v := range []string{"6,7", "5,2", "7,9"} {
		sj := s.subjects[i*3%len(s.subjects)]
		st.grades = append(st.grades, &grade{
			kolomID: s.nextID("kolom", 700000), enr: prev, subj: sj, column: "PW9",
			desc: "Eindtoets " + sj.name, value: v, weight: 2,
			entered: prev.begin.AddDate(0, 2+i*3, 3).Add(15 * time.Hour).UTC(),
		})
	}
}

// lessonsPerDay is the number of lesson hours Monday..Friday.
var lessonsPerDay = [5]int{6, 7, 5, 6, 5}

// seedTimetable fills lessons from the Monday of the previous week (so that
// absences have past lessons) through eight days after today, with homework,
// tests, information and notes on some of them. Later weeks are added as
// they are asked for (extendTimetable), so a school runs for a whole year.
func (s *School) seedTimetable(st *student, offset int, now time.Time) {
	st.offset = offset
	st.firstDay = mondayOf(now, s.loc).AddDate(0, 0, -7)
	s.extendTimetable(st, localMidnight(now, s.loc).AddDate(0, 0, 9))
	var past, future []*appointment
	for _, a := range st.appts {
		if a.start.After(now) {
			future = append(future, a)
		} else {
			past = append(past, a)
		}
	}
	homework := func(a *appointment, info int, text string) {
		a.infoType = info
		a.content = "<p>" + text + "</p>"
	}
	// Future work: the seed always has more than twenty future lessons.
	homework(future[1], 1, "Maak opgaven 4.1 t/m 4.15")
	homework(future[4], 1, "Lees paragraaf 3.2 en maak de samenvatting")
	homework(future[7], 2, "Proefwerk hoofdstuk 3 en 4")
	homework(future[11], 4, "SO woordjes unit 5")
	homework(future[15], 1, "Werk je verslag af en lever het in via de ELO")
	// Information and a note carry content too, and are neither homework
	// nor a test; a room of "-" is Magister's "no room".
	homework(future[9], 6, "Excursie: neem je lunchpakket en regenkleding mee")
	homework(future[13], 7, "Notitie: boek meenemen")
	future[5].room = "-"
	// Past work: one finished, one not, and one cancelled lesson last week.
	homework(past[len(past)-3], 1, "Maak de oefentoets")
	past[len(past)-3].done = true
	homework(past[len(past)-5], 1, "Leer de begrippen van hoofdstuk 2")
	past[2].status = 5
}

// extendTimetable adds the regular weekly lessons of the days after the last
// one generated, through the day before until (local midnight). It is
// called with s.mu held (or before the school serves).
func (s *School) extendTimetable(st *student, until time.Time) {
	day := st.firstDay
	if !st.through.IsZero() {
		day = st.through
	}
	for ; day.Before(until); day = day.AddDate(0, 0, 1) {
		wd := (int(day.Weekday()) + 6) % 7
		if wd >= 5 {
			continue
		}
		d := int(day.Sub(st.firstDay).Hours()/24 + 0.5)
		for h := 1; h <= lessonsPerDay[wd]; h++ {
			sj := s.subjects[(d*3+h+st.offset)%len(s.subjects)]
			start, end := slotTimes(day, h, s.loc)
			st.appts = append(st.appts, &appointment{
				id: s.nextID("afspraak", 1400000), start: start, end: end, hour: h, subj: sj,
				desc: fmt.Sprintf("%s - %s - %s", sj.code, sj.teacher.code, st.class), room: sj.room,
				status: 1, typ: 13,
			})
		}
	}
	if day.After(st.through) {
		st.through = day
	}
}

func (s *School) seedAbsences(st *student, now time.Time) {
	var past []*appointment
	for _, a := range st.appts {
		if a.end.Before(now) && a.status != 5 {
			past = append(past, a)
		}
	}
	add := func(a *appointment, excused bool, desc, code string, kind int) {
		st.absences = append(st.absences, &absence{
			id: s.nextID("absentie", 880000), apptID: a.id, start: a.start, end: a.end, hour: a.hour,
			excused: excused, desc: desc, code: code, kind: kind,
		})
	}
	add(past[0], true, "Ziek", "Z", 3)
	add(past[1], true, "Ziek", "Z", 3)
	add(past[9], false, "Te laat", "TR", 2)
}

func (s *School) seedMessages(parent, sem *account, now time.Time) {
	type seedMsg struct {
		acc         *account
		folder      int
		fromID      int
		from        string
		subject     string
		ago         time.Duration
		read        bool
		attachments bool
	}
	day := 24 * time.Hour
	rows := []seedMsg{
		{parent, folderInbox, 2002, "M. Hoogland", "Werkweek Engeland: laatste informatie", 430 * day, false, false},
		{parent, folderInbox, 2005, "E. Bakker", "Rapportvergadering en tienminutengesprekken", 9 * day, true, false},
		{parent, folderInbox, 2100, "Administratie", "Nieuwsbrief", 4*day + 2*time.Hour, true, true},
		{parent, folderInbox, 2006, "S. Mulder", "Excursie 2 vwo naar het museum", day + 3*time.Hour, false, true},
		{parent, folderInbox, 2001, "J. Brink", "Ouderavond 4 havo", 2 * time.Hour, false, false},
		{parent, folderSent, parent.id, "E.M. van den Berg", "Ziekmelding Anna", 8 * day, true, false},
		{sem, folderInbox, 2007, "C. Dupont", "Uitwisseling Lyon", 400 * day, false, false},
		{sem, folderInbox, 2100, "Roostermaker", "Roosterwijziging volgende week", 6 * day, true, false},
		{sem, folderInbox, 2008, "T. Smit", "Sportdag", 3 * day, true, false},
		{sem, folderInbox, 2005, "E. Bakker", "Inhaalmoment proefwerk", 5 * time.Hour, false, false},
		{sem, folderSent, sem.id, "S. Jansen", "Vraag over het PO", 2 * day, true, false},
	}
	for _, r := range rows {
		greeting := "Beste ouder/verzorger"
		if !r.acc.parent {
			greeting = "Beste " + r.acc.first
		}
		r.acc.messages = append(r.acc.messages, &message{
			id: s.nextID("bericht", 5100000), folder: r.folder, subject: r.subject,
			fromID: r.fromID, from: r.from, sent: now.Add(-r.ago).UTC().Truncate(time.Second),
			read: r.read, attachments: r.attachments,
			body: "<p>" + greeting + ",</p><p>" + r.subject + ".</p><p>Met vriendelijke groet,<br>" + r.from + "</p>",
		})
	}
}
