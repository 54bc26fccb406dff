package magister

import "testing"

func TestGradeVerdictWins(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		value string
		suff  *bool
		want  bool
	}{
		{"4,5", nil, true}, {"6,0", nil, false}, {"U", nil, true}, {"V", nil, false},
		{"U", &yes, false}, // a school where U means "uitstekend"
		{"5,8", &no, true}, // the school's own pass mark
	} {
		g := Grade{Value: tc.value, Sufficient: tc.suff}
		if got := g.IsUnsatisfactory(); got != tc.want {
			t.Errorf("%q (sufficient %v): %v, want %v", tc.value, tc.suff, got, tc.want)
		}
	}
}
