package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// Issue 11, item 1: a token refresh while the state directory cannot be
// written must not cost the login. These tests use real file systems (a
// small tmpfs, a read-only bind mount), so they need root: CI runs as root.
// Without root they skip and say so; as root, a mount that fails fails the
// test.

// needRoot skips t when mounting is not allowed at all.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs or a read-only bind mount needs root (CI runs as root); skipped")
	}
}

// mountTmpfs mounts a tmpfs of size bytes on a fresh directory.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	needRoot(t)
	mnt := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		t.Fatalf("cannot mount a tmpfs on %s: %v (this test needs a machine that can mount, as CI can)", mnt, err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	return mnt
}

// bindReadOnly makes dir read-only by bind-mounting it onto itself; the
// returned function undoes it.
func bindReadOnly(t *testing.T, dir string) (undo func()) {
	t.Helper()
	needRoot(t)
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Fatalf("cannot bind-mount %s: %v (this test needs a machine that can mount, as CI can)", dir, err)
	}
	undo = func() { syscall.Unmount(dir, syscall.MNT_DETACH) }
	t.Cleanup(undo)
	if err := syscall.Mount("", dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("cannot make the bind mount %s read-only: %v", dir, err)
	}
	return undo
}

// fillDisk writes a file in dir until its file system is full and returns
// the file's path.
func fillDisk(dir string) (string, error) {
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		return path, err
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return path, nil
			}
			return path, err
		}
	}
}

// checkProcess runs `check` on dir as a separate process.
func checkProcess(t *testing.T, dir string) (int, string) {
	t.Helper()
	code, _, errs := process(t, "", "--state-dir", dir, "check", "--sink", "stdout")
	return code, errs
}

// wantKeptLogin asserts a check that failed for cause without losing the
// sign-in: not the login exit code, not "sign in again".
func wantKeptLogin(t *testing.T, code int, errs, cause string) {
	t.Helper()
	if code == 0 || code == exitLogin || !strings.Contains(errs, cause) || strings.Contains(errs, "sign in again") {
		t.Errorf("check on a broken state directory: exit %d, %q; want a failure naming %q that keeps the sign-in", code, errs, cause)
	}
}

func rescueFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "tokens-rescue-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRefreshOnFullDiskKeepsLogin: the disk is full when a check has to
// refresh. The refresh is not made (nothing to store it in), the user is
// told the disk is full, and once there is room the next check works
// without signing in again.
func TestRefreshOnFullDiskKeepsLogin(t *testing.T) {
	noKeyring(t)
	school := magistertest.Start(t)
	dir := filepath.Join(mountTmpfs(t, 1<<20), "state")
	signIn(t, school.URL, cliOn(t, dir))
	if code, errs := checkProcess(t, dir); code != 0 {
		t.Fatalf("baseline check: %d %s", code, errs)
	}
	school.ExpireAccessTokens() // the next check has to refresh
	filler, err := fillDisk(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	code, errs := checkProcess(t, dir)
	wantKeptLogin(t, code, errs, "no space left on device")
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if code, errs := checkProcess(t, dir); code != 0 {
		t.Errorf("check after space was freed: exit %d, %s", code, errs)
	}
}

// TestRefreshThatCannotBeSavedIsRescued: the disk fills up while the
// refresh is on its way, so Magister has rotated the refresh token but the
// token file cannot take the new one. The new token waits in a rescue file;
// once there is room the next check takes it back without signing in.
func TestRefreshThatCannotBeSavedIsRescued(t *testing.T) {
	noKeyring(t)
	school := magistertest.Start(t)
	mnt := mountTmpfs(t, 1<<20)
	dir := filepath.Join(mnt, "state")

	// A proxy in front of the school fills the disk after the school has
	// answered a token refresh and before the answer arrives.
	var fillNext atomic.Bool
	var filler atomic.Value
	u, _ := url.Parse(school.URL)
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path == "/connect/token" && fillNext.CompareAndSwap(true, false) {
			path, err := fillDisk(mnt)
			filler.Store(path)
			return err
		}
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)

	signIn(t, front.URL, cliOn(t, dir))
	if code, errs := checkProcess(t, dir); code != 0 {
		t.Fatalf("baseline check: %d %s", code, errs)
	}
	school.ExpireAccessTokens()
	fillNext.Store(true)
	code, errs := checkProcess(t, dir)
	wantKeptLogin(t, code, errs, "no space left on device")
	if fillNext.Load() {
		t.Fatal("the check made no token refresh")
	}
	if len(rescueFiles(t, dir)) != 1 {
		t.Errorf("rescue files %q; want one holding the refreshed sign-in", rescueFiles(t, dir))
	}
	if err := os.Remove(filler.Load().(string)); err != nil {
		t.Fatal(err)
	}
	if code, errs := checkProcess(t, dir); code != 0 {
		t.Errorf("check after space was freed: exit %d, %s", code, errs)
	}
	if m := rescueFiles(t, dir); len(m) != 0 {
		t.Errorf("rescue files left after the store took the token back: %q", m)
	}
}

// TestRefreshOnReadOnlyStateKeepsLogin: the state directory is a read-only
// mount when a check has to refresh. The refresh is not made, the user is
// told why, and once it is writable again the next check works.
func TestRefreshOnReadOnlyStateKeepsLogin(t *testing.T) {
	needRoot(t)
	noKeyring(t)
	school := magistertest.Start(t)
	dir := filepath.Join(t.TempDir(), "state")
	signIn(t, school.URL, cliOn(t, dir))
	if code, errs := checkProcess(t, dir); code != 0 {
		t.Fatalf("baseline check: %d %s", code, errs)
	}
	school.ExpireAccessTokens()
	undo := bindReadOnly(t, dir)
	code, errs := checkProcess(t, dir)
	wantKeptLogin(t, code, errs, "read-only file system")
	undo()
	if code, errs := checkProcess(t, dir); code != 0 {
		t.Errorf("check once the directory is writable again: exit %d, %s", code, errs)
	}
}
