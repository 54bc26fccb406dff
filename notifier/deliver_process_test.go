package notifier

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/internal/testenv"
	"github.com/magister-notify/magister-notify/state"
)

// Claims across processes are proven with real processes: the test binary
// re-executes itself, and the child runs TestDeliverHelperProcess with
// NOTIFIER_DELIVER_HELPER naming its role.

func deliverHelper(t *testing.T, role, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := testenv.HelperCommand("TestDeliverHelperProcess", "NOTIFIER_DELIVER_HELPER="+role, "NOTIFIER_DELIVER_DIR="+dir,
		"NOTIFIER_DELIVER_ARGS="+strings.Join(args, "\x1f"))
	cmd.Stderr = os.Stderr
	return cmd
}

func TestDeliverHelperProcess(t *testing.T) {
	role := os.Getenv("NOTIFIER_DELIVER_HELPER")
	if role == "" {
		return // not a helper: nothing to do in a normal run
	}
	defer os.Exit(0)
	args := strings.Split(os.Getenv("NOTIFIER_DELIVER_ARGS"), "\x1f")
	st, err := state.Open(os.Getenv("NOTIFIER_DELIVER_DIR"), state.WithOwner("test "+role))
	if err != nil {
		helperFail(err)
	}
	ctx := context.Background()
	d := &Deliverer{Store: st, Sinks: []Sink{NewJSONLSink(args[0])}}
	switch role {
	case "loop": // args: jsonl, news file — deliver until the news file says "stop" and the outbox is empty
		delivered := 0
		seen := ""
		for first := true; ; first = false {
			rep, err := d.Deliver(ctx)
			if err != nil {
				helperFail(err)
			}
			delivered += rep.Delivered
			if first {
				fmt.Println("ready")
			}
			if rep.Claimed > 0 {
				continue
			}
			if seen == "stop" {
				empty := false
				if err := st.View(ctx, func(s state.State) error { empty = len(s.Outbox) == 0; return nil }); err != nil {
					helperFail(err)
				}
				if empty {
					fmt.Println(delivered)
					return
				}
			}
			seen = waitForNews(args[1], seen)
		}
	case "crash": // args: jsonl, n — exit without acknowledging the n-th notification
		n, _ := strconv.Atoi(args[1])
		shown := 0
		d.afterShow = func(string, Notification) {
			if shown++; shown == n {
				os.Exit(3)
			}
		}
		d.Deliver(ctx)
		helperFail(errors.New("Deliver returned"))
	case "report": // args: jsonl — deliver, printing each id once shown (the parent kills us)
		d.afterShow = func(_ string, n Notification) { fmt.Println(n.ID) }
		if _, err := d.Deliver(ctx); err != nil {
			helperFail(err)
		}
	default:
		helperFail(fmt.Errorf("unknown role %q", role))
	}
}

// waitForNews polls the news file, which the parent rewrites whenever it
// queued more (as a check wakes the tray), until it no longer says seen.
// After "stop" only leases that other processes give up can bring work, so
// it just waits a little.
func waitForNews(path, seen string) string {
	for range 500 {
		time.Sleep(2 * time.Millisecond) // polling for work, not synchronisation
		b, _ := os.ReadFile(path)
		if news := string(b); news != seen {
			return news
		}
		if seen == "stop" {
			time.Sleep(20 * time.Millisecond)
			return seen
		}
	}
	return seen
}

func helperFail(err error) {
	fmt.Fprintln(os.Stderr, "helper:", err)
	os.Exit(1)
}

// writeNews replaces the news file atomically with text.
func writeNews(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path+".tmp", []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}

// readJSONL counts the ids in a jsonl sink file.
func readJSONL(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	count := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec struct{ ID string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil || rec.ID == "" {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		count[rec.ID]++
	}
	return count
}

// manyEntries are small entries: the cost of these tests is the state's
// JSON, which the race detector slows down a lot.
func manyEntries(from, n int, at time.Time) []state.Entry {
	es := make([]state.Entry, n)
	for i := range es {
		id := fmt.Sprintf("e%03d", from+i)
		es[i] = state.Entry{ID: id, Kind: state.KindGrades, Title: id, Created: at}
	}
	return es
}

// TestDeliverersInSeparateProcesses: six processes deliver from one outbox
// to one jsonl file while entries keep arriving; every entry is written
// exactly once.
func TestDeliverersInSeparateProcesses(t *testing.T) {
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.jsonl")
	news := filepath.Join(t.TempDir(), "news")
	st := openOutboxStore(t, dir)
	queueEntries(t, st, manyEntries(0, 20, time.Now())...)

	const procs = 6
	var cmds []*exec.Cmd
	var outs []*bufio.Scanner
	for range procs {
		cmd := deliverHelper(t, "loop", dir, out, news)
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, bufio.NewScanner(pipe))
	}
	for i, sc := range outs {
		if !sc.Scan() || sc.Text() != "ready" {
			t.Fatalf("helper %d did not start: %q", i, sc.Text())
		}
	}
	// The rest arrive while they work, as from checks.
	for i := 20; i < 200; i += 10 {
		queueEntries(t, st, manyEntries(i, 10, time.Now())...)
		writeNews(t, news, strconv.Itoa(i))
	}
	writeNews(t, news, "stop")
	var spread []string
	total := 0
	for i, cmd := range cmds {
		outs[i].Scan()
		n, err := strconv.Atoi(outs[i].Text())
		if err != nil {
			t.Errorf("helper %d said %q", i, outs[i].Text())
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v", i, err)
		}
		total += n
		spread = append(spread, strconv.Itoa(n))
	}
	t.Logf("entries delivered per process: %s", strings.Join(spread, " "))

	count := readJSONL(t, out)
	if len(count) != 200 {
		t.Errorf("%d distinct ids in the file, want 200", len(count))
	}
	for id, n := range count {
		if n != 1 {
			t.Errorf("%s written %d times", id, n)
		}
	}
	s := readState(t, st)
	if len(s.Outbox) != 0 || len(s.History) != 200 || total != 200 {
		t.Errorf("outbox %d, history %d, reported %d", len(s.Outbox), len(s.History), total)
	}
}

// TestProcessCrashBetweenShowAndAck: a process that dies right after a show
// leaves its lease to expire; the next deliverer repeats that one entry only.
func TestProcessCrashBetweenShowAndAck(t *testing.T) {
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.jsonl")
	st := openOutboxStore(t, dir)
	queueEntries(t, st, manyEntries(0, 20, time.Now())...)
	err := deliverHelper(t, "crash", dir, out, "7").Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("helper: %v", err)
	}
	if n := len(readJSONL(t, out)); n != 7 {
		t.Fatalf("%d written before the crash, want 7", n)
	}
	count := finishAfterLease(t, st, out)
	twice := 0
	for id, n := range count {
		if n == 2 {
			twice++
			if id != "e006" {
				t.Errorf("%s repeated, want only the crashed e006", id)
			}
		}
	}
	if len(count) != 20 || twice != 1 {
		t.Errorf("%d ids, %d repeated: want 20 and 1", len(count), twice)
	}
}

// TestProcessKilledMidDelivery: SIGKILL at an arbitrary moment loses
// nothing and repeats at most one entry.
func TestProcessKilledMidDelivery(t *testing.T) {
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.jsonl")
	st := openOutboxStore(t, dir)
	queueEntries(t, st, manyEntries(0, 60, time.Now())...)
	cmd := deliverHelper(t, "report", dir, out)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(pipe)
	for range 10 {
		if !sc.Scan() {
			t.Fatal("helper ended early")
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	before := len(readJSONL(t, out))
	count := finishAfterLease(t, st, out)
	twice := 0
	for id, n := range count {
		if n > 2 {
			t.Errorf("%s written %d times", id, n)
		}
		if n == 2 {
			twice++
		}
	}
	t.Logf("killed after %d of 60 written; %d repeated", before, twice)
	if len(count) != 60 || twice > 1 {
		t.Errorf("%d ids, %d repeated: want 60 and at most 1", len(count), twice)
	}
}

// finishAfterLease delivers what is left once the dead process's lease has
// expired, and returns the counts of ids in the file.
func finishAfterLease(t *testing.T, st *state.Store, out string) map[string]int {
	t.Helper()
	later := time.Now().Add(DefaultLease + time.Second)
	d := &Deliverer{Store: st, Sinks: []Sink{NewJSONLSink(out)}, Now: func() time.Time { return later }}
	if _, err := d.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := readState(t, st); len(s.Outbox) != 0 {
		t.Errorf("%d entries left in the outbox", len(s.Outbox))
	}
	return readJSONL(t, out)
}
