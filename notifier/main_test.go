package notifier

import (
	"os"
	"testing"
)

// TestMain clears the locale: the words the tests expect are in the
// default language, whatever the machine running them speaks. Tests of the
// language rule set Getenv themselves.
func TestMain(m *testing.M) {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		os.Unsetenv(v)
	}
	os.Exit(m.Run())
}
