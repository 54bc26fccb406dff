package state

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/testenv"
)

// Tests that need several real processes re-execute this test binary; the
// child runs TestHelperProcess with STATE_HELPER naming its role.

func helperCommand(t testing.TB, role, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := testenv.HelperCommand("TestHelperProcess", "STATE_HELPER="+role, "STATE_HELPER_DIR="+dir,
		"STATE_HELPER_ARGS="+strings.Join(args, ","))
	cmd.Stderr = os.Stderr
	return cmd
}

func TestHelperProcess(t *testing.T) {
	role := os.Getenv("STATE_HELPER")
	if role == "" {
		return // not a helper: nothing to do in a normal run
	}
	defer os.Exit(0)
	args := strings.Split(os.Getenv("STATE_HELPER_ARGS"), ",")
	st, err := Open(os.Getenv("STATE_HELPER_DIR"), WithOwner("test "+role))
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	switch role {
	case "adder": // args: worker id, count — add items "w<id>-<i>" one Update each
		id, n := args[0], atoi(args[1])
		for i := range n {
			key := fmt.Sprintf("w%s-%d", id, i)
			if err := st.Update(ctx, func(s *State) error { addSeen(s, key); return nil }); err != nil {
				fail(err)
			}
		}
	case "crasher": // add items forever, printing each key once its Update returned
		out := bufio.NewWriter(os.Stdout)
		for i := 0; ; i++ {
			key := fmt.Sprintf("%s-%d", args[0], i)
			if err := st.Update(ctx, func(s *State) error { addSeen(s, key); return nil }); err != nil {
				fail(err)
			}
			fmt.Fprintln(out, key)
			out.Flush()
		}
	case "bigwriter": // under a file size limit, try to save a state larger than the limit
		limitFileSize(int64(atoi(args[0])))
		err := st.Update(ctx, func(s *State) error {
			for i := range 20000 {
				addSeen(s, fmt.Sprintf("big-%d", i))
			}
			return nil
		})
		if err == nil {
			fmt.Println("unexpectedly saved")
			os.Exit(3)
		}
		fmt.Println(err)
		os.Exit(2)
	case "holder": // hold the exclusive lock until stdin closes
		st.Update(ctx, func(*State) error {
			fmt.Println("locked")
			bufio.NewReader(os.Stdin).ReadString('\n')
			return nil
		})
	case "sharer": // hold a shared lock until stdin closes
		unlock, err := lockFile(ctx, st.lockPath(), false, "test sharer")
		if err != nil {
			fail(err)
		}
		fmt.Println("locked")
		bufio.NewReader(os.Stdin).ReadString('\n')
		unlock()
	default:
		fn, ok := helperRoles[role]
		if !ok {
			fail(fmt.Errorf("unknown helper role %q", role))
		}
		fn(st)
	}
}

// helperRoles holds roles that tests in other files add.
var helperRoles = map[string]func(*Store){}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "helper:", err)
	os.Exit(1)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fail(err)
	}
	return n
}

// addSeen marks key as seen for the first child of the first account,
// creating both when needed.
func addSeen(s *State, key string) {
	if len(s.Accounts) == 0 {
		s.Accounts = []Account{{Key: "test", School: "test", Children: []Child{{ID: 1, FirstName: "Anna"}}}}
	}
	c := &s.Accounts[0].Children[0]
	if c.Seen == nil {
		c.Seen = map[string]*SeenSet{}
	}
	set := c.Seen[KindGrades]
	if set == nil {
		set = &SeenSet{Baselined: true, Items: map[string]SeenItem{}}
		c.Seen[KindGrades] = set
	}
	set.Items[key] = SeenItem{Fingerprint: "7,5", Expires: time.Now().Add(365 * 24 * time.Hour).Unix()}
}

// seenKeys returns the seen grade keys of the first child.
func seenKeys(s State) map[string]bool {
	keys := map[string]bool{}
	if len(s.Accounts) == 0 || len(s.Accounts[0].Children) == 0 {
		return keys
	}
	if set := s.Accounts[0].Children[0].Seen[KindGrades]; set != nil {
		for k := range set.Items {
			keys[k] = true
		}
	}
	return keys
}

func mustOpen(t testing.TB, opts ...Option) *Store {
	t.Helper()
	st, err := Open(t.TempDir(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func mustView(t testing.TB, st *Store) State {
	t.Helper()
	var got State
	if err := st.View(context.Background(), func(s State) error { got = s; return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

// decodeFile decodes the state file of st as it is on disk, bypassing the
// Store and what it remembers.
func decodeFile(t testing.TB, st *Store) *State {
	t.Helper()
	data, err := os.ReadFile(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	s, err := decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func init() {
	helperRoles["tray"] = func(st *Store) {
		release, err := st.LockTray(context.Background())
		if err != nil {
			fail(err)
		}
		fmt.Println("locked")
		bufio.NewReader(os.Stdin).ReadString('\n')
		release()
	}
}
