package notifier

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseSinks(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	sinks, err := ParseSinks([]string{"desktop", "stdout", "jsonl:" + filepath.Join(dir, "n.jsonl"), "exec:cat >/dev/null"},
		SinkStdout(&buf), SinkIcon("/icons/app.png"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var people []bool
	for _, s := range sinks {
		names = append(names, s.Name())
		people = append(people, s.PeopleFacing())
	}
	if names[0] != "desktop" || names[1] != "stdout" || names[2] != "jsonl:"+filepath.Join(dir, "n.jsonl") ||
		!strings.HasPrefix(names[3], "exec#") || len(names[3]) != len("exec#")+8 {
		t.Errorf("names %q", names)
	}
	if !people[0] || !people[1] || people[2] || people[3] {
		t.Errorf("people-facing %v", people)
	}
	if d := sinks[0].(*DesktopSink); d.Icon != "/icons/app.png" {
		t.Errorf("icon %q", d.Icon)
	}
	if err := sinks[1].Send(context.Background(), Notification{Title: "x"}); err != nil || buf.String() != "x\n" {
		t.Errorf("stdout sink wrote %q to the given writer (%v)", buf.String(), err)
	}

	def, err := ParseSinks(nil)
	if err != nil || len(def) != 1 || def[0].Name() != "desktop" {
		t.Errorf("default sinks %v, %v", def, err)
	}
	rel, err := ParseSinks([]string{"jsonl:rel.jsonl"})
	if err != nil || !filepath.IsAbs(strings.TrimPrefix(rel[0].Name(), "jsonl:")) {
		t.Errorf("relative jsonl path: %v, %v", rel, err)
	}
	if s, err := ParseSinks([]string{" Desktop "}); err != nil || s[0].Name() != "desktop" {
		t.Errorf("spelling: %v", err)
	}

	bad := []struct{ spec, want string }{
		{"x", `unknown sink "x": use desktop, stdout, jsonl:PATH or exec:COMMAND`},
		{"desktop:foo", `unknown sink "desktop:foo"`},
		{"email:me", `unknown sink "email:me"`},
		{"jsonl:", `sink "jsonl:" needs a file: jsonl:PATH`},
		{"exec: ", `sink "exec:" needs a command: exec:COMMAND`},
	}
	for _, b := range bad {
		_, err := ParseSinks([]string{b.spec})
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParseSinks(%q) = %v, want %q", b.spec, err, b.want)
		}
	}
	if _, err := ParseSinks([]string{"x"}); !errors.Is(err, ErrUnknownSink) {
		t.Errorf("not ErrUnknownSink: %v", err)
	}
	if _, err := ParseSinks([]string{"stdout", "stdout"}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate: %v", err)
	}
}

func TestStdoutSink(t *testing.T) {
	var buf bytes.Buffer
	s := NewStdoutSink(&buf)
	ctx := context.Background()
	s.Send(ctx, Notification{Title: "Anna: Nieuw cijfer", Body: "Wiskunde 7,5\nweging 2", URL: "https://x/cijfers"})
	s.Send(ctx, Notification{Title: "Onvoldoende", Urgent: true})
	want := "Anna: Nieuw cijfer — Wiskunde 7,5; weging 2 (https://x/cijfers)\n! Onvoldoende\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
}

func TestJSONLSink(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	s := NewJSONLSink(path)
	created := time.Date(2025, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, id := range []string{"a", "b"} {
		n := Notification{ID: id, Kind: "grades", Change: "new", Child: "Anna", Title: "T\n" + id, Body: "B",
			URL: "U", Created: created, Delivered: created.Add(time.Minute), Entries: []string{id}}
		if err := s.Send(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	f, _ := os.Open(path)
	defer f.Close()
	sc := bufio.NewScanner(f)
	var lines []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	m := lines[1]
	for k, v := range map[string]any{"id": "b", "kind": "grades", "change": "new", "child": "Anna", "title": "T\nb",
		"body": "B", "url": "U", "created": "2025-12-01T12:00:00Z", "delivered": "2025-12-01T12:01:00Z"} {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if _, ok := m["Entries"]; ok {
		t.Error("internal fields leak into the record")
	}

	if err := NewJSONLSink(filepath.Join(t.TempDir(), "missing", "x.jsonl")).Send(context.Background(), Notification{}); err == nil {
		t.Error("appending to a file in a missing directory succeeded")
	}
}

func TestExecSink(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "stdin.json")
	ctx := context.Background()
	s := NewExecSink("cat > '" + out + "'")
	if err := s.Send(ctx, Notification{ID: "x1", Kind: "grades", Title: "Nieuw cijfer", Urgent: true}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil || m["id"] != "x1" || m["title"] != "Nieuw cijfer" || m["urgent"] != true {
		t.Errorf("stdin %s (%v)", data, err)
	}

	secret := "token=s3cr3t"
	err = NewExecSink("echo 'ntfy: 401 unauthorized' >&2; echo second >&2; exit 3 # "+secret).Send(ctx, Notification{})
	if err == nil || !strings.Contains(err.Error(), "exit status 3: ntfy: 401 unauthorized") ||
		strings.Contains(err.Error(), "second") || strings.Contains(err.Error(), secret) {
		t.Errorf("failing command: %v", err)
	}
	if strings.Contains(NewExecSink("curl -d @- https://ntfy.example/"+secret).Name(), secret) {
		t.Error("the sink name shows the command")
	}

	slow := NewExecSink("sleep 30")
	slow.timeout = 100 * time.Millisecond
	err = slow.Send(ctx, Notification{})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("slow command: %v", err)
	}
}
