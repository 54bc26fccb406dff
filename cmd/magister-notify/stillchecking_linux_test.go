package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY returns both ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock the pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the pty: %v", err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// TestSlowCheckSaysItIsWaiting (issue 13, item 7): on a terminal a check
// that takes long says so; with output that is not a terminal it says
// nothing.
func TestSlowCheckSaysItIsWaiting(t *testing.T) {
	master, slave := openPTY(t)
	a := &app{stderr: slave}
	stop := a.sayStillChecking(20 * time.Millisecond)
	line, err := bufio.NewReader(master).ReadString('\n')
	stop()
	if err != nil || !strings.Contains(line, "Still waiting for Magister") {
		t.Errorf("terminal got %q (%v), want the waiting line", line, err)
	}

	var buf strings.Builder
	quiet := &app{stderr: &buf}
	stop = quiet.sayStillChecking(time.Millisecond)
	time.Sleep(20 * time.Millisecond) // past the moment: nothing may come
	stop()
	if buf.Len() != 0 {
		t.Errorf("not a terminal, yet it said %q", buf.String())
	}
}
