//go:build windows

package main

import "os/exec"

// openBrowser opens url in the user's browser without waiting for it.
func openBrowser(url string) error {
	cmd := exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}
