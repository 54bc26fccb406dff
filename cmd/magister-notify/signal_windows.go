//go:build windows

package main

import (
	"os"
	"syscall"
)

// stopSignals end a command gracefully. On Windows os.Interrupt is Ctrl-C or
// Ctrl-Break, and syscall.SIGTERM stands for the console window closing,
// logoff and shutdown, after which Windows ends the process within seconds;
// the release that follows is one short state transaction.
func stopSignals() []os.Signal { return []os.Signal{os.Interrupt, syscall.SIGTERM} }
