package main

import "github.com/spf13/cobra"

// Windows starts the HKCU Run value (autostart) from explorer.exe, as it
// starts a double-clicked program. cobra takes a program started by
// explorer.exe for a double-clicked command line tool, says "This is a
// command line tool" and exits, so the tray would never start at login.
// Found by make test-windows: the tray started from Wine's explorer exited.
func init() { cobra.MousetrapHelpText = "" }
