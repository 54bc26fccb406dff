package tray

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
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
	parent int
	// twin is, for a submenu drawn twice (see steady), the index of
	// its other copy; 0 otherwise (the first item is never a submenu).
	twin     int
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
	loginAddr string    // the address of a started login to open by hand, or ""
}

// facts are what the parts of the model are derived from.
type facts struct {
	in          modelInput
	t           texts
	s           state.State
	unread      int
	paused      bool
	loginNeeded bool
	failing     bool
	noAccounts  bool
}

func (f facts) clock(tm time.Time) string { return clockText(tm, f.in.now, f.in.loc, f.t) }

func factsOf(in modelInput) facts {
	s := in.state
	f := facts{in: in, t: textsFor(in.lang), s: s}
	for _, e := range s.History {
		if e.Delivered.After(in.readUntil) {
			f.unread++
		}
	}
	f.paused = s.Settings.Paused(in.now)
	f.loginNeeded = s.Health.LoginRequired || errors.Is(in.sched.LastErr, magister.ErrLoginRequired) ||
		errors.Is(in.sched.LastErr, magister.ErrNoToken)
	f.failing = s.Health.LastError != "" && s.Health.LastAttempt.After(s.Health.LastSuccess)
	f.noAccounts = len(s.Accounts) == 0
	return f
}

// buildModel computes the menu, icon and tooltip.
func buildModel(in modelInput) model {
	f := factsOf(in)
	problem := f.problemItem()
	return model{icon: f.icon(), tooltip: f.tooltip(), items: f.items(problem)}
}

// statusLine is the first line of the menu: how the checks go, what is new,
// whether notifications are paused.
func (f facts) statusLine() string {
	t, h := f.t, f.s.Health
	var status string
	switch {
	case f.in.sched.Checking:
		status = t.checking
	case f.noAccounts:
		status = t.notSignedIn
	case h.LastSuccess.IsZero() && h.LastAttempt.IsZero():
		status = t.notCheckedYet
	case f.failing:
		status = fmt.Sprintf(t.checkFailedAt, f.clock(h.LastAttempt))
	default:
		status = fmt.Sprintf(t.checkedAt, f.clock(h.LastSuccess))
	}
	if f.unread > 0 {
		status += " · " + fmt.Sprintf(t.nNew, f.unread)
	}
	if f.paused {
		status += " · " + fmt.Sprintf(t.pausedUntil, f.clock(f.s.Settings.PauseUntil))
	}
	return status
}

// problemItem is the one actionable item about what is wrong, or nil.
func (f facts) problemItem() *item {
	t, h := f.t, f.s.Health
	switch {
	case f.noAccounts:
		return &item{label: t.signInHint, disabled: true}
	case f.loginNeeded && f.in.canLogin && f.in.loginAddr != "":
		// The browser did not open: the address to open by hand (a click
		// tries the browser again).
		return &item{label: fmt.Sprintf(t.openAddress, f.in.loginAddr), act: action{kind: actLogin}}
	case f.loginNeeded && f.in.canLogin:
		return &item{label: t.loginAgain, act: action{kind: actLogin}}
	case f.loginNeeded:
		return &item{label: t.loginAgainCLI, disabled: true}
	case f.failing:
		retry := later(f.in.sched.NextCheck, h.RetryAt)
		what := f.failure()
		label := what
		// A retry time already past (the check is late or running) would
		// read as a promise broken: leave it out.
		if retry.After(f.in.now) {
			label = fmt.Sprintf(t.retryingAt, what, f.clock(retry))
		}
		return &item{label: label, act: action{kind: actCheckNow}}
	}
	return nil
}

// nextCheckLine is the second line when nothing is wrong: when the next
// check is due.
func (f facts) nextCheckLine() string {
	if next := f.in.sched.NextCheck; next.After(f.in.now) {
		return fmt.Sprintf(f.t.nextCheckAt, f.clock(next))
	}
	return f.t.nextCheckSoon
}

// items is the menu in its fixed shape (see model.sameShape).
func (f facts) items(problem *item) []item {
	t, s := f.t, f.s
	var items []item
	add := func(it item) int {
		items = append(items, it)
		return len(items) - 1
	}
	top := func(it item) int { it.parent = -1; return add(it) }
	sub := func(parent int, it item) { it.parent = parent; add(it) }

	top(item{label: f.statusLine(), disabled: true})
	// The problem's line is always there (showing the next check when
	// nothing is wrong), so that a problem does not move the items below.
	if problem != nil {
		top(*problem)
	} else {
		top(item{label: f.nextCheckLine(), disabled: true})
	}
	top(item{kind: itemSeparator})

	// Recent twice, the second copy hidden: see steady.
	recent := top(item{kind: itemSubmenu, label: t.recent})
	for _, it := range f.recentItems() {
		sub(recent, it)
	}
	spare := top(item{kind: itemSubmenu, label: t.recent, hidden: true})
	for _, it := range f.recentItems() {
		sub(spare, it)
	}
	items[recent].twin, items[spare].twin = spare, recent

	top(item{label: t.checkNow, act: action{kind: actCheckNow}, disabled: f.in.sched.Checking || f.noAccounts})

	pause := top(item{kind: itemSubmenu, label: t.pause})
	sub(pause, item{label: t.pauseHour, act: action{kind: actPause}})
	sub(pause, item{label: t.pauseTomorrow, act: action{kind: actPauseTomorrow}})
	sub(pause, item{label: t.resume, act: action{kind: actResume}, disabled: !f.paused})

	top(item{kind: itemSeparator})
	for _, kind := range state.Kinds {
		on := s.KindOn(kind)
		top(item{kind: itemCheckbox, label: t.kinds[kind], checked: on,
			act: action{kind: actToggleKind, arg: kind, want: !on}})
	}
	for _, it := range f.childItems() {
		top(it)
	}

	top(item{kind: itemSeparator})
	top(f.autostartItem())
	top(item{label: t.openMagister, act: action{kind: actOpenMagister}, disabled: f.noAccounts})
	top(item{label: t.quit, act: action{kind: actQuit}})
	return items
}

// recentItems is the Recent submenu: always RecentLimit history slots.
func (f facts) recentItems() []item {
	t := f.t
	hist := recentHistory(f.s.History)
	items := []item{{label: t.noneYet, disabled: true, hidden: len(hist) > 0}}
	for i := range RecentLimit {
		if i >= len(hist) {
			items = append(items, item{hidden: true})
			continue
		}
		e := hist[i]
		label := truncate(e.Title, 60)
		if e.Delivered.After(f.in.readUntil) {
			label = "• " + label
		}
		items = append(items, item{label: label, act: action{kind: actOpenURL, arg: e.URL}, disabled: e.URL == ""})
	}
	items = append(items, item{kind: itemSeparator})
	return append(items, item{label: t.markAllRead, act: action{kind: actMarkRead}, disabled: f.unread == 0})
}

// childItems are the child checkboxes: at least childSlots, hidden when unused.
func (f facts) childItems() []item {
	var kids []item
	if showChildren(f.s.Accounts) {
		for _, a := range f.s.Accounts {
			for _, c := range a.Children {
				kids = append(kids, item{kind: itemCheckbox, label: fmt.Sprintf(f.t.childFmt, c.FirstName), checked: !c.Muted,
					act: action{kind: actToggleChild, child: state.ChildRef{Account: a.Key, ID: c.ID}, want: c.Muted}})
			}
		}
	}
	for len(kids) < childSlots {
		kids = append(kids, item{kind: itemCheckbox, hidden: true})
	}
	return kids
}

// autostartItem is the "Start at login" checkbox.
func (f facts) autostartItem() item {
	t, as := f.t, f.in.autostart
	auto := item{kind: itemCheckbox, label: t.startAtLogin, checked: as.installed,
		act: action{kind: actToggleAutostart, want: !as.installed}}
	if !as.available {
		auto.disabled, auto.checked = true, false
		why := as.why
		if why == "" {
			why = t.autostartUnavailable
		}
		auto.label = fmt.Sprintf("%s (%s)", t.startAtLogin, why)
	}
	return auto
}

// icon is the icon's state. Attention wins over paused (a paused tray
// still needs the user to sign in again) and keeps the unread dot; paused
// hides the dot, as it hides notifications (the tooltip still counts them).
func (f facts) icon() string {
	switch {
	case f.needsAttention() && f.unread > 0:
		return assets.AttentionUnread
	case f.needsAttention():
		return assets.Attention
	case f.paused:
		return assets.Paused
	case f.unread > 0:
		return assets.Unread
	}
	return assets.Normal
}

// needsAttention: nobody is signed in, a sign-in expired, or checks keep
// failing.
func (f facts) needsAttention() bool {
	return f.noAccounts || f.loginNeeded || (f.failing && f.s.Health.ConsecutiveFailures >= attentionFailures)
}

// failure says why checks fail: Magister is unreachable, or asked us to
// wait.
func (f facts) failure() string {
	if f.s.Health.RateLimited {
		return f.t.rateLimited
	}
	return f.t.unreachable
}

// problemReason is what is wrong, in words: the reason the problem line
// gives, without its action ("Log in again…") or retry time; "" when all
// is well.
func (f facts) problemReason() string {
	switch {
	case f.noAccounts:
		return f.t.notSignedIn
	case f.loginNeeded:
		return f.t.loginExpired
	case f.failing:
		return f.failure()
	}
	return ""
}

// tooltipMax is the longest tooltip, in UTF-16 units: Windows' notification
// area holds 127 and systray cuts a longer one without ending it.
const tooltipMax = 127

// tooltip is what hovering the icon tells, a line for each: the app and
// what is new, what is wrong, then when the last check succeeded and until
// when notifications are paused.
func (f facts) tooltip() string {
	t := f.t
	head := appName
	if f.unread > 0 {
		head += " · " + fmt.Sprintf(t.nNew, f.unread)
	}
	lines := []string{head}
	if r := f.problemReason(); r != "" {
		lines = append(lines, r)
	}
	var when []string
	if h := f.s.Health; !h.LastSuccess.IsZero() {
		when = append(when, fmt.Sprintf(t.lastChecked, f.clock(h.LastSuccess)))
	}
	if f.paused {
		when = append(when, fmt.Sprintf(t.pausedUntil, f.clock(f.s.Settings.PauseUntil)))
	}
	if len(when) > 0 {
		lines = append(lines, capitalize(strings.Join(when, " · ")))
	}
	return cutUTF16(strings.Join(lines, "\n"), tooltipMax)
}

// appName names the app in the tooltip.
const appName = "magister-notify"

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

// cutUTF16 shortens s to at most n UTF-16 units, ending it with "…" when
// it cuts, and never inside a character.
func cutUTF16(s string, n int) string {
	if len(utf16.Encode([]rune(s))) <= n {
		return s
	}
	units := 1 // the ellipsis
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i] + "…"
		}
	}
	return s
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

// steady is next as it is to be drawn over shown, for a menu that may be
// open while it changes. A GTK host (libdbusmenu-gtk) does not resize an
// open menu: an entry that appears in an open submenu leaves it at its old
// size, with a scroll arrow, blank rows and clipped text. So a submenu
// whose entries change (Recent, when a notification arrives) is not
// changed while it is shown: the new entries go into its hidden twin,
// which then takes its place, and the shown copy is hidden unchanged.
// gtk-sni-tray leaves the popup of an open copy on screen as it was (old
// entries, its own size, still clickable) until the pointer goes back to
// "Recent", which then opens the new copy at the right size. Items of a
// submenu drawn once are left as next has them.
func steady(shown, next model) model {
	if !next.sameShape(shown) {
		return next
	}
	out := model{icon: next.icon, tooltip: next.tooltip, items: slices.Clone(next.items)}
	for a, it := range next.items {
		b := it.twin
		if it.kind != itemSubmenu || b <= a {
			continue // not twinned, or the pair's second copy
		}
		// next has the entries in copy a; the host shows one of a and b.
		cur := a
		if shown.items[a].hidden {
			cur = b
		}
		want := cur
		if !sameItems(shown.items, shown.children(cur), next.items, next.children(a)) {
			want = a + b - cur
		}
		other := a + b - want
		out.copySubmenu(want, next, a, false)
		out.copySubmenu(other, shown, other, true)
	}
	return out
}

// children is the indexes of the items of submenu p, in order.
func (m model) children(p int) []int {
	var out []int
	for i, it := range m.items {
		if it.parent == p {
			out = append(out, i)
		}
	}
	return out
}

// copySubmenu makes submenu dst of m show what submenu src of from shows,
// itself hidden or not. The two have the same shape.
func (m model) copySubmenu(dst int, from model, src int, hidden bool) {
	it := from.items[src]
	it.parent, it.twin, it.hidden = m.items[dst].parent, m.items[dst].twin, hidden
	m.items[dst] = it
	srcKids := from.children(src)
	for k, i := range m.children(dst) {
		c := from.items[srcKids[k]]
		c.parent = dst
		m.items[i] = c
	}
}

// sameItems reports whether the items at indexes ia of a look the same as
// those at ib of b.
func sameItems(a []item, ia []int, b []item, ib []int) bool {
	return slices.EqualFunc(ia, ib, func(i, j int) bool {
		x, y := a[i], b[j]
		return x.kind == y.kind && x.label == y.label && x.checked == y.checked &&
			x.disabled == y.disabled && x.hidden == y.hidden && x.act == y.act
	})
}
