//go:build !windows && !darwin

package main

import (
	"fmt"
	"os/exec"
	"time"
)

// browserFailWait is how long openBrowser waits for xdg-open to fail: it
// fails at once when there is no browser, but may stay until the browser
// it started ends.
const browserFailWait = 3 * time.Second

// openBrowser opens url in the user's browser. It reports xdg-open failing
// (no browser: it exits 3 or 4 at once), but does not wait for a browser
// it started.
func openBrowser(url string) error {
	cmd := exec.Command("xdg-open", url)
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("xdg-open: %w", err)
		}
	case <-time.After(browserFailWait):
	}
	return nil
}
