package installer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/installer/installertest"
)

const redirect = "m6loapp://oauth2redirect/#code=x&state=y"

func register(t *testing.T, o HandlerOptions) Result {
	t.Helper()
	res, err := RegisterHandler(context.Background(), o)
	if err != nil {
		t.Fatalf("RegisterHandler: %v", err)
	}
	return res
}

func unregister(t *testing.T, o HandlerOptions) Result {
	t.Helper()
	res, err := UnregisterHandler(context.Background(), o)
	if err != nil {
		t.Fatalf("UnregisterHandler: %v", err)
	}
	return res
}

func handlerState(t *testing.T, o HandlerOptions) HandlerState {
	t.Helper()
	st, err := HandlerStatus(context.Background(), o)
	if err != nil {
		t.Fatalf("HandlerStatus: %v", err)
	}
	return st
}

// xdgMimeDefault asks xdg-mime (which must be installed) for the handler.
func xdgMimeDefault(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(mustRun(t, "xdg-mime", "query", "default", "x-scheme-handler/m6loapp"))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRegisterHandlerWithXdgMime(t *testing.T) {
	env := installertest.New(t)
	exe, argv := recorder(t)
	stateDir := filepath.Join(t.TempDir(), awkwardName)
	o := HandlerOptions{Exe: exe, StateDir: stateDir}
	if st := handlerState(t, o); st.Registered || st.Default != "" || st.Foreign {
		t.Fatalf("HandlerStatus before = %+v", st)
	}

	res := register(t, o)
	entry := filepath.Join(env.DataHome, "applications", "magister-notify-login.desktop")
	if !res.Changed || !slices.Equal(res.Paths, []string{entry}) || !strings.Contains(res.Message, "xdg-mime") {
		t.Fatalf("RegisterHandler = %+v", res)
	}
	validateDesktop(t, entry)
	text := readFile(t, entry)
	for _, want := range []string{"MimeType=x-scheme-handler/m6loapp;", "NoDisplay=true"} {
		if !hasLine(text, want) {
			t.Errorf("entry lacks %q:\n%s", want, text)
		}
	}
	if got := xdgMimeDefault(t); got != "magister-notify-login.desktop" {
		t.Fatalf("xdg-mime query default = %q", got)
	}
	if st := handlerState(t, o); !st.Registered || !st.Current || st.Foreign || st.Default != "magister-notify-login.desktop" ||
		st.Path != entry || !strings.HasSuffix(st.Command, "login --redirect-url %u") {
		t.Fatalf("HandlerStatus = %+v", st)
	}
	if st := handlerState(t, HandlerOptions{Exe: exe}); !st.Registered || st.Current {
		t.Fatalf("HandlerStatus for another state directory = %+v", st)
	}
	if res := register(t, o); res.Changed {
		t.Fatalf("second RegisterHandler = %+v", res)
	}

	// GLib, which GNOME and browsers on it use, runs our entry for the
	// address, with the awkward state directory intact.
	mustRun(t, "gio", "open", redirect)
	if got, want := argv(), []string{exe, "--state-dir", stateDir, "login", "--redirect-url", redirect}; !slices.Equal(got, want) {
		t.Fatalf("gio open ran %q, want %q", got, want)
	}

	res = unregister(t, o)
	if !res.Changed || !slices.Contains(res.Paths, entry) {
		t.Fatalf("UnregisterHandler = %+v", res)
	}
	mustNotExist(t, entry)
	if list := readFile(t, filepath.Join(env.ConfigHome, "mimeapps.list")); strings.Contains(list, "m6loapp") {
		t.Fatalf("mimeapps.list still names us:\n%s", list)
	}
	if st := handlerState(t, o); st.Registered || st.Default != "" || st.Command != "" {
		t.Fatalf("HandlerStatus after = %+v", st)
	}
	if res := unregister(t, o); res.Changed || !strings.Contains(res.Message, "nothing to remove") {
		t.Fatalf("second UnregisterHandler = %+v", res)
	}
}

func TestRegisterHandlerWithoutXdgMime(t *testing.T) {
	path := os.Getenv("PATH")
	env := installertest.New(t)
	exe, _ := recorder(t)
	list := filepath.Join(env.ConfigHome, "mimeapps.list")
	original := "# my associations\n[Added Associations]\ntext/plain=gedit.desktop;\n\n[Default Applications]\ntext/html=firefox.desktop;\nx-scheme-handler/https=firefox.desktop;\n\n[Removed Associations]\nimage/png=gimp.desktop;\n"
	writeFile(t, list, original)

	env.OnlyFakes()
	res := register(t, HandlerOptions{Exe: exe})
	if !res.Changed || !strings.Contains(res.Message, list) {
		t.Fatalf("RegisterHandler = %+v", res)
	}
	want := strings.Replace(original, "x-scheme-handler/https=firefox.desktop;\n",
		"x-scheme-handler/https=firefox.desktop;\nx-scheme-handler/m6loapp=magister-notify-login.desktop;\n", 1)
	if got := readFile(t, list); got != want {
		t.Fatalf("mimeapps.list:\n%s\nwant\n%s", got, want)
	}
	if res := register(t, HandlerOptions{Exe: exe}); res.Changed {
		t.Fatalf("second RegisterHandler = %+v", res)
	}

	// The real tools agree.
	t.Setenv("PATH", path)
	if got := xdgMimeDefault(t); got != "magister-notify-login.desktop" {
		t.Fatalf("xdg-mime query default = %q", got)
	}
	validateDesktop(t, filepath.Join(env.DataHome, "applications", "magister-notify-login.desktop"))

	env.OnlyFakes()
	unregister(t, HandlerOptions{Exe: exe})
	if got := readFile(t, list); got != original {
		t.Fatalf("mimeapps.list after unregistering:\n%s\nwant\n%s", got, original)
	}
}

func TestRegisterHandlerWithoutMimeappsList(t *testing.T) {
	env := installertest.New(t)
	env.OnlyFakes()
	exe, _ := recorder(t)
	register(t, HandlerOptions{Exe: exe})
	list := filepath.Join(env.ConfigHome, "mimeapps.list")
	if got := readFile(t, list); got != "[Default Applications]\nx-scheme-handler/m6loapp=magister-notify-login.desktop;\n" {
		t.Fatalf("mimeapps.list:\n%s", got)
	}
}

func TestForeignHandlerIsKept(t *testing.T) {
	for _, withXdgMime := range []bool{true, false} {
		name := map[bool]string{true: "xdg-mime", false: "mimeapps.list"}[withXdgMime]
		t.Run(name, func(t *testing.T) {
			env := installertest.New(t)
			if !withXdgMime {
				env.OnlyFakes()
			}
			exe, _ := recorder(t)
			other := filepath.Join(env.DataHome, "applications", "other-app.desktop")
			writeFile(t, other, "[Desktop Entry]\nType=Application\nName=Other\nExec=/bin/true %u\nMimeType=x-scheme-handler/m6loapp;\n")
			list := filepath.Join(env.ConfigHome, "mimeapps.list")
			original := "[Default Applications]\nx-scheme-handler/m6loapp=other-app.desktop;\n"
			writeFile(t, list, original)
			entry := filepath.Join(env.DataHome, "applications", "magister-notify-login.desktop")

			o := HandlerOptions{Exe: exe}
			_, err := RegisterHandler(context.Background(), o)
			var foreign *ForeignHandlerError
			if !errors.Is(err, ErrForeignHandler) || !errors.As(err, &foreign) || foreign.App != "other-app.desktop" ||
				!strings.Contains(err.Error(), "--force") {
				t.Fatalf("RegisterHandler = %v, want the other application named", err)
			}
			mustNotExist(t, entry)
			if readFile(t, list) != original {
				t.Fatal("a refused registration changed mimeapps.list")
			}
			if st := handlerState(t, o); st.Registered || !st.Foreign || st.Default != "other-app.desktop" {
				t.Fatalf("HandlerStatus = %+v", st)
			}

			o.Force = true
			register(t, o)
			if st := handlerState(t, o); !st.Registered || st.Foreign {
				t.Fatalf("HandlerStatus after --force = %+v", st)
			}
			unregister(t, o)
			mustNotExist(t, entry)
			if _, err := os.Stat(other); err != nil {
				t.Fatalf("unregistering removed the other application: %v", err)
			}
			// The other application handles the scheme again, whether
			// through its old default line or through its MimeType.
			if st := handlerState(t, o); st.Default != "other-app.desktop" {
				t.Fatalf("HandlerStatus after unregistering = %+v", st)
			}
		})
	}
}

func TestForeignHandlerInADesktopSpecificList(t *testing.T) {
	env := installertest.New(t)
	env.OnlyFakes()
	t.Setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
	exe, _ := recorder(t)
	writeFile(t, filepath.Join(env.DataHome, "applications", "other-app.desktop"),
		"[Desktop Entry]\nType=Application\nName=Other\nExec=/bin/true %u\n")
	gnome := filepath.Join(env.ConfigHome, "gnome-mimeapps.list")
	writeFile(t, gnome, "[Default Applications]\nx-scheme-handler/m6loapp=other-app.desktop;\n")
	o := HandlerOptions{Exe: exe}
	if _, err := RegisterHandler(context.Background(), o); !errors.Is(err, ErrForeignHandler) {
		t.Fatalf("RegisterHandler = %v", err)
	}
	o.Force = true
	register(t, o)
	if got := readFile(t, gnome); got != "[Default Applications]\nx-scheme-handler/m6loapp=magister-notify-login.desktop;other-app.desktop;\n" {
		t.Fatalf("gnome-mimeapps.list:\n%s", got)
	}
	if st := handlerState(t, o); !st.Registered {
		t.Fatalf("HandlerStatus = %+v", st)
	}
	unregister(t, o)
	if got := readFile(t, gnome); got != "[Default Applications]\nx-scheme-handler/m6loapp=other-app.desktop;\n" {
		t.Fatalf("gnome-mimeapps.list after unregistering:\n%s", got)
	}
}

func TestSystemHandlerFromTheCache(t *testing.T) {
	env := installertest.New(t)
	env.OnlyFakes()
	exe, _ := recorder(t)
	system := filepath.Join(filepath.Dir(env.Home), "usr-share", "applications")
	writeFile(t, filepath.Join(system, "mimeinfo.cache"), "[MIME Cache]\nx-scheme-handler/m6loapp=vendor-app.desktop;\n")
	if _, err := RegisterHandler(context.Background(), HandlerOptions{Exe: exe}); !errors.Is(err, ErrForeignHandler) {
		t.Fatalf("RegisterHandler = %v", err)
	}
}

func TestEditList(t *testing.T) {
	add := func(ids []string) []string { return append([]string{"new.desktop"}, ids...) }
	drop := func([]string) []string { return nil }
	for _, c := range []struct {
		name, before, after string
		edit                func([]string) []string
	}{
		{"empty file", "", "[Default Applications]\nk=new.desktop;\n", add},
		{"other group only", "[Added Associations]\na=b;\n", "[Added Associations]\na=b;\n\n[Default Applications]\nk=new.desktop;\n", add},
		{"append to group before another", "[Default Applications]\na=b;\n\n[Added Associations]\nk=x;\n",
			"[Default Applications]\na=b;\nk=new.desktop;\n\n[Added Associations]\nk=x;\n", add},
		{"existing key keeps the rest", "[Default Applications]\nk=old.desktop\n", "[Default Applications]\nk=new.desktop;old.desktop;\n", add},
		{"drop removes only the line", "# c\n[Default Applications]\na=b;\nk=x;\n", "# c\n[Default Applications]\na=b;\n", drop},
		{"drop of nothing changes nothing", "[Default Applications]\na=b;\n", "[Default Applications]\na=b;\n", drop},
		{"key in another group untouched", "[Added Associations]\nk=x;\n", "[Added Associations]\nk=x;\n", drop},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "mimeapps.list")
			if c.before != "" {
				writeFile(t, path, c.before)
			}
			changed, err := editList(path, defaultGroup, "k", c.edit)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != c.after || changed != (c.before != c.after) {
				t.Fatalf("editList: changed %v\n%q\nwant\n%q", changed, got, c.after)
			}
		})
	}
}

func TestDesktopArg(t *testing.T) {
	for in, want := range map[string]string{
		"tray":           "tray",
		"":               `""`,
		"a b":            `"a b"`,
		"100%":           "100%%",
		`a"b`:            `"a\"b"`,
		`$HOME`:          `"\$HOME"`,
		`a\b`:            `"a\\b"`,
		"`x`":            "\"\\`x\\`\"",
		"semi;colon":     `"semi;colon"`,
		"/usr/bin/a-b_c": "/usr/bin/a-b_c",
	} {
		if got := desktopArg(in); got != want {
			t.Errorf("desktopArg(%q) = %q, want %q", in, got, want)
		}
	}
}
