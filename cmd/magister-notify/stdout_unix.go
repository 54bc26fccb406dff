//go:build unix

package main

import "golang.org/x/sys/unix"

// stdoutClosed reports whether the process was started with standard output
// closed. The Go runtime then puts /dev/null in its place, opened for
// reading and writing, so what is written there is lost without an error; a
// shell's ">/dev/null" opens it for writing only, which is the user's
// choice and not reported.
func stdoutClosed() bool {
	var out, null unix.Stat_t
	if unix.Fstat(1, &out) != nil || unix.Stat("/dev/null", &null) != nil {
		return false
	}
	if out.Mode&unix.S_IFMT != unix.S_IFCHR || out.Rdev != null.Rdev {
		return false
	}
	flags, err := unix.FcntlInt(1, unix.F_GETFL, 0)
	return err == nil && flags&unix.O_ACCMODE == unix.O_RDWR
}
