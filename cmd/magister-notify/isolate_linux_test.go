package main

import (
	"testing"

	"github.com/magister-notify/magister-notify/installer/installertest"
)

// isolateDesktop gives the test a throw-away HOME and XDG directories.
func isolateDesktop(t *testing.T) string { return installertest.New(t).Home }
