package main

import "testing"

// dutchLocale makes t's CLI runs, in this process and in the processes it
// starts, speak Dutch by the locale (TestMain sets English for the rest).
func dutchLocale(t *testing.T) {
	t.Helper()
	t.Setenv("LANG", "nl_NL.UTF-8")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
}
