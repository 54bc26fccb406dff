//go:build unix

package state

import "syscall"

func limitFileSize(n int64) {
	lim := &syscall.Rlimit{Cur: uint64(n), Max: uint64(n)}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, lim); err != nil {
		fail(err)
	}
}
