package main

// stdoutClosed reports whether the process was started with standard output
// closed. On Windows a missing standard handle makes writes fail on their
// own, so there is nothing to find out.
func stdoutClosed() bool { return false }
