//go:build windows && wine

package winetest

import _ "unsafe" // go:linkname

// Go's os.RemoveAll deletes with NtSetInformationFile(FileDispositionInformationEx),
// which Wine 8 answers with STATUS_NOT_IMPLEMENTED, so every t.TempDir
// cleanup would fail with "unlinkat …: Invalid function". The standard
// library falls back to the older FileDispositionInfo call for Windows
// versions and file systems without the Ex class, and has a switch for
// testing that path; under Wine (and only there) this turns it on, so
// directories are really removed and no error needs to be tolerated.
//
// The switch is internal to the standard library: the Wine lane builds with
// -tags wine -ldflags=-checklinkname=0 (scripts/test-windows.sh). If a Go
// release removes it, that build fails with a link error naming it.
//
//go:linkname deleteatFallback internal/syscall/windows.TestDeleteatFallback
var deleteatFallback bool

func init() {
	if running {
		deleteatFallback = true
	}
}
