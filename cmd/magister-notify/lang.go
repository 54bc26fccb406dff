package main

import (
	"os"

	"github.com/magister-notify/magister-notify/state"
)

// The CLI speaks the language every other part of magister-notify speaks,
// by the one rule state.ResolveLanguage: the language setting, else the
// locale, else Dutch. Each text is written in both languages side by side
// where it is used: say("Nothing was paused.", "Er was niets gepauzeerd.").
// cobra's own help, usage and flag texts stay English; --json output is the
// same in both languages.

// say is en when lang is "en", else nl.
func say(lang, en, nl string) string {
	if lang == "en" {
		return en
	}
	return nl
}

// say is en or nl, in the CLI's language.
func (a *app) say(en, nl string) string { return say(a.lang(), en, nl) }

// lang is the CLI's language, "nl" or "en". A command that reads the state
// anyway sets it from there (useSettings); otherwise the first question
// reads the setting straight from the state file, without the lock and
// without changing anything (state.LanguageSetting), and when that file
// cannot be read the locale decides.
func (a *app) lang() string {
	if a.language == "" {
		a.language = a.fileLanguage()
	}
	return a.language
}

// fileLanguage is the language by the setting in the state file (read
// without the lock, changing nothing), else by the locale.
func (a *app) fileLanguage() string {
	var setting string
	if dir, err := a.dir(); err == nil {
		setting, _ = state.LanguageSetting(dir)
	}
	return state.ResolveLanguage(setting, a.env())
}

// env is a.getenv, or os.Getenv when none was set.
func (a *app) env() func(string) string {
	if a.getenv == nil {
		return os.Getenv
	}
	return a.getenv
}

// useSettings takes the CLI's language from settings a command has read,
// so that it reads nothing more for its words.
func (a *app) useSettings(s state.Settings) {
	a.language = state.ResolveLanguage(s.Language, a.env())
}

// useLanguage takes the CLI's language from a check's report (already
// resolved: notifier.Report.Language).
func (a *app) useLanguage(lang string) {
	if lang != "" {
		a.language = lang
	}
}

// inWords is an error said in the user's words and language (a failed
// check, a refused setting); the error itself stays underneath, for the
// exit code and --verbose.
type inWords struct {
	words string
	err   error
}

func (e *inWords) Error() string { return e.words }
func (e *inWords) Unwrap() error { return e.err }
