package installer

import "testing"

// TestResultSpeaksBothLanguages: a Result's message is there in English
// (Message, what --json gives) and in Dutch, also when results are merged.
func TestResultSpeaksBothLanguages(t *testing.T) {
	a := Result{}.Saying("Wrote a.", "a geschreven.")
	b := Result{}.Saying("Removed b.", "b verwijderd.")
	m := mergeResults(XDG, a, Result{}, b)
	if got := m.In("en"); got != "Wrote a. Removed b." || m.Message != got {
		t.Errorf("merged In(en) = %q, Message %q; want %q", got, m.Message, "Wrote a. Removed b.")
	}
	if got := m.In("nl"); got != "a geschreven. b verwijderd." {
		t.Errorf("merged In(nl) = %q; want %q", got, "a geschreven. b verwijderd.")
	}
	if got := (Result{Message: "Only English."}).In("nl"); got != "Only English." {
		t.Errorf("In(nl) without a Dutch text = %q; want the English", got)
	}
}
