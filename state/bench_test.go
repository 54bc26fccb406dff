package state

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/magister-notify/magister-notify/internal/atomicfile"
)

// BenchmarkAtomicReplace is the physical floor of a durable save: write a
// small file, fsync it, rename it over the old one, fsync the directory.
func BenchmarkAtomicReplace(b *testing.B) {
	dir := b.TempDir()
	st := seededStore(b, 20)
	data, err := os.ReadFile(st.Path())
	if err != nil {
		b.Fatal(err)
	}
	path, tmp := filepath.Join(dir, "f"), filepath.Join(dir, "f.tmp")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			b.Fatal(err)
		}
		f.Write(data)
		f.Sync()
		f.Close()
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		if err := atomicfile.SyncDir(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate measures one whole transaction (lock, read, decode, change
// one item, encode, durable replace, unlock) for states of several sizes.
func BenchmarkUpdate(b *testing.B) {
	for _, n := range []int{20, 1000, 10000} {
		b.Run(fmt.Sprintf("seen=%d", n), func(b *testing.B) {
			st := seededStore(b, n)
			if fi, err := os.Stat(st.Path()); err == nil {
				b.SetBytes(fi.Size())
			}
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				err := st.Update(ctx, func(s *State) error {
					s.Accounts[0].Children[0].Seen[KindGrades].Items["item-0"] = SeenItem{Fingerprint: fmt.Sprint(i)}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkView measures a display read under the shared lock.
func BenchmarkView(b *testing.B) {
	st := seededStore(b, 1000)
	ctx := context.Background()
	for b.Loop() {
		if err := st.View(ctx, func(State) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func seededStore(b *testing.B, n int) *Store {
	st, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	err = st.Update(context.Background(), func(s *State) error {
		for i := range n {
			addSeen(s, fmt.Sprintf("item-%d", i))
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkLanguageSetting measures the CLI's lock-free look-up of the
// language setting, next to BenchmarkView on the same state.
func BenchmarkLanguageSetting(b *testing.B) {
	st := seededStore(b, 1000)
	for b.Loop() {
		if _, err := LanguageSetting(st.Dir()); err != nil {
			b.Fatal(err)
		}
	}
}
