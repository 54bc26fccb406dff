package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/state"
	"github.com/magister-notify/magister-notify/tray"
)

// TestMenuAndCLIChangeSettingsAlike sets every setting the tray's menu can
// change once through the CLI and once through the menu's handler, from the
// same state at the same moment, and compares the state files byte for byte.
func TestMenuAndCLIChangeSettingsAlike(t *testing.T) {
	now := time.Date(2026, time.November, 27, 21, 30, 0, 0, time.Local)
	seed := func(s *state.State) {
		s.Accounts = []state.Account{
			{Key: "parent", School: "demo", IsParent: true, Children: []state.Child{{ID: 11, FirstName: "Anna"}, {ID: 12, FirstName: "Daan", Muted: true}}},
			{Key: "student", School: "demo", Children: []state.Child{{ID: 7, FirstName: "Sem"}}},
		}
		s.Settings.Disabled = map[string]bool{state.KindHomework: true}
		s.Settings.PauseUntil = now.Add(30 * time.Minute)
	}
	for _, c := range []struct {
		name  string
		cli   []string
		click tray.Click
	}{
		{"pause an hour", []string{"pause"}, tray.Click{Item: "pause"}},
		{"pause until tomorrow", []string{"pause", "until-tomorrow"}, tray.Click{Item: "pause-tomorrow"}},
		{"resume", []string{"resume"}, tray.Click{Item: "resume"}},
		{"kind off", []string{"config", "set", "notify.grades", "off"}, tray.Click{Item: "toggle-kind", Kind: state.KindGrades, On: false}},
		{"kind back on", []string{"config", "set", "notify.homework", "on"}, tray.Click{Item: "toggle-kind", Kind: state.KindHomework, On: true}},
		{"mute a child", []string{"config", "set", "child.anna", "off"},
			tray.Click{Item: "toggle-child", Child: state.ChildRef{Account: "parent", ID: 11}, On: false}},
		{"unmute a child", []string{"config", "set", "child.daan", "on"},
			tray.Click{Item: "toggle-child", Child: state.ChildRef{Account: "parent", ID: 12}, On: true}},
		{"mute a student", []string{"config", "set", "child.sem", "off"},
			tray.Click{Item: "toggle-child", Child: state.ChildRef{Account: "student", ID: 7}, On: false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			cliDir, menuDir := t.TempDir(), t.TempDir()
			for _, dir := range []string{cliDir, menuDir} {
				st, err := state.Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				if err := st.Update(ctx, func(s *state.State) error { seed(s); return nil }); err != nil {
					t.Fatal(err)
				}
			}
			before := readState(t, cliDir)

			var out, errb bytes.Buffer
			a := &app{stdin: os.Stdin, stdout: &out, stderr: &errb, now: func() time.Time { return now }}
			if code := a.execute(ctx, append([]string{"--state-dir", cliDir}, c.cli...)); code != 0 {
				t.Fatalf("%v: exit code %d: %s", c.cli, code, errb.String())
			}
			st, err := state.Open(menuDir)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Update(ctx, func(s *state.State) error { return tray.ApplyClick(s, c.click, now) }); err != nil {
				t.Fatalf("%+v: %v", c.click, err)
			}

			cli, menu := readState(t, cliDir), readState(t, menuDir)
			if bytes.Equal(cli, before) {
				t.Errorf("%v changed nothing", c.cli)
			}
			if !bytes.Equal(cli, menu) {
				t.Errorf("state after the CLI and after the menu differ:\nCLI:  %s\nmenu: %s", cli, menu)
			}
		})
	}
}

func readState(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
