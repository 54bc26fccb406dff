package state

// Real-process tests of what the state directory's files must withstand.

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func plantLink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		if runtime.GOOS == "windows" {
			t.Skipf("symbolic links need a privilege here: %v", err)
		}
		t.Fatal(err)
	}
}

// TestSaveNeverWritesThroughAPlantedLink: a link at the temporary name
// earlier versions wrote to (state.json.tmp) does not make a writer process
// put the state into the file the link names.
func TestSaveNeverWritesThroughAPlantedLink(t *testing.T) {
	st := mustOpen(t)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("victim"), 0o644); err != nil {
		t.Fatal(err)
	}
	plantLink(t, victim, st.Path()+".tmp")
	if err := helperCommand(t, "adder", st.Dir(), "0", "3").Run(); err != nil {
		t.Fatalf("writer: %v", err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "victim" {
		t.Fatalf("the state was written into the link's target: %.60q", got)
	}
	if n := len(seenKeys(mustView(t, st))); n != 3 {
		t.Fatalf("%d items saved, want 3", n)
	}
}
