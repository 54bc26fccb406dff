package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// benchIdle is how long BenchmarkTrayResources watches the idle tray.
const benchIdle = time.Minute

// clockTicks is USER_HZ, the unit of /proc/PID/stat times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// BenchmarkTrayResources measures the real binary's tray (built here, not
// the test binary) on a private bus against the fake school: its resident
// memory after start-up, after 10 warm-up checks and after 100 more, and its CPU time while idle
// for a minute. Targets: under 30 MB, no growth over the checks, under 0.1 s
// of CPU per idle minute. It takes a little over a minute; `make bench`
// runs it.
func BenchmarkTrayResources(b *testing.B) {
	w := newTrayWorld(b)
	exe := filepath.Join(b.TempDir(), "magister-notify")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-trimpath", "-ldflags", "-s -w", "-o", exe, ".")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	b.ResetTimer()
	p := w.startTray(b, exe)
	pid := p.cmd.Process.Pid
	w.poll(b, p, 10*time.Second, "the menu", func(m []menuEntry) bool { return findEntry(m, "Check now") != nil })
	deadline := time.Now().Add(20 * time.Second)
	for checksDone(w.dir) < 1 {
		if time.Now().After(deadline) {
			b.Fatalf("no start-up check; log:\n%s", readLog(w.dir))
		}
		time.Sleep(20 * time.Millisecond)
	}
	rssStart := vmRSS(b, pid)

	checks := func(n int) {
		for i := range n {
			if i%10 == 0 { // something to notify now and then
				if _, err := w.school.AddGrade(magistertest.GradeSpec{Child: "Anna", Value: fmt.Sprintf("%d,5", 5+i%4), Weight: 1}); err != nil {
					b.Fatal(err)
				}
			}
			done := checksDone(w.dir)
			w.clickUntil(b, p, "Check now", func() bool { return checksDone(w.dir) > done })
		}
		time.Sleep(time.Second) // the last delivery round
	}
	// Ten checks warm up what a long-running tray keeps (connections, the
	// heap's working size, a full Recent menu); a hundred more must not grow it.
	checks(10)
	rssWarm := vmRSS(b, pid)
	checks(100)
	rss100 := vmRSS(b, pid)

	cpu0 := cpuTime(b, pid)
	time.Sleep(benchIdle)
	cpu1 := cpuTime(b, pid)
	b.StopTimer()

	const mb = 1 << 20
	b.ReportMetric(float64(rssStart)/mb, "MB-rss-start")
	b.ReportMetric(float64(rssWarm)/mb, "MB-rss-after-10-checks")
	b.ReportMetric(float64(rss100)/mb, "MB-rss-after-100-checks")
	b.ReportMetric((cpu1-cpu0).Seconds()/benchIdle.Minutes(), "s-cpu/idle-min")
	if strings.Contains(readLog(w.dir), "level=ERROR") {
		b.Errorf("the tray logged errors:\n%s", readLog(w.dir))
	}
}

// vmRSS is the resident memory of pid in bytes.
func vmRSS(tb testing.TB, pid int) int64 {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil || len(f) != 2 || f[1] != "kB" {
				tb.Fatalf("VmRSS line %q", line)
			}
			return kb * 1024
		}
	}
	tb.Fatalf("no VmRSS for pid %d", pid)
	return 0
}

// cpuTime is the user plus system CPU time pid has used.
func cpuTime(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// Fields after the command name, which is in parentheses and may
	// contain spaces: state is field 3, utime 14 and stime 15.
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		tb.Fatalf("short /proc/%d/stat: %q", pid, s)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		tb.Fatalf("/proc/%d/stat: %q", pid, s)
	}
	return time.Duration(ut+st) * time.Second / clockTicks
}
