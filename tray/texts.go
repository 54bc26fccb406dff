package tray

import (
	"github.com/magister-notify/magister-notify/state"
)

// texts are the menu's words in one language.
type texts struct {
	checking, notSignedIn, notCheckedYet    string
	checkedAt, checkFailedAt, nNew          string // %s clock, %s clock, %d count
	pausedUntil                             string // %s clock
	signInHint, loginAgain, loginAgainCLI   string
	loginExpired                            string
	openAddress                             string // %s address
	noBrowserTitle, noBrowserBody           string // noBrowserBody: %s address
	unreachable, rateLimited, retryingAt    string // retryingAt: %s what, %s clock
	nextCheckAt, nextCheckSoon              string // nextCheckAt: %s clock
	recent, noneYet, markAllRead            string
	checkNow                                string
	pause, pauseHour, pauseTomorrow, resume string
	kinds                                   map[string]string
	childFmt                                string // %s first name
	startAtLogin, autostartUnavailable      string
	openMagister, quit                      string
	lastChecked                             string // %s clock
	yesterday, tomorrow                     string
}

var english = texts{
	checking:      "Checking…",
	notSignedIn:   "Not signed in",
	notCheckedYet: "Not checked yet",
	checkedAt:     "Checked %s",
	checkFailedAt: "Check failed at %s",
	nNew:          "%d new",
	pausedUntil:   "paused until %s",
	signInHint:    "Sign in with: magister-notify login --school <school>",
	loginAgain:    "Log in again…",
	loginAgainCLI: "Log in again: magister-notify login",
	loginExpired:  "Sign-in expired",
	openAddress:   "Open in a browser to log in: %s",

	noBrowserTitle: "The browser could not be opened",
	noBrowserBody:  "To log in again, open this address in a browser: %s",

	unreachable:   "Magister unreachable",
	rateLimited:   "Magister asked us to wait",
	retryingAt:    "%s — retrying at %s",
	nextCheckAt:   "Next check at %s",
	nextCheckSoon: "Next check shortly",
	recent:        "Recent",
	noneYet:       "No notifications yet",
	markAllRead:   "Mark all as read",
	checkNow:      "Check now",
	pause:         "Pause notifications",
	pauseHour:     "1 hour",
	pauseTomorrow: "Until tomorrow 07:00",
	resume:        "Resume",
	kinds: map[string]string{
		state.KindGrades: "Grades", state.KindSchedule: "Schedule changes", state.KindTests: "Tests",
		state.KindHomework: "Homework", state.KindMessages: "Messages", state.KindPreview: "Tomorrow at a glance",
	},
	childFmt:             "Notifications for %s",
	startAtLogin:         "Start at login",
	autostartUnavailable: "autostart unavailable",
	openMagister:         "Open Magister",
	quit:                 "Quit",
	lastChecked:          "Last checked %s",
	yesterday:            "yesterday",
	tomorrow:             "tomorrow",
}

var dutch = texts{
	checking:      "Bezig met controleren…",
	notSignedIn:   "Niet ingelogd",
	notCheckedYet: "Nog niet gecontroleerd",
	checkedAt:     "Gecontroleerd %s",
	checkFailedAt: "Controle mislukt om %s",
	nNew:          "%d nieuw",
	pausedUntil:   "gepauzeerd tot %s",
	signInHint:    "Log in met: magister-notify login --school <school>",
	loginAgain:    "Opnieuw inloggen…",
	loginAgainCLI: "Opnieuw inloggen: magister-notify login",
	loginExpired:  "Login verlopen",
	openAddress:   "Open in een browser om in te loggen: %s",

	noBrowserTitle: "De browser kon niet worden geopend",
	noBrowserBody:  "Open dit adres in een browser om opnieuw in te loggen: %s",

	unreachable:   "Magister onbereikbaar",
	rateLimited:   "Magister vraagt ons te wachten",
	retryingAt:    "%s — nieuwe poging om %s",
	nextCheckAt:   "Volgende controle om %s",
	nextCheckSoon: "Volgende controle zo meteen",
	recent:        "Recent",
	noneYet:       "Nog geen meldingen",
	markAllRead:   "Alles als gelezen markeren",
	checkNow:      "Nu controleren",
	pause:         "Meldingen pauzeren",
	pauseHour:     "1 uur",
	pauseTomorrow: "Tot morgen 07:00",
	resume:        "Hervatten",
	kinds: map[string]string{
		state.KindGrades: "Cijfers", state.KindSchedule: "Roosterwijzigingen", state.KindTests: "Toetsen",
		state.KindHomework: "Huiswerk", state.KindMessages: "Berichten", state.KindPreview: "Morgen in het kort",
	},
	childFmt:             "Meldingen voor %s",
	startAtLogin:         "Starten bij inloggen",
	autostartUnavailable: "automatisch starten niet beschikbaar",
	openMagister:         "Magister openen",
	quit:                 "Afsluiten",
	lastChecked:          "Laatst gecontroleerd %s",
	yesterday:            "gisteren",
	tomorrow:             "morgen",
}

func textsFor(lang string) texts {
	if lang == "nl" {
		return dutch
	}
	return english
}
