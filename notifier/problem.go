package notifier

import (
	"time"

	"github.com/magister-notify/magister-notify/state"
)

// KindProblem is the kind of a notification about the app itself: the user
// must sign in again, or Magister has been unreachable for a long time.
// With the icon hidden (GNOME without an extension, an overflow area) it is
// the only way a parent learns that nothing more will come.
const KindProblem = "problem"

// Problems the app announces, each once until it is fixed.
const (
	problemLogin       = "login"
	problemUnreachable = "unreachable"
)

// UnreachableAfter is how long checks must have failed before that is
// announced: a Magister maintenance evening is not news, a day is.
const UnreachableAfter = 6 * time.Hour

// announceProblem queues one notification when a problem begins that the
// user should know of, and none again until a check succeeds and the
// problem comes back. It runs inside the check's transaction, after Health
// was updated.
func (c *Checker) announceProblem(s *state.State, now time.Time, rep *Report) {
	h := &s.Health
	var problem string
	switch {
	case h.LoginRequired:
		problem = problemLogin
	case h.ConsecutiveFailures > 0 && !h.LastSuccess.IsZero() && now.Sub(h.LastSuccess) >= UnreachableAfter:
		problem = problemUnreachable
	}
	if problem == "" {
		if h.ConsecutiveFailures == 0 {
			h.Announced = "" // fixed: a new problem is news again
		}
		return
	}
	if h.Announced == problem {
		return
	}
	h.Announced = problem
	w := wording{Lang: c.lang(s.Settings)}
	e := state.Entry{Kind: KindProblem, Change: problem, Created: now, Batch: rep.Batch}
	switch problem {
	case problemLogin:
		e.Title = w.pick("Magister: opnieuw inloggen nodig", "Magister: please sign in again")
		// `login` needs the school; it is known here.
		login := "magister-notify login"
		if len(s.Accounts) > 0 {
			login += " --school " + s.Accounts[0].School
		}
		e.Body = w.pick("Tot je opnieuw inlogt komen er geen meldingen. Kies “Opnieuw inloggen…” in het menu, of: ",
			"No notifications come until you sign in again. Choose “Log in again…” in the menu, or: ") + login
	case problemUnreachable:
		e.Title = w.pick("Magister is al een tijd niet bereikbaar", "Magister has been unreachable for a while")
		e.Body = w.pick("Laatste geslaagde controle: ", "Last successful check: ") + w.clock(h.LastSuccess, true) +
			w.pick(". Er wordt steeds opnieuw geprobeerd.", ". It keeps trying.")
	}
	e.ID = "problem-" + problem + "-" + now.UTC().Format("20060102T150405")
	s.Outbox = append(s.Outbox, e)
	rep.Entries = append(rep.Entries, e)
	rep.Queued++
}
