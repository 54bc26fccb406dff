package notifier

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDesktopSinkReportsFailure(t *testing.T) {
	s := NewDesktopSink("")
	s.show = func(context.Context, string, string, string) error { return errors.New("no daemon") }
	err := s.Send(context.Background(), Notification{Title: "x"})
	if err == nil || !strings.Contains(err.Error(), "no daemon") {
		t.Errorf("err = %v", err)
	}

	block := make(chan struct{})
	defer close(block)
	s.show = func(context.Context, string, string, string) error { <-block; return nil }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, Notification{Title: "x", Urgent: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("a hanging call was waited for: %v", err)
	}
}

// hostileTexts are things schools write that a careless notifier would
// turn into markup, mnemonics, format verbs or broken characters.
var hostileTexts = []string{
	"SO hoofdstuk 3 & 4: breuken <herkansing> en meer",
	"<b>wiskunde</b>",
	"cijfer <5,5",
	"Nieuw bericht van J_de_Vries",
	"100% goed, %s %d %!",
	"\u202eRTL-tekst\u202c en \u200fmarkering",
	"regel één\nregel twee\r\nregel drie",
	"Sportdag 🏃‍♀️🎉 met 👨‍👩‍👧",
	strings.Repeat("Lees hoofdstuk 7 en maak alle opgaven. ", 60), // 2,400 characters
	"ongeldig \xff\xfe UTF-8",
	`<a href="https://example.invalid">klik</a>`,
}

// unescape undoes escapeMarkup, to count the characters a person sees.
func unescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

func TestShortenNeverSplitsACharacter(t *testing.T) {
	for _, text := range hostileTexts {
		for n := 2; n < 60; n++ {
			got := shorten(text, n)
			if !utf8.ValidString(got) && utf8.ValidString(text) {
				t.Errorf("shorten(%q, %d) = %q: not valid UTF-8", text, n, got)
			}
			if c := utf8.RuneCountInString(got); c > n {
				t.Errorf("shorten(%q, %d) has %d characters", text, n, c)
			}
			if utf8.RuneCountInString(strings.TrimSpace(text)) > n && !strings.HasSuffix(got, "…") {
				t.Errorf("shorten(%q, %d) = %q: cut without an ellipsis", text, n, got)
			}
		}
	}
}
