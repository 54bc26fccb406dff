package installer

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
)

// fakeRegistry is an in-memory registry: keys are "HKCU\path" or
// "HKLM\path", compared without case as Windows does.
type fakeRegistry struct {
	keys     map[string]map[string]any // key → value name → string or []byte
	failSet  int                       // SetString call number that fails (1-based); 0: none
	setCalls int
}

func newFakeRegistry() *fakeRegistry { return &fakeRegistry{keys: map[string]map[string]any{}} }

func rootName(root regRoot) string {
	if root == localMachine {
		return "HKLM"
	}
	return "HKCU"
}

func keyID(root regRoot, key string) string { return strings.ToLower(rootName(root) + `\` + key) }

func (r *fakeRegistry) value(root regRoot, key, name string) (any, error) {
	vals, ok := r.keys[keyID(root, key)]
	if !ok {
		return nil, fmt.Errorf("key %s: %w", key, fs.ErrNotExist)
	}
	v, ok := vals[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("value %q: %w", name, fs.ErrNotExist)
	}
	return v, nil
}

func (r *fakeRegistry) String(root regRoot, key, name string) (string, error) {
	v, err := r.value(root, key, name)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", errors.New("not a string value")
	}
	return s, nil
}

func (r *fakeRegistry) Binary(root regRoot, key, name string) ([]byte, error) {
	v, err := r.value(root, key, name)
	if err != nil {
		return nil, err
	}
	b, ok := v.([]byte)
	if !ok {
		return nil, errors.New("not a binary value")
	}
	return b, nil
}

func (r *fakeRegistry) put(root regRoot, key, name string, v any) {
	// Creating a key creates its parents, as RegCreateKeyEx does.
	parts := strings.Split(key, `\`)
	for i := range parts {
		id := keyID(root, strings.Join(parts[:i+1], `\`))
		if r.keys[id] == nil {
			r.keys[id] = map[string]any{}
		}
	}
	r.keys[keyID(root, key)][strings.ToLower(name)] = v
}

func (r *fakeRegistry) SetString(key, name, value string) error {
	r.setCalls++
	if r.setCalls == r.failSet {
		return errors.New("Access is denied.")
	}
	r.put(currentUser, key, name, value)
	return nil
}

func (r *fakeRegistry) DeleteValue(key, name string) error {
	if vals, ok := r.keys[keyID(currentUser, key)]; ok {
		delete(vals, strings.ToLower(name))
	}
	return nil
}

func (r *fakeRegistry) DeleteTree(key string) error {
	id := keyID(currentUser, key)
	for k := range r.keys {
		if k == id || strings.HasPrefix(k, id+`\`) {
			delete(r.keys, k)
		}
	}
	return nil
}

// dump lists every key and value, to compare whole registries.
func (r *fakeRegistry) dump() []string {
	var out []string
	for k, vals := range r.keys {
		out = append(out, k)
		for n, v := range vals {
			out = append(out, fmt.Sprintf("%s\\@%s=%v", k, n, v))
		}
	}
	slices.Sort(out)
	return out
}

const (
	winExe  = `C:\Program Files\magister-notify\magister-notify.exe`
	winTray = `C:\Program Files\magister-notify\magister-notify-tray.exe`
)

func trayExists(path string) bool { return path == winTray }
func nothingExists(string) bool   { return false }

func TestRunAndHandlerCommands(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{runCommand(winExe, trayArgs(""), trayExists), `"` + winTray + `" tray`},
		{runCommand(winExe, trayArgs(""), nothingExists), `"` + winExe + `" tray`},
		{runCommand(winExe, trayArgs(`C:\Users\Zoë de Vries\state`), trayExists),
			`"` + winTray + `" --state-dir "C:\Users\Zoë de Vries\state" tray`},
		{handlerCommand(winExe, "", trayExists), `"` + winTray + `" login --redirect-url "%1"`},
		{handlerCommand(winExe, "", nothingExists), `"` + winExe + `" login --redirect-url "%1"`},
		{handlerCommand(winExe, `D:\state`, nothingExists), `"` + winExe + `" --state-dir D:\state login --redirect-url "%1"`},
		{guiExe(winTray, func(string) bool { return true }), winTray},
		{guiExe("/opt/m/magister-notify", func(p string) bool { return p == "/opt/m/magister-notify-tray.exe" }), "/opt/m/magister-notify-tray.exe"},
	} {
		if c.got != c.want {
			t.Errorf("got  %s\nwant %s", c.got, c.want)
		}
	}
}

// splitWindowsCommand splits a command line the way CommandLineToArgvW
// does (the program name ends at the next quote; backslashes only escape
// a following quote).
func splitWindowsCommand(s string) []string {
	var args []string
	if rest, ok := strings.CutPrefix(s, `"`); ok {
		prog, after, _ := strings.Cut(rest, `"`)
		args, s = append(args, prog), after
	} else {
		prog, after, _ := strings.Cut(s, " ")
		args, s = append(args, prog), after
	}
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			return args
		}
		var b strings.Builder
		quoted := false
		for i < len(s) {
			c := s[i]
			if c == '\\' {
				n := 0
				for i < len(s) && s[i] == '\\' {
					n++
					i++
				}
				if i < len(s) && s[i] == '"' {
					b.WriteString(strings.Repeat(`\`, n/2))
					if n%2 == 1 {
						b.WriteByte('"')
						i++
					}
				} else {
					b.WriteString(strings.Repeat(`\`, n))
				}
				continue
			}
			if c == '"' {
				quoted = !quoted
				i++
				continue
			}
			if !quoted && (c == ' ' || c == '\t') {
				break
			}
			b.WriteByte(c)
			i++
		}
		args = append(args, b.String())
	}
}

func TestWindowsCommandRoundTrip(t *testing.T) {
	for _, args := range [][]string{
		{"tray"},
		{"--state-dir", `C:\Users\Zoë de Vries\AppData\Roaming\magister-notify`, "tray"},
		{"", "a b", `ends in a backslash\`, `C:\`, `two\\`, `quote"inside`, `back\"slash`, "tab\there"},
	} {
		line := windowsCommand(winExe, args...)
		got := splitWindowsCommand(line)
		if want := append([]string{winExe}, args...); !slices.Equal(got, want) {
			t.Errorf("%s\nsplits into %q\nwant        %q", line, got, want)
		}
	}
}

func TestRunKey(t *testing.T) {
	reg := newFakeRegistry()
	k := runKey{reg: reg, command: runCommand(winExe, trayArgs(""), trayExists)}
	value := `hkcu\software\microsoft\windows\currentversion\run\@magister-notify=` + `"` + winTray + `" tray`

	if st, err := k.status(); err != nil || st.Installed || st.Method != RunKey {
		t.Fatalf("status before = %+v, %v", st, err)
	}
	res, err := k.install()
	if err != nil || !res.Changed || res.Method != RunKey || !strings.Contains(res.Message, "uninstall") {
		t.Fatalf("install = %+v, %v", res, err)
	}
	if !slices.Contains(reg.dump(), value) {
		t.Fatalf("registry: %q", reg.dump())
	}
	if res, err := k.install(); err != nil || res.Changed {
		t.Fatalf("second install = %+v, %v", res, err)
	}
	if st, err := k.status(); err != nil || !st.Installed || !st.Enabled || st.Command != `"`+winTray+`" tray` || st.Note != "" {
		t.Fatalf("status = %+v, %v", st, err)
	}

	// Task Manager's Startup tab switches it off with an odd first byte.
	reg.put(currentUser, approvedKeyPath, serviceName, []byte{3, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	if st, err := k.status(); err != nil || st.Enabled || !strings.Contains(st.Note, "Task Manager") {
		t.Fatalf("status when disabled = %+v, %v", st, err)
	}
	if res, err := k.install(); err != nil || !res.Changed {
		t.Fatalf("install when disabled = %+v, %v", res, err)
	}
	if st, _ := k.status(); !st.Enabled {
		t.Fatalf("install did not enable it again: %+v", st)
	}
	other := runKey{reg: reg, command: runCommand(`D:\elsewhere\magister-notify.exe`, trayArgs(""), nothingExists)}
	if st, _ := other.status(); !strings.Contains(st.Note, "install` again") {
		t.Fatalf("status for another binary = %+v", st)
	}

	reg.put(currentUser, approvedKeyPath, serviceName, []byte{2, 0, 0, 0})
	res, err = k.uninstall()
	if err != nil || !res.Changed {
		t.Fatalf("uninstall = %+v, %v", res, err)
	}
	for _, line := range reg.dump() {
		if strings.Contains(line, "@magister-notify") {
			t.Fatalf("left behind: %s", line)
		}
	}
	if res, err := k.uninstall(); err != nil || res.Changed {
		t.Fatalf("second uninstall = %+v, %v", res, err)
	}
}

func TestURLClass(t *testing.T) {
	ours := handlerCommand(winExe, "", trayExists)
	commandKey := `hkcu\software\classes\m6loapp\shell\open\command`

	t.Run("register and unregister", func(t *testing.T) {
		reg := newFakeRegistry()
		c := urlClass{reg: reg, command: ours}
		res, err := c.register(false)
		if err != nil || !res.Changed || !slices.Equal(res.Paths, []string{`HKCU\Software\Classes\m6loapp`}) {
			t.Fatalf("register = %+v, %v", res, err)
		}
		for _, want := range []string{
			`hkcu\software\classes\m6loapp\@=URL:m6loapp`,
			`hkcu\software\classes\m6loapp\@url protocol=`,
			commandKey + `\@=` + ours,
		} {
			if !slices.Contains(reg.dump(), want) {
				t.Errorf("registry lacks %s: %q", want, reg.dump())
			}
		}
		if st, err := c.status(); err != nil || !st.Registered || !st.Current || st.Foreign || st.Default != ours {
			t.Fatalf("status = %+v, %v", st, err)
		}
		before := reg.dump()
		if res, err := c.register(false); err != nil || res.Changed || !slices.Equal(reg.dump(), before) {
			t.Fatalf("second register = %+v, %v", res, err)
		}
		// A registration of ours for an older binary is updated, not foreign.
		moved := urlClass{reg: reg, command: handlerCommand(`D:\new\magister-notify.exe`, "", nothingExists)}
		if st, _ := moved.status(); !st.Registered || st.Current {
			t.Fatalf("status for a moved binary = %+v", st)
		}
		if res, err := moved.register(false); err != nil || !res.Changed {
			t.Fatalf("register after moving = %+v, %v", res, err)
		}
		if res, err := c.unregister(); err != nil || !res.Changed {
			t.Fatalf("unregister = %+v, %v", res, err)
		}
		if d := reg.dump(); slices.ContainsFunc(d, func(s string) bool { return strings.Contains(s, "m6loapp") }) {
			t.Fatalf("left behind: %q", d)
		}
		if res, err := c.unregister(); err != nil || res.Changed {
			t.Fatalf("second unregister = %+v, %v", res, err)
		}
	})

	for _, root := range []regRoot{currentUser, localMachine} {
		t.Run("foreign in "+rootName(root), func(t *testing.T) {
			reg := newFakeRegistry()
			foreign := `"C:\Other\app.exe" "%1"`
			reg.put(root, commandKeyPath, "", foreign)
			reg.put(root, classKeyPath+`\DefaultIcon`, "", `C:\Other\app.exe,0`)
			before := reg.dump()
			c := urlClass{reg: reg, command: ours}

			_, err := c.register(false)
			var fe *ForeignHandlerError
			if !errors.Is(err, ErrForeignHandler) || !errors.As(err, &fe) || fe.App != foreign {
				t.Fatalf("register = %v", err)
			}
			if !slices.Equal(reg.dump(), before) {
				t.Fatal("a refused registration changed the registry")
			}
			if st, _ := c.status(); st.Registered || !st.Foreign || st.Default != foreign {
				t.Fatalf("status = %+v", st)
			}
			if res, err := c.unregister(); err != nil || res.Changed || !slices.Equal(reg.dump(), before) {
				t.Fatalf("unregister of a foreign handler = %+v, %v", res, err)
			}
			if _, err := c.register(true); err != nil {
				t.Fatal(err)
			}
			if st, _ := c.status(); !st.Registered || st.Foreign {
				t.Fatalf("status after force = %+v", st)
			}
			d := reg.dump()
			if root == currentUser && slices.ContainsFunc(d, func(s string) bool { return strings.Contains(s, "hkcu") && strings.Contains(s, "defaulticon") }) {
				t.Fatalf("the other application's icon is left in our class: %q", d)
			}
			if root == localMachine && !slices.Contains(d, `hklm\software\classes\m6loapp\shell\open\command\@=`+foreign) {
				t.Fatalf("HKLM was touched: %q", d)
			}
		})
	}

	t.Run("failure leaves no half registration", func(t *testing.T) {
		for n := 1; n <= 3; n++ {
			reg := newFakeRegistry()
			reg.failSet = n
			if _, err := (urlClass{reg: reg, command: ours}).register(false); err == nil || !strings.Contains(err.Error(), "Access is denied") {
				t.Fatalf("register with write %d failing = %v", n, err)
			}
			if keys := slices.Collect(maps.Keys(reg.keys)); slices.ContainsFunc(keys, func(k string) bool { return strings.Contains(k, "m6loapp") }) {
				t.Fatalf("write %d failing left %q", n, reg.dump())
			}
		}
	})
}
