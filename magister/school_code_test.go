package magister

import (
	"regexp"
	"strings"
	"testing"
)

// TestIsSchoolCodeMatchesTheRule holds isSchoolCode to the rule it spells
// out by hand: ^[a-z0-9-]{1,63}$.
func TestIsSchoolCodeMatchesTheRule(t *testing.T) {
	rule := regexp.MustCompile(`^[a-z0-9-]{1,63}$`)
	for _, c := range []string{"", "demo", "my-school2", "Demo", "demo.school", "de mo", "ü", "-", "a/b",
		strings.Repeat("a", 63), strings.Repeat("a", 64), "demo\n"} {
		if got, want := isSchoolCode(c), rule.MatchString(c); got != want {
			t.Errorf("isSchoolCode(%q) = %v, want %v", c, got, want)
		}
	}
}

func FuzzIsSchoolCode(f *testing.F) {
	rule := regexp.MustCompile(`^[a-z0-9-]{1,63}$`)
	f.Add("demo")
	f.Add("Ä-1")
	f.Fuzz(func(t *testing.T, c string) {
		if got, want := isSchoolCode(c), rule.MatchString(c); got != want {
			t.Errorf("isSchoolCode(%q) = %v, want %v", c, got, want)
		}
	})
}
