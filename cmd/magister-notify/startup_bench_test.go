package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// BenchmarkStartup runs the real binary (built here, not the test binary)
// for `version` and `status`, next to a Go hello world built the same way,
// and reports the wall time of one run of each and how many hello worlds
// each takes (x-hello). The three take turns within every iteration, so a
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
	stateDir := b.TempDir()
	runs := []struct {
		name string
		argv []string
		wall time.Duration
	}{
		{name: "hello", argv: []string{hello}},
		{name: "version", argv: []string{exe, "version"}},
		{name: "status", argv: []string{exe, "--state-dir", stateDir, "status"}},
	}
	for b.Loop() {
		for i := range runs {
			r := &runs[i]
			cmd := exec.Command(r.argv[0], r.argv[1:]...)
			cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
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
