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
// once per iteration for `version` and `status`, next to a Go hello world
// built the same way, and reports the CPU time (user + system) and wall
// time of one run. Work done at start-up that a command does not need
// (package init: init-system detection, regexp compilation, installer
// set-up) shows as the gap to hello world; `status` should stay within 2×.
// Both are built static (CGO_ENABLED=0), as the Linux release is meant to
// be: a cgo build pays for the dynamic loader on every run as well.
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
	for _, c := range []struct {
		name string
		argv []string
	}{
		{"hello", []string{hello}},
		{"version", []string{exe, "version"}},
		{"status", []string{exe, "--state-dir", stateDir, "status"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var cpu, wall time.Duration
			for b.Loop() {
				cmd := exec.Command(c.argv[0], c.argv[1:]...)
				cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
				start := time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %v\n%s", c.argv, err, out)
				}
				wall += time.Since(start)
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/1000, "ms-cpu/run")
			b.ReportMetric(float64(wall.Microseconds())/float64(b.N)/1000, "ms-wall/run")
		})
	}
}
