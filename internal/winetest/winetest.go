// Package winetest lets tests that run under Wine (make test-windows) know it,
// so that they can scale down what Wine makes slow, and gives os.RemoveAll a
// delete call Wine implements. It is for tests only: nothing outside _test.go
// files imports it.
package winetest

import (
	"os/exec"
	"strings"
)

// Running reports whether the process is a Windows program running under
// Wine rather than on Windows (always false on other systems).
func Running() bool { return running }

// Scale returns n, or n divided by div (at least 1) under Wine, where
// starting a process and taking a file lock cost many times what they cost
// on Windows or Linux. Tests use it for counts of processes and rounds, so
// that they still run, with fewer repetitions, instead of being skipped.
func Scale(n, div int) int {
	if !running || div <= 1 {
		return n
	}
	return max(n/div, 1)
}

// startTries is how often Start tries under Wine.
const startTries = 3

// Start starts the command that newCmd makes (with its pipes). Under Wine,
// starting a process now and then fails with "Internal error" on a loaded
// machine (seen in CI: one in several hundred starts); there Start tries up
// to three times, each with a new command. Elsewhere it tries once, so a
// real failure on Windows or Linux still fails the test.
func Start(newCmd func() (*exec.Cmd, error)) (*exec.Cmd, error) {
	tries := 1
	if running {
		tries = startTries
	}
	var err error
	for range tries {
		var cmd *exec.Cmd
		if cmd, err = newCmd(); err != nil {
			return nil, err
		}
		if err = cmd.Start(); err == nil {
			return cmd, nil
		}
		if !strings.Contains(err.Error(), "Internal error") {
			break
		}
	}
	return nil, err
}
