package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestOneCommandTreeActsAsTheWholeTree: a command line that names a command
// builds that command alone (rootCommand); it must do and say exactly what
// it does with every command built. Each line runs twice, on two state
// directories made the same way, once per tree.
func TestOneCommandTreeActsAsTheWholeTree(t *testing.T) {
	t.Setenv("LANG", "en_US.UTF-8")
	lines := []string{
		"version", "--json version", "version extra", "status", "--json status", "status extra",
		"status --bogus", "--state-dir DIR status", "status --state-dir=DIR", "--state-dir=DIR --json status",
		"config", "config list", "config get interval", "config get nosuch", "config set interval 5s",
		"config set interval 30m", "config lst", "config get", "pause 1h", "pause bogus", "resume",
		"log", "log -n -5", "log --pending", "whoami", "grades", "grades -n -1", "check", "check --bogus",
		"notify", "notify tset", "service", "service instal", "login", "logout", "chek", "--json", "",
		"-- status", "--help", "status --help", "help status", "-x status", "--bogus status", "--state-dir",
		"--json=true status", "- status",
	}
	ctx := context.Background()
	for _, line := range lines {
		var got [2]string
		for i, all := range []bool{false, true} {
			dir := t.TempDir()
			t.Setenv("MAGISTER_NOTIFY_HOME", dir)
			args := strings.Fields(strings.ReplaceAll(line, "DIR", dir))
			var out, errb bytes.Buffer
			a := newApp(&out, &errb)
			a.allCommands = all
			code := a.execute(ctx, args)
			said := strings.Join([]string{string(rune('0' + code)), out.String(), errb.String()}, "\n--\n")
			quoted, _ := json.Marshal(dir) // as --json writes it: Windows's backslashes doubled
			said = strings.ReplaceAll(said, string(quoted[1:len(quoted)-1]), "DIR")
			got[i] = strings.ReplaceAll(said, dir, "DIR")
		}
		if got[0] != got[1] {
			t.Errorf("%q with one command built:\n%s\nwith all:\n%s", line, got[0], got[1])
		}
	}
}

// TestNamedCommand: the command a line names is found past the root's
// flags and their values, and not guessed where cobra must see every
// command.
func TestNamedCommand(t *testing.T) {
	a := newApp(nil, nil)
	for _, c := range a.commands() {
		if got := c.build().Name(); got != c.name {
			t.Errorf("the command listed as %q is named %q", c.name, got)
		}
	}
	root := a.rootCommand(nil)
	for _, tc := range []struct{ line, want string }{
		{"status", "status"},
		{"--state-dir x status", "status"},
		{"--state-dir=x status", "status"},
		{"--json status --json", "status"},
		{"--json=false config get", "config"},
		{"config set interval 30m", "config"},
		{"--state-dir status", "" /* "status" is the flag's value */},
		{"status --help", ""},
		{"-h", ""},
		{"--help=true status", ""},
		{"-x status", ""},
		{"--bogus status", ""},
		{"-- status", ""},
		{"", ""},
	} {
		if got := namedCommand(root, strings.Fields(tc.line)); got != tc.want {
			t.Errorf("%q names %q, want %q", tc.line, got, tc.want)
		}
	}
}
