//go:build unix

package main

import (
	"os"
	"os/signal"
	"syscall"
)

// stopSignals end a command gracefully: Ctrl-C, SIGTERM (kill, systemd),
// and SIGHUP (the terminal closed) unless it is ignored, so that nohup
// keeps its meaning.
func stopSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}
