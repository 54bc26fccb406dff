// Package testenv is what tests of several packages share about their
// environment: re-executing the test binary as a child process (the
// helper-process pattern of os/exec's tests), the time zone the app's
// users live in, a clock a test sets, a buffer a process writes while the
// test reads, and planting symbolic links where the OS lets a test.
// Only tests import it.
package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Amsterdam works where the system has no zone data (Windows, minimal containers)
)

// HelperCommand returns a command that re-executes the running test binary
// to run only the test named test, with env added to the environment. The
// helper test does its work when it finds its variable in env, and returns
// at once in a normal run.
func HelperCommand(test string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.v=false")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// Amsterdam is Europe/Amsterdam, with its daylight saving time.
func Amsterdam() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic("testenv: " + err.Error()) // not reached: time/tzdata is embedded
	}
	return loc
}

// Symlink makes link a symbolic link to target, for tests that check a
// planted link is refused. Where creating one needs a privilege the test
// does not have (Windows without developer mode) it skips the test, which
// has nothing to check there; elsewhere a failure fails the test.
func Symlink(t testing.TB, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		if runtime.GOOS == "windows" {
			t.Skipf("symbolic links need a privilege here: %v", err)
		}
		t.Fatal(err)
	}
}

// Clock is a clock a test sets, for code that takes a Now function. It is
// safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock that reads t until it is moved.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the time the clock was last set to.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock d ahead.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Buffer is a bytes.Buffer that is safe for concurrent use: what a process
// or a goroutine writes while the test reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
