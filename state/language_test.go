package state

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestResolveLanguage(t *testing.T) {
	for _, c := range []struct {
		setting                 string
		lcAll, lcMessages, lang string
		want                    string
	}{
		// No setting: the locale decides.
		{"", "", "", "nl_NL.UTF-8", "nl"},
		{"", "", "", "nl_BE", "nl"},
		{"", "", "", "nl", "nl"},
		{"", "", "", "en_US.UTF-8", "en"},
		{"", "", "", "en_GB", "en"},
		{"", "", "", "de_DE.UTF-8", "en"},
		{"", "", "", "nds_DE.UTF-8", "en"}, // Low German is not Dutch
		// C and POSIX name no language: the default, Dutch.
		{"", "", "", "C", "nl"},
		{"", "", "", "POSIX", "nl"},
		{"", "", "", "C.UTF-8", "nl"},
		{"", "", "", "C.utf8", "nl"},
		{"", "", "", "", "nl"},
		// The first variable that is set wins, as POSIX orders them.
		{"", "en_US.UTF-8", "", "nl_NL.UTF-8", "en"},
		{"", "nl_NL.UTF-8", "en_US.UTF-8", "en_US.UTF-8", "nl"},
		{"", "", "nl_BE.UTF-8", "C", "nl"},
		{"", "", "en_US.UTF-8", "nl_NL.UTF-8", "en"},
		{"", "C", "", "en_US.UTF-8", "nl"}, // LC_ALL=C overrides: no language chosen
		{"", "", "POSIX", "en_US.UTF-8", "nl"},
		// A setting beats every locale.
		{"en", "", "", "nl_NL.UTF-8", "en"},
		{"en", "C", "", "", "en"},
		{"nl", "en_US.UTF-8", "en_US.UTF-8", "en_US.UTF-8", "nl"},
		// A hand-edited setting that is no language counts as none.
		{"fr", "", "", "en_US.UTF-8", "en"},
		{"auto", "", "", "nl_NL.UTF-8", "nl"},
	} {
		env := map[string]string{"LC_ALL": c.lcAll, "LC_MESSAGES": c.lcMessages, "LANG": c.lang}
		getenv := func(k string) string { return env[k] }
		if got := ResolveLanguage(c.setting, getenv); got != c.want {
			t.Errorf("ResolveLanguage(%q, LC_ALL=%q LC_MESSAGES=%q LANG=%q) = %q; want %q",
				c.setting, c.lcAll, c.lcMessages, c.lang, got, c.want)
		}
	}
}

func TestSetLanguageAuto(t *testing.T) {
	s := Settings{Language: "en"}
	if err := s.SetLanguage(LanguageAuto); err != nil {
		t.Fatal(err)
	}
	if s.Language != "" {
		t.Errorf("Language after SetLanguage(auto) = %q; want empty (follow the locale)", s.Language)
	}
	if err := s.SetLanguage("fr"); err == nil {
		t.Error(`SetLanguage("fr") = nil; want an error`)
	}
}

func TestLanguageSetting(t *testing.T) {
	ctx := context.Background()
	st := mustOpen(t)
	if got, err := LanguageSetting(st.Dir()); got != "" || err != nil {
		t.Errorf("LanguageSetting(no file) = %q, %v; want \"\", nil", got, err)
	}
	if err := st.Update(ctx, func(s *State) error { return s.Settings.SetLanguage("en") }); err != nil {
		t.Fatal(err)
	}
	if got, err := LanguageSetting(st.Dir()); got != "en" || err != nil {
		t.Errorf("LanguageSetting = %q, %v; want en, nil", got, err)
	}

	// A damaged file is an error, and is left as it is: quarantining is
	// Update's business, not a language lookup's.
	damaged := []byte(`{"version":1,"settings":{"language":"en"`)
	if err := os.WriteFile(st.Path(), damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := LanguageSetting(st.Dir()); err == nil {
		t.Errorf("LanguageSetting(damaged) = %q, nil; want an error", got)
	}
	if got, _ := os.ReadFile(st.Path()); string(got) != string(damaged) {
		t.Errorf("LanguageSetting changed a damaged file to %q", got)
	}
	if m, _ := filepath.Glob(st.Path() + ".corrupt-*"); len(m) != 0 {
		t.Errorf("LanguageSetting quarantined the file: %v", m)
	}
}
