package installer

import (
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"howett.net/plist"
)

// renderLaunchd renders the LaunchAgent template the way kardianos/service
// v1.3.0 does on darwin (service_darwin.go, Install): its mini-engine with
// the data keys and the single html function that backend provides. Only
// the constructs our template uses are implemented; anything else fails.
func renderLaunchd(t *testing.T, data map[string]string, args []string) string {
	t.Helper()
	html := strings.NewReplacer(`&`, "&amp;", `'`, "&#39;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;").Replace
	out := regexp.MustCompile(`(?s)\{\{range Arguments\}\}(.*?)\{\{end\}\}`).ReplaceAllStringFunc(launchdTemplate, func(m string) string {
		body := strings.TrimSuffix(strings.TrimPrefix(m, "{{range Arguments}}"), "{{end}}")
		var b strings.Builder
		for _, a := range args {
			b.WriteString(strings.ReplaceAll(body, "{{. | html}}", html(a)))
		}
		return b.String()
	})
	out = regexp.MustCompile(`\{\{(\w+) \| html\}\}`).ReplaceAllStringFunc(out, func(m string) string {
		key := strings.TrimSuffix(strings.TrimPrefix(m, "{{"), " | html}}")
		v, ok := data[key]
		if !ok {
			t.Fatalf("the template uses %s, which kardianos's darwin backend does not pass", m)
		}
		return html(v)
	})
	if i := strings.Index(out, "{{"); i >= 0 {
		t.Fatalf("unrendered action in the template: %s", out[i:])
	}
	return out
}

func TestLaunchAgentTemplate(t *testing.T) {
	home := "/Users/zoë"
	exe := "/Applications/Magister Notify & Co.app/Contents/MacOS/magister-notify"
	stateDir := `/Users/zoë/<state> "dir" it's`
	logs := launchdLogDir(home)
	args := trayArgs(stateDir)
	text := renderLaunchd(t, map[string]string{
		"Name":              launchdLabel,
		"Path":              exe,
		"StandardOutPath":   logs + "/" + launchdLabel + ".out.log",
		"StandardErrorPath": logs + "/" + launchdLabel + ".err.log",
	}, args)

	var agent map[string]any
	format, err := plist.Unmarshal([]byte(text), &agent)
	if err != nil || format != plist.XMLFormat {
		t.Fatalf("not an XML property list (%v, format %d):\n%s", err, format, text)
	}
	want := map[string]any{
		"Label":                  launchdLabel,
		"ProgramArguments":       []any{exe, "--state-dir", stateDir, "tray"},
		"RunAtLoad":              true,
		"KeepAlive":              map[string]any{"SuccessfulExit": false},
		"ThrottleInterval":       uint64(30),
		"LimitLoadToSessionType": "Aqua",
		"ProcessType":            "Interactive",
		"StandardOutPath":        "/Users/zoë/Library/Logs/magister-notify/io.github.magister-notify.out.log",
		"StandardErrorPath":      "/Users/zoë/Library/Logs/magister-notify/io.github.magister-notify.err.log",
	}
	if !reflect.DeepEqual(agent, want) {
		t.Fatalf("agent =\n%#v\nwant\n%#v", agent, want)
	}
	if got := launchdPlist(home); got != filepath.Join(home, "Library", "LaunchAgents", "io.github.magister-notify.plist") {
		t.Fatalf("launchdPlist = %s", got)
	}
}
