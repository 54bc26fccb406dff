package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/magister-notify/magister-notify/internal/plainfile"
)

// Languages lists the languages magister-notify speaks.
var Languages = []string{"nl", "en"}

// LanguageAuto is what `config set language` takes for "no choice": the
// setting is cleared and the locale decides (see ResolveLanguage).
const LanguageAuto = "auto"

// ResolveLanguage is the one rule for the language of everything
// magister-notify says to people: the tray's menu, the notifications, the
// demo and the CLI. It returns "nl" or "en":
//
//   - the Language setting, when it is one of Languages;
//   - else the locale: the first of LC_ALL, LC_MESSAGES and LANG that is set
//     (the order POSIX gives them). A locale whose language is Dutch
//     (nl_NL.UTF-8, nl_BE, nl) is Dutch; any other language is English;
//   - else DefaultLanguage, Dutch: this app is for Dutch schools.
//
// The "C" and "POSIX" locales, with or without a codeset (C.UTF-8), name no
// language: they are what containers, service managers and minimal systems
// set when nobody chose. They count as no choice and give DefaultLanguage;
// so does a system without these variables (Windows, macOS apps). getenv is
// os.Getenv outside tests.
func ResolveLanguage(setting string, getenv func(string) string) string {
	if slices.Contains(Languages, setting) {
		return setting
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc := getenv(v); loc != "" {
			return localeLanguage(loc)
		}
	}
	return DefaultLanguage
}

// localeLanguage is the language of a locale name such as nl_NL.UTF-8:
// language[_territory][.codeset][@modifier].
func localeLanguage(loc string) string {
	lang := loc
	if i := strings.IndexAny(lang, "_.@"); i >= 0 {
		lang = lang[:i]
	}
	switch strings.ToLower(lang) {
	case "c", "posix":
		return DefaultLanguage
	case "nl":
		return "nl"
	}
	return "en"
}

// SetLanguage sets the language: one of Languages, or LanguageAuto to
// follow the locale (see ResolveLanguage).
func (s *Settings) SetLanguage(v string) error {
	switch {
	case v == LanguageAuto:
		s.Language = ""
	case slices.Contains(Languages, v):
		s.Language = v
	default:
		return refuse("language %q: use %s or %s", "taal %q: gebruik %s of %s", v, strings.Join(Languages, ", "), LanguageAuto)
	}
	return nil
}

// LanguageSetting reads the language setting of the state file in dir for
// a process that needs nothing else from it: the CLI, to choose its words
// before (or without) reading the state. It takes no lock, because the file
// is only ever replaced whole by a rename, so it sees one complete version;
// and it changes nothing, not even a damaged file, which Update quarantines.
// A missing file gives "" and no error; a file it cannot read or decode
// gives an error, and the caller goes by the locale.
func LanguageSetting(dir string) (string, error) {
	data, err := plainfile.ReadFile(filepath.Join(dir, FileName), MaxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("state: read %s: %w", filepath.Join(dir, FileName), err)
	}
	var v struct {
		Settings struct {
			Language string `json:"language"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return "", fmt.Errorf("state: %s: %w", filepath.Join(dir, FileName), err)
	}
	return v.Settings.Language, nil
}
