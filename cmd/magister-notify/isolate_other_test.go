//go:build !linux

package main

import "testing"

// isolateDesktop gives the test a throw-away HOME.
func isolateDesktop(t *testing.T) string {
	home := t.TempDir()
	t.Setenv("HOME", home)
	return home
}
