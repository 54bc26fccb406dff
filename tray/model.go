package tray

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/magister-notify/magister-notify/assets"
	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
)

// RecentLimit is how many history entries the Recent submenu lists.
const RecentLimit = 10

// childSlots is how many child checkboxes the menu always has (hidden when
// unused), so that signing in or out does not change the menu's shape.
const childSlots = 6

// attentionFailures is how many failed checks in a row turn the icon to
// "needs attention"; a single failure is usually a passing network glitch.
const attentionFailures = 3

// itemKind is how an entry is drawn.
type itemKind int

const (
	itemNormal itemKind = iota
	itemCheckbox
	itemSeparator
	itemSubmenu
)

// actionKind is what a click does.
type actionKind int

const (
	actNone actionKind = iota
	actLogin
	actCheckNow
	actOpenURL
	actMarkRead
	actPause
	actPauseTomorrow
	actResume
	actToggleKind
	actToggleChild
	actToggleAutostart
	actOpenMagister
	actQuit
)

// action is a click's meaning; arg names the kind or URL, child the child,
// and want is the checkbox state the click asks for.
type action struct {
	kind  actionKind
	arg   string
	child state.ChildRef
	want  bool
}

var actionNames = [...]string{"none", "login", "check-now", "open-url", "mark-read", "pause", "pause-tomorrow",
	"resume", "toggle-kind", "toggle-child", "toggle-autostart", "open-magister", "quit"}

func (k actionKind) String() string {
	if int(k) < len(actionNames) {
		return actionNames[k]
	}
	return fmt.Sprintf("action(%d)", int(k))
}

// item is one line of the menu. Items form a flat list; parent is the index
// of the submenu an item belongs to, or -1.
type item struct {
	parent   int
	kind     itemKind
	label    string
	checked  bool
	disabled bool
	hidden   bool
	act      action
}

// model is everything the tray shows, derived from the state and the
// scheduler: rendering it is the only thing the menu code does.
type model struct {
	icon    string // one of the assets states
	tooltip string
	items   []item
}

// sameShape reports whether a menu drawn for o can show m by changing its
// items in place: the same items in the same places. The model keeps a
// fixed shape (slots are hidden, not left out), because a rebuild removes
// items, and systray can then panic on a click that arrives at that moment
// (it sends on the removed item's channel after closing it).
func (m model) sameShape(o model) bool {
	return slices.EqualFunc(m.items, o.items, func(a, b item) bool { return a.parent == b.parent && a.kind == b.kind })
}

// autostartInfo is what the menu knows about autostart.
type autostartInfo struct {
	available bool
	installed bool
	why       string // why it is unavailable
}

// modelInput is what the model is computed from.
type modelInput struct {
	state     state.State
	now       time.Time
	loc       *time.Location
	lang      string
	sched     SchedulerStatus
	autostart autostartInfo
	canLogin  bool
	readUntil time.Time // history delivered after this is unread
}

// buildModel computes the menu, icon and tooltip.
func buildModel(in modelInput) model {
	t := textsFor(in.lang)
	s := in.state
	clock := func(tm time.Time) string { return clockText(tm, in.now, in.loc, t) }

	unread := 0
	for _, e := range s.History {
		if e.Delivered.After(in.readUntil) {
			unread++
		}
	}
	paused := s.Settings.Paused(in.now)
	loginNeeded := s.Health.LoginRequired || errors.Is(in.sched.LastErr, magister.ErrLoginRequired) ||
		errors.Is(in.sched.LastErr, magister.ErrNoToken)
	failing := s.Health.LastError != "" && s.Health.LastAttempt.After(s.Health.LastSuccess)
	noAccounts := len(s.Accounts) == 0

	// Status line and the one actionable item.
	var status string
	switch {
	case in.sched.Checking:
		status = t.checking
	case noAccounts:
		status = t.notSignedIn
	case s.Health.LastSuccess.IsZero() && s.Health.LastAttempt.IsZero():
		status = t.notCheckedYet
	case failing:
		status = fmt.Sprintf(t.checkFailedAt, clock(s.Health.LastAttempt))
	default:
		status = fmt.Sprintf(t.checkedAt, clock(s.Health.LastSuccess))
	}
	if unread > 0 {
		status += " · " + fmt.Sprintf(t.nNew, unread)
	}
	if paused {
		status += " · " + fmt.Sprintf(t.pausedUntil, clock(s.Settings.PauseUntil))
	}

	var problem *item
	switch {
	case noAccounts:
		problem = &item{label: t.signInHint, disabled: true}
	case loginNeeded:
		problem = &item{label: t.loginAgain, act: action{kind: actLogin}}
		if !in.canLogin {
			problem = &item{label: t.loginAgainCLI, disabled: true}
		}
	case failing:
		retry := in.sched.NextCheck
		if s.Health.RetryAt.After(retry) {
			retry = s.Health.RetryAt
		}
		what := t.unreachable
		if strings.Contains(s.Health.LastError, magister.ErrRateLimited.Error()) ||
			strings.Contains(s.Health.LastError, "rate limited") {
			what = t.rateLimited
		}
		label := what
		if !retry.IsZero() {
			label = fmt.Sprintf(t.retryingAt, what, clock(retry))
		}
		problem = &item{label: label, act: action{kind: actCheckNow}}
	}

	var items []item
	add := func(it item) int {
		items = append(items, it)
		return len(items) - 1
	}
	top := func(it item) int { it.parent = -1; return add(it) }
	sub := func(parent int, it item) { it.parent = parent; add(it) }

	top(item{label: status, disabled: true})
	if problem != nil {
		top(*problem)
	} else {
		top(item{hidden: true})
	}
	top(item{kind: itemSeparator})

	recent := top(item{kind: itemSubmenu, label: t.recent})
	hist := recentHistory(s.History)
	sub(recent, item{label: t.noneYet, disabled: true, hidden: len(hist) > 0})
	for i := range RecentLimit {
		if i >= len(hist) {
			sub(recent, item{hidden: true})
			continue
		}
		e := hist[i]
		label := truncate(e.Title, 60)
		if e.Delivered.After(in.readUntil) {
			label = "• " + label
		}
		sub(recent, item{label: label, act: action{kind: actOpenURL, arg: e.URL}, disabled: e.URL == ""})
	}
	sub(recent, item{kind: itemSeparator})
	sub(recent, item{label: t.markAllRead, act: action{kind: actMarkRead}, disabled: unread == 0})

	top(item{label: t.checkNow, act: action{kind: actCheckNow}, disabled: in.sched.Checking || noAccounts})

	pause := top(item{kind: itemSubmenu, label: t.pause})
	sub(pause, item{label: t.pauseHour, act: action{kind: actPause}})
	sub(pause, item{label: t.pauseTomorrow, act: action{kind: actPauseTomorrow}})
	sub(pause, item{label: t.resume, act: action{kind: actResume}, disabled: !paused})

	top(item{kind: itemSeparator})
	for _, kind := range state.Kinds {
		on := s.Settings.KindEnabled(kind)
		top(item{kind: itemCheckbox, label: t.kinds[kind], checked: on,
			act: action{kind: actToggleKind, arg: kind, want: !on}})
	}
	var kids []item
	if showChildren(s.Accounts) {
		for _, a := range s.Accounts {
			for _, c := range a.Children {
				kids = append(kids, item{kind: itemCheckbox, label: fmt.Sprintf(t.childFmt, c.FirstName), checked: !c.Muted,
					act: action{kind: actToggleChild, child: state.ChildRef{Account: a.Key, ID: c.ID}, want: c.Muted}})
			}
		}
	}
	for i := range max(childSlots, len(kids)) {
		if i < len(kids) {
			top(kids[i])
		} else {
			top(item{kind: itemCheckbox, hidden: true})
		}
	}

	top(item{kind: itemSeparator})
	auto := item{kind: itemCheckbox, label: t.startAtLogin, checked: in.autostart.installed,
		act: action{kind: actToggleAutostart, want: !in.autostart.installed}}
	if !in.autostart.available {
		auto.disabled, auto.checked = true, false
		why := in.autostart.why
		if why == "" {
			why = t.autostartUnavailable
		}
		auto.label = fmt.Sprintf("%s (%s)", t.startAtLogin, why)
	}
	top(auto)
	top(item{label: t.openMagister, act: action{kind: actOpenMagister}, disabled: noAccounts})
	top(item{label: t.quit, act: action{kind: actQuit}})

	icon := assets.Normal
	switch {
	case noAccounts || loginNeeded || (failing && s.Health.ConsecutiveFailures >= attentionFailures):
		icon = assets.Attention
	case paused:
		icon = assets.Paused
	case unread > 0:
		icon = assets.Unread
	}

	tooltip := "magister-notify"
	switch {
	case problem != nil:
		tooltip += ": " + problem.label
	case !s.Health.LastSuccess.IsZero():
		tooltip = fmt.Sprintf(t.lastChecked, clock(s.Health.LastSuccess))
	}
	if paused {
		tooltip += "\n" + fmt.Sprintf(t.pausedUntil, clock(s.Settings.PauseUntil))
	}
	return model{icon: icon, tooltip: tooltip, items: items}
}

// recentHistory is the newest RecentLimit history entries, newest first.
func recentHistory(h []state.Entry) []state.Entry {
	h = slices.Clone(h)
	slices.SortStableFunc(h, func(a, b state.Entry) int { return b.Delivered.Compare(a.Delivered) })
	if len(h) > RecentLimit {
		h = h[:RecentLimit]
	}
	return h
}

// showChildren: a checkbox per child makes sense for parents, and whenever
// more than one child is watched.
func showChildren(accts []state.Account) bool {
	n := 0
	for _, a := range accts {
		if a.IsParent && len(a.Children) > 0 {
			return true
		}
		n += len(a.Children)
	}
	return n > 1
}

// clockText is "10:42" today, "gisteren 10:42"/"yesterday 10:42", else a date.
func clockText(tm, now time.Time, loc *time.Location, t texts) string {
	if loc == nil {
		loc = time.Local
	}
	tm, now = tm.In(loc), now.In(loc)
	y, m, d := tm.Date()
	ny, nm, nd := now.Date()
	switch {
	case y == ny && m == nm && d == nd:
		return tm.Format("15:04")
	case time.Date(y, m, d+1, 0, 0, 0, 0, loc).Equal(time.Date(ny, nm, nd, 0, 0, 0, 0, loc)):
		return t.yesterday + " " + tm.Format("15:04")
	case time.Date(y, m, d-1, 0, 0, 0, 0, loc).Equal(time.Date(ny, nm, nd, 0, 0, 0, 0, loc)):
		return t.tomorrow + " " + tm.Format("15:04")
	}
	return tm.Format("2006-01-02 15:04")
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// webURL is the Magister page the "Open Magister" item opens: the first
// account's start page.
func webURL(accts []state.Account) string {
	if len(accts) == 0 {
		return ""
	}
	return notifier.WebURL(accts[0], "")
}
