package tray

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/magister-notify/magister-notify/assets"
	"github.com/magister-notify/magister-notify/internal/testenv"
	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

var ams = testenv.Amsterdam()

// at is 2026-01-14 hh:mm in Amsterdam.
func at(hh, mm int) time.Time { return time.Date(2026, 1, 14, hh, mm, 0, 0, ams) }

func parentState() state.State {
	return state.State{
		Accounts: []state.Account{{Key: "demo/1", School: "demo", IsParent: true, Children: []state.Child{
			{ID: 11, FirstName: "Anna"}, {ID: 12, FirstName: "Daan", Muted: true},
		}}},
		Health: state.Health{LastAttempt: at(10, 42), LastSuccess: at(10, 42)},
	}
}

// labels lists the model's items as "label" lines, submenu items indented,
// separators as "---", checkboxes with [x] or [ ], disabled ones with (-).
// Hidden items, and the items of a hidden submenu, are left out.
func labels(m model) []string {
	var out []string
	for _, it := range m.items {
		if it.hidden || it.parent >= 0 && m.items[it.parent].hidden {
			continue
		}
		l := it.label
		switch it.kind {
		case itemSeparator:
			l = "---"
		case itemCheckbox:
			box := "[ ] "
			if it.checked {
				box = "[x] "
			}
			l = box + l
		}
		if it.disabled {
			l += " (-)"
		}
		if it.parent >= 0 {
			l = "  " + l
		}
		out = append(out, l)
	}
	return out
}

func TestModelEnglishMenuAsTheIssueLists(t *testing.T) {
	s := parentState()
	s.Settings.Disabled = map[string]bool{state.KindHomework: true}
	for i := range 12 {
		s.History = append(s.History, state.Entry{ID: fmt.Sprint(i), Title: fmt.Sprintf("Anna: Nieuw cijfer %d", i),
			URL: "https://demo.magister.net/magister/#/cijfers", Delivered: at(9, i)})
	}
	m := buildModel(modelInput{state: s, now: at(10, 50), loc: ams, lang: "en", readUntil: at(9, 9),
		autostart: autostartInfo{available: true, installed: true}, sched: SchedulerStatus{NextCheck: at(11, 0)}})
	want := []string{
		"Checked 10:42 · 2 new (-)",
		"Next check at 11:00 (-)",
		"---",
		"Recent",
		"  • Anna: Nieuw cijfer 11",
		"  • Anna: Nieuw cijfer 10",
		"  Anna: Nieuw cijfer 9",
		"  Anna: Nieuw cijfer 8",
		"  Anna: Nieuw cijfer 7",
		"  Anna: Nieuw cijfer 6",
		"  Anna: Nieuw cijfer 5",
		"  Anna: Nieuw cijfer 4",
		"  Anna: Nieuw cijfer 3",
		"  Anna: Nieuw cijfer 2",
		"  ---",
		"  Mark all as read",
		"Check now",
		"Pause notifications",
		"  1 hour",
		"  Until tomorrow 07:00",
		"  Resume (-)",
		"---",
		"[x] Grades",
		"[x] Schedule changes",
		"[x] Tests",
		"[ ] Homework",
		"[x] Messages",
		"[x] Tomorrow at a glance", // on by default for a parent's account
		"[x] Notifications for Anna",
		"[ ] Notifications for Daan",
		"---",
		"[x] Start at login",
		"Open Magister",
		"Quit",
	}
	if got := labels(m); !slices.Equal(got, want) {
		t.Errorf("menu:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if m.icon != assets.Unread || m.tooltip != "magister-notify · 2 new\nLast checked 10:42" {
		t.Errorf("icon %q tooltip %q", m.icon, m.tooltip)
	}
	// Every checkbox asks for the opposite of what it shows.
	for _, it := range m.items {
		if it.kind == itemCheckbox && !it.hidden && it.act.want == it.checked {
			t.Errorf("%q: want %v while showing %v", it.label, it.act.want, it.checked)
		}
	}
	if m.items[5].label != "• Anna: Nieuw cijfer 11" || m.items[5].act != (action{kind: actOpenURL, arg: "https://demo.magister.net/magister/#/cijfers"}) {
		t.Errorf("the first recent entry %q does %+v", m.items[5].label, m.items[5].act)
	}
}

func TestModelDutch(t *testing.T) {
	s := parentState()
	s.Settings.PauseUntil = at(11, 50)
	m := buildModel(modelInput{state: s, now: at(10, 50), loc: ams, lang: "nl", readUntil: at(12, 0)})
	got := strings.Join(labels(m), "\n")
	for _, want := range []string{"Gecontroleerd 10:42 · gepauzeerd tot 11:50 (-)", "Nog geen meldingen (-)", "Nu controleren",
		"Meldingen pauzeren", "  Tot morgen 07:00", "  Hervatten", "[x] Cijfers", "[x] Roosterwijzigingen",
		"[x] Meldingen voor Anna", "Starten bij inloggen (automatisch starten niet beschikbaar) (-)", "Magister openen", "Afsluiten"} {
		if !strings.Contains(got, want) {
			t.Errorf("Dutch menu lacks %q:\n%s", want, got)
		}
	}
	if m.icon != assets.Paused || m.tooltip != "magister-notify\nLaatst gecontroleerd 10:42 · gepauzeerd tot 11:50" {
		t.Errorf("icon %q tooltip %q", m.icon, m.tooltip)
	}
}

func TestModelProblems(t *testing.T) {
	loginErr := "magister: token refresh: status 400 invalid_grant: login required"
	cases := []struct {
		name    string
		change  func(*state.State)
		in      modelInput
		status  string
		problem string
		act     actionKind
		icon    string
		tooltip string
	}{
		{name: "no account", change: func(s *state.State) { s.Accounts = nil; s.Health = state.Health{} },
			status: "Not signed in", problem: "Sign in with: magister-notify login --school <school> (-)", icon: assets.Attention,
			tooltip: "magister-notify\nNot signed in"},
		{name: "login needed", change: func(s *state.State) {
			s.Health = state.Health{LastAttempt: at(10, 45), LastSuccess: at(9, 0), LastError: loginErr, ConsecutiveFailures: 1, LoginRequired: true}
		}, in: modelInput{canLogin: true},
			status: "Check failed at 10:45", problem: "Log in again…", act: actLogin, icon: assets.Attention,
			tooltip: "magister-notify\nSign-in expired\nLast checked 09:00"},
		{name: "login needed, no login callback", change: func(s *state.State) {
			s.Health = state.Health{LastAttempt: at(10, 45), LastError: loginErr, ConsecutiveFailures: 1, LoginRequired: true}
		}, status: "Check failed at 10:45", problem: "Log in again: magister-notify login (-)", icon: assets.Attention,
			tooltip: "magister-notify\nSign-in expired"},
		{name: "unreachable once", change: func(s *state.State) {
			s.Health = state.Health{LastAttempt: at(10, 45), LastSuccess: at(10, 30), LastError: "dial tcp: connection refused", ConsecutiveFailures: 1}
		}, in: modelInput{sched: SchedulerStatus{NextCheck: at(11, 5)}},
			status: "Check failed at 10:45", problem: "Magister unreachable — retrying at 11:05", act: actCheckNow, icon: assets.Normal,
			tooltip: "magister-notify\nMagister unreachable\nLast checked 10:30"},
		{name: "unreachable repeatedly", change: func(s *state.State) {
			s.Health = state.Health{LastAttempt: at(10, 45), LastSuccess: at(8, 0), LastError: "magister: GET /api/account: status 503", ConsecutiveFailures: 3}
		}, in: modelInput{sched: SchedulerStatus{NextCheck: at(11, 5)}},
			status: "Check failed at 10:45", problem: "Magister unreachable — retrying at 11:05", act: actCheckNow, icon: assets.Attention,
			tooltip: "magister-notify\nMagister unreachable\nLast checked 08:00"},
		{name: "rate limited", change: func(s *state.State) {
			s.Health = state.Health{LastAttempt: at(10, 45), LastSuccess: at(8, 0), ConsecutiveFailures: 1,
				LastError: "magister: GET /api/account: too many requests, retry after 20m0s", RateLimited: true, RetryAt: at(11, 5)}
		}, in: modelInput{sched: SchedulerStatus{NextCheck: at(10, 50)}},
			status: "Check failed at 10:45", problem: "Magister asked us to wait — retrying at 11:05", act: actCheckNow, icon: assets.Normal,
			tooltip: "magister-notify\nMagister asked us to wait\nLast checked 08:00"},
		{name: "checking", change: func(*state.State) {}, in: modelInput{sched: SchedulerStatus{Checking: true}},
			status: "Checking…", icon: assets.Normal, tooltip: "magister-notify\nLast checked 10:42"},
		{name: "never checked", change: func(s *state.State) { s.Health = state.Health{} },
			status: "Not checked yet", icon: assets.Normal, tooltip: "magister-notify"},
		{name: "failure in the scheduler only", change: func(*state.State) {},
			in:     modelInput{canLogin: true, sched: SchedulerStatus{LastErr: fmt.Errorf("x: %w", magister.ErrLoginRequired)}},
			status: "Checked 10:42", problem: "Log in again…", act: actLogin, icon: assets.Attention,
			tooltip: "magister-notify\nSign-in expired\nLast checked 10:42"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := parentState()
			c.change(&s)
			in := c.in
			in.state, in.now, in.loc, in.lang, in.readUntil = s, at(10, 50), ams, "en", at(23, 0)
			in.autostart = autostartInfo{available: true}
			m := buildModel(in)
			if l := m.items[0].label; l != c.status || !m.items[0].disabled {
				t.Errorf("status %q, want %q", l, c.status)
			}
			// Without a problem, its line says when the next check is.
			switch {
			case c.problem == "" && !strings.HasPrefix(m.items[1].label, "Next check "):
				t.Errorf("unexpected problem item %q", m.items[1].label)
			case c.problem != "":
				got := labels(m)[1]
				if got != c.problem || m.items[1].act.kind != c.act {
					t.Errorf("problem item %q (%v), want %q (%v)", got, m.items[1].act.kind, c.problem, c.act)
				}
			}
			if m.icon != c.icon {
				t.Errorf("icon %s, want %s", m.icon, c.icon)
			}
			if m.tooltip != c.tooltip {
				t.Errorf("tooltip %q, want %q", m.tooltip, c.tooltip)
			}
		})
	}
}

func TestModelStudentHasNoChildCheckboxes(t *testing.T) {
	s := state.State{Accounts: []state.Account{{Key: "demo/9", Children: []state.Child{{ID: 9, FirstName: "Sem"}}}}}
	m := buildModel(modelInput{state: s, now: at(10, 0), loc: ams, lang: "en"})
	for _, l := range labels(m) {
		if strings.Contains(l, "Sem") {
			t.Errorf("a student gets a child checkbox: %q", l)
		}
	}
}

func TestModelKeepsItsShape(t *testing.T) {
	base := modelInput{state: parentState(), now: at(10, 50), loc: ams, lang: "en"}
	a := buildModel(base)
	variants := map[string]func(*modelInput){
		"checking": func(in *modelInput) { in.sched.Checking = true },
		"history": func(in *modelInput) {
			in.state.History = []state.Entry{{ID: "1", Title: "x", Delivered: at(10, 0)}, {ID: "2", Title: "y", Delivered: at(10, 1)}}
		},
		"a problem": func(in *modelInput) {
			in.state.Health = state.Health{LastAttempt: at(10, 45), LastError: "down", ConsecutiveFailures: 5}
		},
		"signed out": func(in *modelInput) { in.state.Accounts = nil },
		"a student only": func(in *modelInput) {
			in.state.Accounts[0].IsParent = false
			in.state.Accounts[0].Children = in.state.Accounts[0].Children[:1]
		},
		"Dutch": func(in *modelInput) { in.lang = "nl" },
	}
	for name, change := range variants {
		in := base
		in.state.Accounts = slices.Clone(base.state.Accounts)
		in.state.Accounts[0].Children = slices.Clone(base.state.Accounts[0].Children)
		change(&in)
		if b := buildModel(in); !a.sameShape(b) {
			t.Errorf("%s changes the menu's shape: it would be rebuilt", name)
		}
	}
	many := base
	many.state.Accounts = []state.Account{{Key: "k", IsParent: true}}
	for i := range childSlots + 1 {
		many.state.Accounts[0].Children = append(many.state.Accounts[0].Children, state.Child{ID: i, FirstName: fmt.Sprint(i)})
	}
	if b := buildModel(many); a.sameShape(b) {
		t.Error("more children than slots must rebuild")
	}
}

func TestClockText(t *testing.T) {
	now := at(10, 0)
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{at(9, 5), "09:05"},
		{at(9, 5).AddDate(0, 0, -1), "yesterday 09:05"},
		{at(7, 0).AddDate(0, 0, 1), "tomorrow 07:00"},
		{at(7, 0).AddDate(0, 0, -5), "2026-01-09 07:00"},
	} {
		if got := clockText(c.t, now, ams, english); got != c.want {
			t.Errorf("clockText(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestPlanFrom(t *testing.T) {
	now := at(23, 0)
	s := state.State{
		Settings: state.Settings{Interval: state.Duration(time.Minute)},
		Health:   state.Health{RetryAt: at(23, 30)},
		Outbox:   []state.Entry{{ID: "a", Title: "x", Created: at(22, 30)}},
	}
	// Default quiet hours (22:00-07:00) hold the entry until 07:00 tomorrow.
	p := PlanFrom(s, now, 0)
	if p.Interval != state.MinInterval || !p.RetryAt.Equal(at(23, 30)) || !p.DeliverAt.Equal(at(7, 0).AddDate(0, 0, 1)) {
		t.Errorf("plan %+v", p)
	}
	if p := PlanFrom(s, now, 20*time.Second); p.Interval != 20*time.Second {
		t.Errorf("the override gives %v", p.Interval)
	}
	if p := PlanFrom(state.State{}, now, 0); !p.DeliverAt.IsZero() || p.Interval != state.DefaultInterval {
		t.Errorf("empty state plan %+v", p)
	}
}

func TestSamePlan(t *testing.T) {
	now := at(10, 0)
	a := Plan{Interval: time.Hour, DeliverAt: at(9, 0)}
	b := Plan{Interval: time.Hour, DeliverAt: at(9, 59)}
	if !samePlan(a, b, now) {
		t.Error("two past DeliverAt are the same plan")
	}
	if samePlan(a, Plan{Interval: time.Hour, DeliverAt: at(11, 0)}, now) || samePlan(a, Plan{Interval: time.Hour}, now) ||
		samePlan(a, Plan{Interval: time.Minute, DeliverAt: at(9, 0)}, now) {
		t.Error("different plans compare equal")
	}
}

// TestIconAndTooltip pins what the icon shows and the tooltip says, in both
// languages: the app and what is new first, then what is wrong in words,
// then the last check and the pause.
func TestIconAndTooltip(t *testing.T) {
	unread := func(s *state.State) {
		s.History = []state.Entry{{ID: "1", Title: "a", Delivered: at(10, 0)}, {ID: "2", Title: "b", Delivered: at(10, 1)},
			{ID: "3", Title: "c", Delivered: at(10, 2)}}
	}
	down := func(s *state.State) {
		s.Health = state.Health{LastAttempt: at(10, 45), LastSuccess: at(8, 0), LastError: "magister: GET /api/account: status 503",
			ConsecutiveFailures: 3}
	}
	rateLimited := func(s *state.State) {
		s.Health = state.Health{LastAttempt: at(10, 45), LastSuccess: at(8, 0), ConsecutiveFailures: 1,
			LastError: "magister: too many requests", RateLimited: true, RetryAt: at(11, 5)}
	}
	loginExpired := func(s *state.State) {
		s.Health = state.Health{LastAttempt: at(10, 45), LastSuccess: at(9, 0), LastError: "login required", LoginRequired: true}
	}
	paused := func(s *state.State) { s.Settings.PauseUntil = at(11, 50) }
	cases := []struct {
		name    string
		changes []func(*state.State)
		icon    string
		nl, en  string
	}{
		{"all well", nil, assets.Normal,
			"magister-notify\nLaatst gecontroleerd 10:42",
			"magister-notify\nLast checked 10:42"},
		{"unread", []func(*state.State){unread}, assets.Unread,
			"magister-notify · 3 nieuw\nLaatst gecontroleerd 10:42",
			"magister-notify · 3 new\nLast checked 10:42"},
		{"attention and unread", []func(*state.State){unread, down}, assets.AttentionUnread,
			"magister-notify · 3 nieuw\nMagister onbereikbaar\nLaatst gecontroleerd 08:00",
			"magister-notify · 3 new\nMagister unreachable\nLast checked 08:00"},
		{"login expired and unread", []func(*state.State){unread, loginExpired}, assets.AttentionUnread,
			"magister-notify · 3 nieuw\nLogin verlopen\nLaatst gecontroleerd 09:00",
			"magister-notify · 3 new\nSign-in expired\nLast checked 09:00"},
		{"paused", []func(*state.State){paused}, assets.Paused,
			"magister-notify\nLaatst gecontroleerd 10:42 · gepauzeerd tot 11:50",
			"magister-notify\nLast checked 10:42 · paused until 11:50"},
		{"paused hides the dot, not the count", []func(*state.State){unread, paused}, assets.Paused,
			"magister-notify · 3 nieuw\nLaatst gecontroleerd 10:42 · gepauzeerd tot 11:50",
			"magister-notify · 3 new\nLast checked 10:42 · paused until 11:50"},
		{"paused, never checked", []func(*state.State){paused, func(s *state.State) { s.Health = state.Health{} }}, assets.Paused,
			"magister-notify\nGepauzeerd tot 11:50",
			"magister-notify\nPaused until 11:50"},
		{"paused while the login expired", []func(*state.State){paused, loginExpired}, assets.Attention,
			"magister-notify\nLogin verlopen\nLaatst gecontroleerd 09:00 · gepauzeerd tot 11:50",
			"magister-notify\nSign-in expired\nLast checked 09:00 · paused until 11:50"},
		{"rate limited", []func(*state.State){rateLimited}, assets.Normal,
			"magister-notify\nMagister vraagt ons te wachten\nLaatst gecontroleerd 08:00",
			"magister-notify\nMagister asked us to wait\nLast checked 08:00"},
		{"rate limited, unread", []func(*state.State){unread, rateLimited}, assets.Unread,
			"magister-notify · 3 nieuw\nMagister vraagt ons te wachten\nLaatst gecontroleerd 08:00",
			"magister-notify · 3 new\nMagister asked us to wait\nLast checked 08:00"},
	}
	for _, c := range cases {
		for _, lang := range []string{"nl", "en"} {
			t.Run(c.name+"/"+lang, func(t *testing.T) {
				s := parentState()
				for _, change := range c.changes {
					change(&s)
				}
				m := buildModel(modelInput{state: s, now: at(10, 50), loc: ams, lang: lang, readUntil: at(9, 0)})
				want := c.en
				if lang == "nl" {
					want = c.nl
				}
				if m.tooltip != want {
					t.Errorf("tooltip %q, want %q", m.tooltip, want)
				}
				if m.icon != c.icon {
					t.Errorf("icon %s, want %s", m.icon, c.icon)
				}
				if strings.Contains(m.tooltip, "…") {
					t.Errorf("tooltip %q carries a menu action's ellipsis", m.tooltip)
				}
			})
		}
	}
}

// TestTooltipFitsWindows: the longest tooltip the model can make (a
// date instead of a clock, a large count, the longest reason) is cut to what
// Windows holds, at a character, with an ellipsis.
func TestTooltipFitsWindows(t *testing.T) {
	s := parentState()
	for i := range 999 {
		s.History = append(s.History, state.Entry{ID: fmt.Sprint(i), Title: "x", Delivered: at(10, 0)})
	}
	s.Health = state.Health{LastAttempt: at(10, 45), LastSuccess: at(8, 0).AddDate(0, 0, -5), ConsecutiveFailures: 1,
		LastError: "magister: too many requests", RateLimited: true}
	s.Settings.PauseUntil = at(7, 0).AddDate(0, 0, 5)
	m := buildModel(modelInput{state: s, now: at(10, 50), loc: ams, lang: "nl", readUntil: at(9, 0)})
	want := "magister-notify · 999 nieuw\nMagister vraagt ons te wachten\nLaatst gecontroleerd 2026-01-09 08:00 · gepauzeerd tot 2026-01-19 0…"
	if m.tooltip != want {
		t.Errorf("tooltip %q, want %q", m.tooltip, want)
	}
	if n := len(utf16.Encode([]rune(m.tooltip))); n != tooltipMax {
		t.Errorf("the cut tooltip is %d UTF-16 units, want %d", n, tooltipMax)
	}
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"a😀b", 4, "a😀b"}, // the emoji is two UTF-16 units
		{"a😀bc", 4, "a😀…"},
		{"ab😀c", 4, "ab…"}, // and is not cut in half
		{"ééé", 2, "é…"},
	} {
		if got := cutUTF16(c.in, c.n); got != c.want {
			t.Errorf("cutUTF16(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// TestModelProblemLineKeepsItsPlace: a problem appearing or going away does
// not move the items below it (a person reaching for "Check now" finds it
// where it was).
func TestModelProblemLineKeepsItsPlace(t *testing.T) {
	problems := map[string]func(*state.State){
		"none": func(*state.State) {},
		"unreachable": func(s *state.State) {
			s.Health = state.Health{LastAttempt: at(10, 45), LastError: "down", ConsecutiveFailures: 5}
		},
		"login needed": func(s *state.State) { s.Health.LoginRequired = true },
		"signed out":   func(s *state.State) { s.Accounts = nil },
	}
	for _, lang := range []string{"en", "nl"} {
		checkNow := textsFor(lang).checkNow
		want := -1
		for name, change := range problems {
			s := parentState()
			change(&s)
			m := buildModel(modelInput{state: s, now: at(10, 50), loc: ams, lang: lang, canLogin: true,
				sched: SchedulerStatus{NextCheck: at(11, 0)}})
			i := slices.Index(labels(m), checkNow)
			if i < 0 {
				i = slices.Index(labels(m), checkNow+" (-)")
			}
			if want < 0 {
				want = i
			}
			if i != want || i < 0 {
				t.Errorf("%s, %s: %q is line %d, want %d:\n%s", lang, name, checkNow, i, want, strings.Join(labels(m), "\n"))
			}
		}
	}
}

// TestModelRetryTimeInThePast: "retrying at 16:47" at 16:49 is never shown;
// the line then says only what is wrong.
func TestModelRetryTimeInThePast(t *testing.T) {
	failing := parentState()
	failing.Health = state.Health{LastAttempt: at(16, 30), LastSuccess: at(8, 0), LastError: "down", ConsecutiveFailures: 2}
	limited := failing
	limited.Health.RateLimited, limited.Health.RetryAt = true, at(16, 47)
	cases := []struct {
		name string
		s    state.State
		next time.Time
		now  time.Time
		want string
	}{
		{"next check ahead", failing, at(16, 47), at(16, 40), "Magister onbereikbaar — nieuwe poging om 16:47"},
		{"next check past", failing, at(16, 47), at(16, 49), "Magister onbereikbaar"},
		{"next check now", failing, at(16, 47), at(16, 47), "Magister onbereikbaar"},
		{"retry-after past", limited, at(16, 40), at(16, 49), "Magister vraagt ons te wachten"},
		{"retry-after ahead", limited, at(16, 40), at(16, 45), "Magister vraagt ons te wachten — nieuwe poging om 16:47"},
	}
	for _, c := range cases {
		m := buildModel(modelInput{state: c.s, now: c.now, loc: ams, lang: "nl", sched: SchedulerStatus{NextCheck: c.next}})
		if got := m.items[1].label; got != c.want {
			t.Errorf("%s: problem line %q, want %q", c.name, got, c.want)
		}
		if strings.Contains(m.tooltip, "16:47") && !c.now.Before(at(16, 47)) {
			t.Errorf("%s: tooltip %q promises a retry in the past", c.name, m.tooltip)
		}
	}
}

// recentShown is the labels of the Recent copy m shows, and its index.
func recentShown(t *testing.T, m model) (int, []string) {
	t.Helper()
	shown := -1
	for i, it := range m.items {
		if it.kind == itemSubmenu && it.twin != 0 && !it.hidden {
			if shown >= 0 {
				t.Fatalf("both copies of Recent are shown (%d and %d)", shown, i)
			}
			shown = i
		}
	}
	if shown < 0 {
		t.Fatal("no copy of Recent is shown")
	}
	var out []string
	for _, i := range m.children(shown) {
		if !m.items[i].hidden {
			out = append(out, m.items[i].label)
		}
	}
	return shown, out
}

// TestSteadyNeverChangesAShownSubmenu: whatever happens to Recent, the copy
// the host shows keeps its items exactly (an open GTK menu is not resized);
// a change goes to the hidden copy, which takes its place.
func TestSteadyNeverChangesAShownSubmenu(t *testing.T) {
	in := modelInput{state: parentState(), now: at(10, 50), loc: ams, lang: "en", readUntil: at(8, 0)}
	shown := buildModel(in) // as the first rebuild draws it
	a, _ := recentShown(t, shown)
	entry := func(i int) state.Entry {
		return state.Entry{ID: fmt.Sprint(i), Title: fmt.Sprintf("Anna: %d voor Wiskunde_A", i), URL: fmt.Sprint("https://x/", i), Delivered: at(9, i)}
	}
	steps := []struct {
		name   string
		change func(*modelInput)
		moves  bool // Recent's entries change
	}{
		{"a check, nothing new", func(in *modelInput) { in.state.Health.LastSuccess = at(10, 55) }, false},
		{"the first entry", func(in *modelInput) { in.state.History = append(in.state.History, entry(1)) }, true},
		{"a second entry", func(in *modelInput) { in.state.History = append(in.state.History, entry(2)) }, true},
		{"a pause", func(in *modelInput) { in.state.Settings.PauseUntil = at(12, 0) }, false},
		{"mark all as read", func(in *modelInput) { in.readUntil = at(10, 0) }, true},
		{"eleven more", func(in *modelInput) {
			for i := 3; i < 14; i++ {
				in.state.History = append(in.state.History, entry(i))
			}
		}, true},
	}
	for _, step := range steps {
		step.change(&in)
		next := buildModel(in)
		drawn := steady(shown, next)
		if !drawn.sameShape(next) {
			t.Fatalf("%s: steady changed the menu's shape", step.name)
		}
		was, _ := recentShown(t, shown)
		now, got := recentShown(t, drawn)
		if _, want := recentShown(t, next); !slices.Equal(got, want) {
			t.Errorf("%s: Recent shows %q, want %q", step.name, got, want)
		}
		if moved := now != was; moved != step.moves {
			t.Errorf("%s: Recent moved from copy %d to %d; want a move: %v", step.name, was, now, step.moves)
		}
		// The copy that was shown is either left exactly as it was, or
		// (unchanged) hidden: never changed while it may be open.
		for _, i := range append([]int{was}, shown.children(was)...) {
			d, s := drawn.items[i], shown.items[i]
			if i == was && now != was {
				s.hidden = true
			}
			if d != s {
				t.Errorf("%s: item %d of the shown Recent changed from %+v to %+v", step.name, i, s, d)
			}
		}
		// Clicks on the shown copy do what the entries say.
		for k, i := range drawn.children(now) {
			if d, n := drawn.items[i], next.items[next.children(a)[k]]; d.act != n.act || d.label != n.label {
				t.Errorf("%s: entry %d is %q doing %+v, want %q doing %+v", step.name, k, d.label, d.act, n.label, n.act)
			}
		}
		// Everything else is drawn as next has it.
		for i := range next.items {
			if p := next.items[i].parent; next.items[i].twin == 0 && (p < 0 || next.items[p].twin == 0) && drawn.items[i] != next.items[i] {
				t.Errorf("%s: item %d drawn as %+v, want %+v", step.name, i, drawn.items[i], next.items[i])
			}
		}
		shown = drawn
	}
}

// TestModelLoginAddress: after "Log in again…" found no browser, the line
// shows the address to open by hand, in the problem's place; a click tries
// again.
func TestModelLoginAddress(t *testing.T) {
	s := parentState()
	s.Health.LoginRequired = true
	m := buildModel(modelInput{state: s, now: at(10, 50), loc: ams, lang: "nl", canLogin: true, loginAddr: "http://127.0.0.1:4711/"})
	if got, want := m.items[1].label, "Open in een browser om in te loggen: http://127.0.0.1:4711/"; got != want || m.items[1].act.kind != actLogin {
		t.Errorf("line %q doing %v, want %q doing login", got, m.items[1].act.kind, want)
	}
	s.Health.LoginRequired = false // signed in meanwhile: the address is no problem any more
	if m := buildModel(modelInput{state: s, now: at(10, 50), loc: ams, lang: "nl", canLogin: true, loginAddr: "http://127.0.0.1:4711/"}); strings.Contains(m.items[1].label, "127.0.0.1") {
		t.Errorf("line %q after the login", m.items[1].label)
	}
}

// BenchmarkSteady is the cost steady adds to every redraw: a full Recent
// that changes each time.
func BenchmarkSteady(b *testing.B) {
	in := modelInput{state: parentState(), now: at(10, 50), loc: ams, lang: "nl"}
	for i := range RecentLimit + 2 {
		in.state.History = append(in.state.History, state.Entry{ID: fmt.Sprint(i), Title: fmt.Sprint("Anna: ", i), Delivered: at(9, i)})
	}
	shown := buildModel(in)
	in.readUntil = at(10, 0)
	next := buildModel(in)
	b.ReportAllocs()
	for b.Loop() {
		shown = steady(shown, next)
	}
}
