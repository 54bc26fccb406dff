package installer

import (
	_ "embed"
	"path/filepath"
)

// The LaunchAgent's template and places live here rather than in
// launchd_darwin.go so that a test renders and parses them on any system.

// launchdTemplate is our LaunchAgent in kardianos/service's template syntax,
// with the keys its darwin backend passes (Name, Path, Arguments,
// StandardOutPath, StandardErrorPath) and its html function. kardianos's own
// plist keeps the tray alive whatever its exit, so that Quit would not stick;
// ours restarts it only after a failure, and only in the user's graphical
// (Aqua) session.
//
//go:embed launchd.plist
var launchdTemplate string

// launchdLabel is the agent's label and the name of its plist.
const launchdLabel = "io.github." + serviceName

// launchdPlist is where the agent lives.
func launchdPlist(home string) string {
	return filepath.Join(home, "Library", "LaunchAgents", launchdLabel+".plist")
}

// launchdLogDir is where launchd writes the tray's output; kardianos names
// the files <label>.out.log and <label>.err.log.
func launchdLogDir(home string) string { return filepath.Join(home, "Library", "Logs", serviceName) }
