// Package tray is the long-running part of magister-notify: a status icon
// with a menu (fyne.io/systray), a Scheduler that runs checks and
// deliveries on time, and a watch on the state directory so that the menu
// follows what CLI runs change within seconds. The state store is the only
// channel between the tray and the CLI.
//
// systray keeps process-wide state and allows one Run per process; its
// globals are confined to this package.
package tray

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/magister-notify/magister-notify/account"
	"github.com/magister-notify/magister-notify/state"
)

// pendingLoginFile is where account.StartLogin keeps a started login.
const pendingLoginFile = account.PendingLoginName

// loginWait is how long after "Log in again…" the tray watches for the
// login to complete: as long as a started login can be completed.
const loginWait = account.PendingLoginTTL

// BrowserError is returned by Config.Login when the login was started but
// the browser could not be opened: a person can still open URL by hand.
type BrowserError struct {
	URL string
	Err error
}

func (e *BrowserError) Error() string { return "open the browser: " + e.Err.Error() }

// Unwrap returns the reason the browser did not open.
func (e *BrowserError) Unwrap() error { return e.Err }

// ErrNoDesktop is returned by Run when there is no desktop session to show
// an icon in (on Linux: no D-Bus session bus).
var ErrNoDesktop = errors.New("tray: no desktop session")

// Autostart starts the tray at login. The installer package satisfies it.
type Autostart interface {
	// Status reports whether autostart is installed and whether it can be
	// at all (why not, if not).
	Status(ctx context.Context) (installed, available bool, why string, err error)
	Install(ctx context.Context) error
	Uninstall(ctx context.Context) error
}

// Config is what Run needs. Store, Check and Deliver are required.
type Config struct {
	Store *state.Store
	// Check runs one check (notifier.Checker.Check, with a fetch failure
	// returned as an error so that the scheduler backs off).
	Check func(ctx context.Context) error
	// Deliver runs one delivery round to the configured sinks.
	Deliver func(ctx context.Context) error
	// Login starts a new browser login for "Log in again…"; nil shows the
	// command to run instead. When the login is started but no browser
	// opens, it returns a *BrowserError with the address to open.
	Login func(ctx context.Context) error
	// Notify shows one desktop notification about the app itself (the
	// browser could not be opened); nil shows none.
	Notify func(ctx context.Context, title, body string) error
	// Autostart backs the "Start at login" item; nil shows it disabled.
	Autostart Autostart
	// OpenURL opens a Magister page in the browser.
	OpenURL func(url string) error
	// Now and Loc default to time.Now and time.Local.
	Now func() time.Time
	Loc *time.Location
	// Logger receives the tray's log (default: discard). The standard
	// library's logger, which systray writes to, is routed here during Run.
	Logger *slog.Logger
	// Interval, when positive, overrides the configured check interval (the
	// demo's 20 seconds; the setting's minimum is 5 minutes).
	Interval time.Duration
	// Title names the icon for the desktop (default "magister-notify").
	Title string
	// Getenv reads the locale, which chooses the menu's language when the
	// setting does not (state.ResolveLanguage; default os.Getenv).
	Getenv func(string) string
}

// Run shows the icon and runs checks until ctx ends or the user quits. It
// holds tray.lock for its whole life: a second tray on the same state
// directory gets an error matching state.ErrTrayRunning. Without a desktop
// session it returns an error matching ErrNoDesktop. Run must be called
// from the main goroutine, once per process.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Store == nil || cfg.Check == nil || cfg.Deliver == nil {
		return errors.New("tray: Store, Check and Deliver are required")
	}
	// `service start` takes a tray that holds its lock for a running one,
	// so a tray that cannot run must never hold it: the desktop is checked
	// first, after saying that another tray runs (that answer matters more).
	if pid, running := cfg.Store.TrayPID(); running {
		return &state.TrayRunningError{PID: pid}
	}
	if err := CheckDesktop(ctx); err != nil {
		return err
	}
	release, err := cfg.Store.LockTray(ctx)
	if err != nil {
		return err
	}
	defer release()
	t := newTray(cfg)
	defer routeStdLog(t.log)()
	return t.run(ctx)
}

// routeStdLog sends the standard logger (systray's) to l until the returned
// function restores it.
func routeStdLog(l *slog.Logger) (restore func()) {
	w, flags, prefix := log.Writer(), log.Flags(), log.Prefix()
	log.SetOutput(stdLogWriter{l})
	log.SetFlags(0)
	log.SetPrefix("")
	return func() {
		log.SetOutput(w)
		log.SetFlags(flags)
		log.SetPrefix(prefix)
	}
}

type stdLogWriter struct{ l *slog.Logger }

func (w stdLogWriter) Write(p []byte) (int, error) {
	w.l.Warn(strings.TrimSpace(string(p)), "from", "systray")
	return len(p), nil
}

// tray owns the menu state: one mutex guards it and every systray call, the
// menu is rebuilt from a model computed from the state, and one event loop
// turns clicks into actions for one worker.
type tray struct {
	cfg   Config
	log   *slog.Logger
	sched *Scheduler
	now   func() time.Time
	lang  string

	refreshCh chan struct{} // coalesced requests to re-read the state
	actions   chan action   // clicks, for the worker
	quit      context.CancelFunc

	mu         sync.Mutex
	ready      bool // systray called onReady: items may be created
	quitting   bool // systray is being stopped: items must not be created
	cur        model
	shown      model // what the items show now
	items      []menuItem
	loopCancel context.CancelFunc
	autostart  autostartInfo
	refreshed  bool      // refresh has read the state at least once
	accounts   string    // account keys seen last, to notice a login
	loginUntil time.Time // after "Log in again…": until when to watch for its completion
	loginAddr  string    // while loginUntil: the address to open by hand, when no browser opened
	stopPage   func()    // stops the loopback page behind loginAddr, or nil
	lastPlan   Plan
	expires    time.Time // when the model goes stale by itself (a pause ends)
}

func newTray(cfg Config) *tray {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Loc == nil {
		cfg.Loc = time.Local
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.Title == "" {
		cfg.Title = "magister-notify"
	}
	if cfg.OpenURL == nil {
		cfg.OpenURL = func(string) error { return errors.New("no browser opener") }
	}
	t := &tray{
		cfg:       cfg,
		log:       cfg.Logger,
		now:       cfg.Now,
		refreshCh: make(chan struct{}, 1),
		actions:   make(chan action, 16),
	}
	t.sched = &Scheduler{
		Check:    cfg.Check,
		Deliver:  cfg.Deliver,
		Plan:     t.plan,
		Now:      cfg.Now,
		Logger:   cfg.Logger,
		OnStatus: func(SchedulerStatus) { t.requestRefresh() },
	}
	return t
}

func (t *tray) plan(ctx context.Context) (Plan, error) {
	s, err := t.cfg.Store.Load(ctx)
	if err != nil {
		return Plan{}, err
	}
	return PlanFrom(s, t.now(), t.cfg.Interval), nil
}

// run starts the workers, then the systray loop, which returns after Quit.
func (t *tray) run(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	t.quit = cancel
	t.log.Info("tray starting", "pid", os.Getpid(), "state", t.cfg.Store.Dir())
	if NoIcon != "" {
		t.log.Warn(NoIcon)
	}

	// The first menu is computed before systray runs, so that onReady only
	// draws (GetLayout blocks until onReady returns).
	t.autostart = t.autostartStatus(ctx)
	t.refresh(ctx)

	var wg sync.WaitGroup
	start := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	start(func() { t.sched.Run(ctx) })
	start(func() { watchState(ctx, t.cfg.Store.Dir(), t.requestRefresh, t.log) })
	start(func() { t.refresher(ctx) })
	start(func() { t.worker(ctx) })
	start(func() { keepRegistered(ctx, t.log) })

	stopped := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-stopped:
		}
		t.mu.Lock()
		t.ready, t.quitting = false, true // no more systray calls
		t.mu.Unlock()
		systrayQuit()
	}()
	err := runSystray(t.cfg.Title, t.onReady)
	close(stopped)
	cancel()
	t.mu.Lock()
	t.endLoginPage()
	t.mu.Unlock()
	// Let a check or delivery in progress end (they stop with ctx), but
	// never hold up the exit for long: the locks die with the process.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.log.Warn("quitting while work was still stopping")
	}
	t.log.Info("tray stopped")
	return err
}

// onReady draws the first menu. It must not block.
func (t *tray) onReady() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.quitting {
		return
	}
	t.ready = true
	t.render()
}

func (t *tray) requestRefresh() {
	select {
	case t.refreshCh <- struct{}{}:
	default:
	}
}

// refresher re-reads the state when asked, and when the model expires by
// itself (the end of a pause).
func (t *tray) refresher(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		t.mu.Lock()
		exp := t.expires
		t.mu.Unlock()
		wait := time.Hour
		if !exp.IsZero() {
			wait = min(max(exp.Sub(t.now())+time.Second, 0), time.Hour)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-t.refreshCh:
		case <-timer.C:
		}
		t.refresh(ctx)
	}
}

// refresh reads the state, recomputes the model and redraws what changed.
func (t *tray) refresh(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := t.cfg.Store.Load(ctx)
	if err != nil {
		if ctx.Err() == nil {
			t.log.Warn("read the state for the menu", "err", err)
		}
		return
	}
	now := t.now()
	lang := state.ResolveLanguage(st.Settings.Language, t.cfg.Getenv)
	plan := PlanFrom(st, now, t.cfg.Interval)

	var keys []string
	for _, a := range st.Accounts {
		keys = append(keys, a.Key)
	}
	accounts := strings.Join(keys, "\n")

	t.mu.Lock()
	first := !t.refreshed
	newAccount := !first && accounts != t.accounts && accounts != ""
	// After "Log in again…", the login is complete once its pending file is
	// gone (the m6loapp:// handler or `login --redirect-url` removes it).
	loginDone := false
	if !t.loginUntil.IsZero() {
		_, err := os.Stat(filepath.Join(t.cfg.Store.Dir(), pendingLoginFile))
		if loginDone = errors.Is(err, fs.ErrNotExist); loginDone || now.After(t.loginUntil) {
			t.loginUntil = time.Time{}
			t.endLoginPage()
		}
	}
	in := modelInput{
		state: st, now: now, loc: t.cfg.Loc, lang: lang, sched: t.sched.Status(),
		autostart: t.autostart, canLogin: t.cfg.Login != nil, readUntil: st.ReadUntil, loginAddr: t.loginAddr,
	}
	t.cur = buildModel(in)
	t.lang = lang
	t.expires = time.Time{}
	if st.Settings.Paused(now) {
		t.expires = st.Settings.PauseUntil
	}
	if !t.loginUntil.IsZero() && (t.expires.IsZero() || t.loginUntil.Before(t.expires)) {
		t.expires = t.loginUntil // the address line goes when the login expires
	}
	replan := !first && !samePlan(plan, t.lastPlan, now)
	t.accounts, t.lastPlan, t.refreshed = accounts, plan, true
	if t.ready {
		t.render()
	}
	t.mu.Unlock()

	if replan {
		t.sched.Replan()
	}
	if newAccount || loginDone {
		// Someone signed in (the CLI, or the handler after "Log in again…"):
		// take stock at once rather than at the next interval.
		t.sched.CheckNow()
	}
}

// samePlan ignores DeliverAt moving while it stays in the past: "due now"
// is the same plan whenever it is read.
func samePlan(a, b Plan, now time.Time) bool {
	if a.Interval != b.Interval || !a.RetryAt.Equal(b.RetryAt) {
		return false
	}
	if a.DeliverAt.IsZero() || b.DeliverAt.IsZero() {
		return a.DeliverAt.IsZero() == b.DeliverAt.IsZero()
	}
	if !a.DeliverAt.After(now) && !b.DeliverAt.After(now) {
		return true
	}
	return a.DeliverAt.Equal(b.DeliverAt)
}

// worker carries out clicks one at a time, off the event loop, so that the
// event loop is always ready to receive the next click.
func (t *tray) worker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case a := <-t.actions:
			t.do(ctx, a)
		}
	}
}

func (t *tray) do(ctx context.Context, a action) {
	log := t.log.With("action", a.kind.String())
	switch a.kind {
	case actQuit:
		log.Info("quit from the menu")
		t.quit()
		return
	case actCheckNow:
		t.sched.CheckNow()
		return
	case actOpenURL, actOpenMagister:
		url := a.arg
		if a.kind == actOpenMagister {
			s, err := t.cfg.Store.Load(ctx)
			if err != nil {
				log.Warn("read the state for Open Magister", "err", err)
				return
			}
			url = webURL(s.Accounts)
		}
		if url == "" {
			return
		}
		if err := t.cfg.OpenURL(url); err != nil {
			log.Warn("open the browser", "err", err)
		}
		return
	case actMarkRead:
		// Kept in the state, so a restart or the CLI agree on what is new.
		now := t.now()
		if err := t.cfg.Store.Update(ctx, func(s *state.State) error { s.ReadUntil = now; return nil }); err != nil {
			log.Warn("mark all as read", "err", err)
		}
		t.requestRefresh()
		return
	case actLogin:
		if t.cfg.Login == nil {
			return
		}
		lctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		err := t.cfg.Login(lctx)
		var be *BrowserError
		if err != nil && !errors.As(err, &be) {
			log.Warn("start the login", "err", err)
			return
		}
		t.mu.Lock()
		t.loginUntil = t.now().Add(loginWait)
		t.endLoginPage()
		t.mu.Unlock()
		if be != nil {
			log.Warn("the browser did not open for the sign-in", "err", be.Err)
			t.noBrowser(ctx, be.URL)
		}
		return
	case actToggleAutostart:
		t.toggleAutostart(ctx, a.want, log)
		t.requestRefresh()
		return
	}
	// The rest change the settings, by the state's own rules.
	now := t.now().In(t.cfg.Loc)
	err := t.cfg.Store.Update(ctx, func(s *state.State) error { return a.apply(s, now) })
	if err != nil {
		log.Warn("change the state", "err", err)
		return
	}
	log.Info("changed from the menu", "arg", a.arg, "child", a.child.String())
	t.sched.Replan()
	t.refresh(ctx)
}

// noBrowser tells that the browser did not open for a started login: the
// menu's line shows an address to open by hand (a short loopback one that
// sends the browser on, when it can be served: the login's own is several
// hundred characters), and a notification says so.
func (t *tray) noBrowser(ctx context.Context, url string) {
	addr := url
	if page, stop, err := serveLoginPage(url); err == nil {
		addr = page
		t.mu.Lock()
		t.stopPage = stop
		t.mu.Unlock()
	} else {
		t.log.Warn("serve the sign-in address on loopback", "err", err)
	}
	t.mu.Lock()
	t.loginAddr = addr
	txt := textsFor(t.lang)
	t.mu.Unlock()
	t.refresh(ctx)
	if t.cfg.Notify == nil {
		return
	}
	nctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := t.cfg.Notify(nctx, txt.noBrowserTitle, fmt.Sprintf(txt.noBrowserBody, addr)); err != nil {
		t.log.Warn("notify that the browser did not open", "err", err)
	}
}

// endLoginPage forgets the address of a login and stops its page. t.mu is
// held.
func (t *tray) endLoginPage() {
	if t.stopPage != nil {
		t.stopPage()
	}
	t.loginAddr, t.stopPage = "", nil
}

// serveLoginPage serves a short address on loopback that sends a browser on
// to target, until stop is called.
func serveLoginPage(target string) (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.RedirectHandler(target, http.StatusFound), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/", func() { srv.Close() }, nil
}

// Click is a click on a menu item that changes the settings: Item is the
// item's action ("pause", "pause-tomorrow", "resume", "toggle-kind",
// "toggle-child"), Kind the kind and Child the child it toggles, On the
// checkbox state it asks for.
type Click struct {
	Item  string
	Kind  string
	Child state.ChildRef
	On    bool
}

// ApplyClick changes s the way the menu's worker does for c at now (in the
// menu's location), so that tests can hold the menu and the CLI to the same
// result.
func ApplyClick(s *state.State, c Click, now time.Time) error {
	k := slices.Index(actionNames[:], c.Item)
	if k < 0 {
		return fmt.Errorf("tray: no menu item %q", c.Item)
	}
	return action{kind: actionKind(k), arg: c.Kind, child: c.Child, want: c.On}.apply(s, now)
}

// apply makes the change of a settings click in s at now (in the menu's
// location): the same state methods `config`, `pause` and `resume` use.
func (a action) apply(s *state.State, now time.Time) error {
	switch a.kind {
	case actPause:
		return s.Settings.Pause(now, state.DefaultPause)
	case actPauseTomorrow:
		s.Settings.PauseUntilTomorrow(now)
	case actResume:
		s.Settings.Resume(now)
	case actToggleKind:
		return s.Settings.SetKind(a.arg, a.want)
	case actToggleChild:
		return s.MuteChild(a.child, !a.want)
	default:
		return fmt.Errorf("tray: %s does not change the settings", a.kind)
	}
	return nil
}

func (t *tray) autostartStatus(ctx context.Context) autostartInfo {
	if t.cfg.Autostart == nil {
		return autostartInfo{}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	installed, available, why, err := t.cfg.Autostart.Status(ctx)
	if err != nil {
		t.log.Warn("autostart status", "err", err)
		if why == "" {
			why = err.Error()
		}
	}
	return autostartInfo{available: available, installed: installed, why: why}
}

func (t *tray) toggleAutostart(ctx context.Context, want bool, log *slog.Logger) {
	if t.cfg.Autostart == nil {
		return
	}
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var err error
	if want {
		err = t.cfg.Autostart.Install(actx)
	} else {
		err = t.cfg.Autostart.Uninstall(actx)
	}
	if err != nil {
		log.Warn("change autostart", "install", want, "err", err)
	}
	info := t.autostartStatus(ctx)
	t.mu.Lock()
	t.autostart = info
	t.mu.Unlock()
}
