package magister

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/magister-notify/magister-notify/internal/atomicfile"
)

// A refresh uses up the old refresh token, so its result has to land
// somewhere durable, or the login is gone. Before a refresh, a TokenSource
// sets aside a file in its directory (reserveSize bytes, written and
// synced). When that is impossible (disk full, read-only file system) the
// refresh is not made: the stored login is untouched, and StoreError says
// why. After the refresh the new token is written into the set-aside space
// first, which needs no new room, and then saved in the store; the file is
// removed once the store has it. If the store cannot take it, the file stays
// as a rescue file, and every later load finds the token there until a save
// succeeds.
//
// A rescue file names the refresh token it replaced (by hash), so it only
// counts while the store still holds that token, or a rescue that does:
// a chain from the stored token to the newest one. Rescue files off the
// chain are stale and are removed under the lock.

const (
	rescuePrefix = "tokens-rescue-"
	rescueSuffix = ".json"
	// reserveSize is far more than one token (two JWTs and a refresh
	// token, a few KiB) needs.
	reserveSize = 64 << 10
	// maxRescues bounds how many rescue files a load reads.
	maxRescues = 64
)

// StoreError means a refreshed login cannot be written to the token store
// or its directory: the disk is full, the file system is read-only, or
// another write error. Err is the cause.
//
// Without Rescue the refresh was not made and the stored login still works
// once the store can be written. With Rescue the refresh was made and the
// new login waits in that file; the next use takes it into the store.
type StoreError struct {
	// Dir is the token directory.
	Dir string
	// Rescue is the file that holds the refreshed login, if any.
	Rescue string
	// Err is why the store (or, without Rescue, the directory) could not be
	// written.
	Err error
	// lost is why the refreshed login could not be set aside either: only
	// the process that refreshed holds it.
	lost error
}

// Error names what happened to the login and the cause.
func (e *StoreError) Error() string {
	switch {
	case e.lost != nil:
		return fmt.Sprintf("magister: the refreshed login could not be saved (%v) nor set aside (%v); only this process holds it",
			trimPrefix(e.Err), trimPrefix(e.lost))
	case e.Rescue != "":
		return fmt.Sprintf("magister: the refreshed login could not be saved in the token store (%v); it is kept in %s until it can be",
			trimPrefix(e.Err), e.Rescue)
	}
	return fmt.Sprintf("magister: token refresh postponed, the stored login is kept: %s cannot take a new one: %v",
		e.Dir, cause(e.Err))
}

// cause is the reason in err without the name of a file the caller's
// message already places.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return trimPrefix(err)
}

// Unwrap returns the cause.
func (e *StoreError) Unwrap() error { return e.Err }

// LoginKept reports whether the login survives this process: it was not
// refreshed, or the refreshed one is in a rescue file.
func (e *StoreError) LoginKept() bool { return e.lost == nil }

func trimPrefix(err error) string { return strings.TrimPrefix(err.Error(), "magister: ") }

// rescueRecord is the content of a rescue file.
type rescueRecord struct {
	Version int    `json:"version"`
	Key     string `json:"key"`
	// Replaces is the fingerprint of the refresh token this one replaced.
	Replaces string      `json:"replaces"`
	Token    storedToken `json:"token"`
}

// fingerprint identifies a refresh token without storing it.
func fingerprint(refreshToken string) string {
	sum := sha256.Sum256([]byte(refreshToken))
	return hex.EncodeToString(sum[:])
}

// reservation is room set aside in the token directory for one token.
type reservation struct {
	f          *os.File
	path       string
	size, used int64
}

// reserve creates a rescue file of reserveSize bytes in dir and makes it
// durable, proving that dir can take a token now.
func reserve(dir string) (_ *reservation, err error) {
	f, err := os.CreateTemp(dir, rescuePrefix+"*"+rescueSuffix)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// Spaces: what is not overwritten later is whitespace around JSON.
	if _, err = f.Write(bytes.Repeat([]byte{' '}, reserveSize)); err != nil {
		return nil, err
	}
	if err = f.Sync(); err != nil {
		return nil, err
	}
	if err = atomicfile.SyncDir(dir); err != nil {
		return nil, err
	}
	return &reservation{f: f, path: f.Name(), size: reserveSize}, nil
}

// fill writes rec into the reserved space, in place, and syncs it. The
// rest of the space stays reserved (as trailing spaces, which JSON
// ignores) until the store has answered.
func (r *reservation) fill(rec rescueRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := r.f.WriteAt(b, 0); err != nil {
		return err
	}
	r.size = max(r.size, int64(len(b)))
	r.used = int64(len(b))
	return r.f.Sync()
}

// keep leaves the filled file as a rescue file, giving back the room it
// does not need.
func (r *reservation) keep() {
	if r.used > 0 && r.used < r.size {
		if r.f.Truncate(r.used) == nil {
			_ = r.f.Sync()
		}
	}
	r.f.Close()
}

// discard closes and removes the file.
func (r *reservation) discard() {
	r.f.Close()
	os.Remove(r.path)
}

// rescueFile is one rescue file read back.
type rescueFile struct {
	path string
	rec  rescueRecord
}

// readRescues returns the rescue files in dir for key, and the paths of
// rescue files that do not decode (left by a process that died before
// filling its reservation).
func readRescues(dir, key string) (files []rescueFile, junk []string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, rescuePrefix) || !strings.HasSuffix(name, rescueSuffix) {
			continue
		}
		if len(files)+len(junk) >= maxRescues {
			break
		}
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var rec rescueRecord
		if json.Unmarshal(b, &rec) != nil || rec.Version != 1 || rec.Token.RefreshToken == "" {
			junk = append(junk, path)
			continue
		}
		if rec.Key == key {
			files = append(files, rescueFile{path, rec})
		}
	}
	return files, junk
}

// followRescues starts at the stored token and follows the chain of rescue
// files that replaced it. It returns the newest token, the files on the
// chain and the files off it.
func followRescues(stored *Token, files []rescueFile) (newest *Token, chain, stale []string) {
	newest = stored
	used := make([]bool, len(files))
	for {
		fp := fingerprint(newest.RefreshToken)
		i := -1
		for j, f := range files {
			if !used[j] && f.rec.Replaces == fp {
				i = j
				break
			}
		}
		if i < 0 {
			break
		}
		used[i] = true
		newest = files[i].rec.Token.token()
		chain = append(chain, files[i].path)
	}
	for j, f := range files {
		if !used[j] {
			stale = append(stale, f.path)
		}
	}
	return newest, chain, stale
}

// removeAll removes files, ignoring errors: a file that stays is found
// stale (or junk) again later.
func removeAll(paths ...[]string) {
	for _, ps := range paths {
		for _, p := range ps {
			_ = os.Remove(p)
		}
	}
}
