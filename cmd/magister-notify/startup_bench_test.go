package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
	"github.com/magister-notify/magister-notify/state"
)

// BenchmarkStartup runs the real binary (built here, not the test binary)
// for `version` and `status`, next to a Go hello world built the same way,
// and reports the wall time of one run of each and how many hello worlds
// each takes (x-hello). `status` runs on a fresh state directory (start-up
// alone), on a family's state (status-family: a parent of two signed in,
// a baseline taken, notifications in the history), where decoding the
// state is part of the work, and on that state after months, its history
// full (status-full: 500 notifications, about 200 KB). The three take turns within every iteration, so a
// machine that gets busier or calmer while the benchmark runs changes all
// three alike and not the ratios. Work done at start-up that a command
// does not need (package init, building commands it does not run, watching
// for signals) shows as the gap to hello world; `status` should stay
// within 2×. Both are built static (CGO_ENABLED=0), as the release is: a
// cgo build pays for the dynamic loader on every run as well.
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := func(args ...string) *exec.Cmd {
		cmd := exec.Command(goBin, append([]string{"build", "-trimpath"}, args...)...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		return cmd
	}
	exe := filepath.Join(dir, "magister-notify")
	if out, err := build("-o", exe, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	hello := filepath.Join(dir, "hello")
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	if out, err := build("-o", hello, src).CombinedOutput(); err != nil {
		b.Fatalf("build hello: %v\n%s", err, out)
	}
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"} {
		b.Setenv(v, b.TempDir())
	}
	b.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	fresh, family := b.TempDir(), familyState(b)
	full := withFullHistory(b, family)
	runs := []struct {
		name string
		argv []string
		wall time.Duration
	}{
		{name: "hello", argv: []string{hello}},
		{name: "version", argv: []string{exe, "version"}},
		{name: "status", argv: []string{exe, "--state-dir", fresh, "status"}},
		{name: "status-family", argv: []string{exe, "--state-dir", family, "status"}},
		{name: "status-full", argv: []string{exe, "--state-dir", full, "status"}},
	}
	for b.Loop() {
		for i := range runs {
			r := &runs[i]
			cmd := exec.Command(r.argv[0], r.argv[1:]...)
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v: %v\n%s", r.argv, err, out)
			}
			r.wall += time.Since(start)
		}
	}
	for _, r := range runs {
		b.ReportMetric(float64(r.wall.Microseconds())/float64(b.N)/1000, "ms-"+r.name)
	}
	for _, r := range runs[1:] {
		b.ReportMetric(float64(r.wall)/float64(runs[0].wall), "x-hello-"+r.name)
	}
}

// familyState signs in to a fake school as the parent of two, takes the
// baseline and delivers a few notifications, and returns the state
// directory.
func familyState(b *testing.B) string {
	school := magistertest.Start(b)
	dir := b.TempDir()
	cli := cliOn(b, dir)
	signIn(b, school.URL, cli)
	sink := "jsonl:" + filepath.Join(b.TempDir(), "out.jsonl")
	if code, _, errs := cli("config", "set", "sinks", sink); code != 0 {
		b.Fatal(errs)
	}
	for i := range 3 {
		for _, child := range []string{"Anna", "Daan"} {
			if _, err := school.AddGrade(magistertest.GradeSpec{Child: child, Value: "7,5", Weight: 1,
				Description: "Toets " + strconv.Itoa(i)}); err != nil {
				b.Fatal(err)
			}
		}
		if code, _, errs := cli("check"); code != 0 {
			b.Fatal(errs)
		}
	}
	return dir
}

// withFullHistory copies the state in dir to a new directory and fills its
// history with state.HistoryLimit notifications like the ones a check
// makes, and returns the new directory.
func withFullHistory(b *testing.B, dir string) string {
	src, err := state.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	s, err := src.Load(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	full := b.TempDir()
	dst, err := state.Open(full)
	if err != nil {
		b.Fatal(err)
	}
	at := time.Now()
	err = dst.Update(context.Background(), func(st *state.State) error {
		*st = s
		st.History = nil
		for i := range state.HistoryLimit {
			when := at.Add(-time.Duration(i) * 97 * time.Minute)
			st.History = append(st.History, state.Entry{ID: "grades:" + strconv.Itoa(4000+i), Kind: state.KindGrades,
				Account: "demo:1", ChildID: 2, Child: "Anna", Title: "Anna · 7,5 voor Wiskunde A",
				Body: "Proefwerk hoofdstuk " + strconv.Itoa(i%9) + " · weging 2 · gemiddelde 5,4 → 6,4",
				URL:  "https://demo.magister.net/magister/#/cijfers", Created: when, Delivered: when.Add(time.Minute),
				Batch: "check-" + strconv.Itoa(i/3), Item: strconv.Itoa(4000 + i), Change: "new", Done: []string{"desktop"}})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return full
}
