package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

// The scenario tests run the CLI as real processes: the test binary
// re-executes itself with MAGISTER_NOTIFY_CLI_ARGS and runs what main runs
// (runMain: run() with its signal handling).
// It also acts as the CLI when started with CLI arguments, as the
// m6loapp:// handler that a test registered starts it.

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-test.") {
		os.Exit(runMain(os.Args[1:]))
	}
	if args := os.Getenv("MAGISTER_NOTIFY_CLI_ARGS"); args != "" {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(runMain(argv))
	}
	// The tests expect the CLI's English words unless they choose a locale
	// themselves (t.Setenv, which the CLI processes they start inherit).
	os.Setenv("LANG", "en_US.UTF-8")
	os.Unsetenv("LC_ALL")
	os.Unsetenv("LC_MESSAGES")
	os.Exit(m.Run())
}

// cliProcess prepares the CLI as a separate process.
func cliProcess(args ...string) *exec.Cmd {
	argv, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "MAGISTER_NOTIFY_CLI_ARGS="+string(argv))
	return cmd
}

var scenarioTag = regexp.MustCompile(`Scenario (\d+)`)

// countTags counts each "Scenario N" in the jsonl file.
func countTags(t *testing.T, path string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, line := range readLines(t, path) {
		body, _ := line["body"].(string)
		for _, m := range scenarioTag.FindAllStringSubmatch(body, -1) {
			counts[m[1]]++
		}
	}
	return counts
}

// configureJSONL makes a jsonl file in dir the configured sink and returns
// its path. The checks under test use it as the tray uses the desktop: a
// one-off `check --sink` would leave every entry waiting for the desktop.
func configureJSONL(t *testing.T, dir string, cli func(args ...string) (int, string, string)) string {
	t.Helper()
	jsonl := filepath.Join(dir, "notifications.jsonl")
	if code, _, errs := cli("config", "set", "sinks", "jsonl:"+jsonl); code != 0 {
		t.Fatal(errs)
	}
	return jsonl
}

// baselined signs in to a fresh fake school, makes a jsonl file the
// configured sink and takes the baseline check. It returns the school, the
// state directory, a function running the CLI on it, and the jsonl file.
func baselined(t *testing.T) (*magistertest.School, string, func(args ...string) (int, string, string), string) {
	t.Helper()
	school, dir, cli := signedIn(t)
	jsonl := configureJSONL(t, dir, cli)
	if code, _, errs := cli("check"); code != 0 {
		t.Fatalf("baseline check: exit %d: %s", code, errs)
	}
	return school, dir, cli, jsonl
}

// concurrentChecks runs `workers` loops of `check` processes against one
// state directory while grades are added, and returns how many processes
// were killed.
func concurrentChecks(t *testing.T, school *magistertest.School, dir string, workers, grades int, kill bool) int {
	t.Helper()
	var stop atomic.Bool
	var killed atomic.Int32
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for !stop.Load() {
				cmd := cliProcess("--state-dir", dir, "check")
				var errb strings.Builder
				cmd.Stderr = &errb
				if err := cmd.Start(); err != nil {
					t.Error(err)
					return
				}
				if kill && rand.IntN(4) == 0 {
					time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond)
					cmd.Process.Kill()
					if cmd.Wait() != nil {
						killed.Add(1)
					}
					continue
				}
				if err := cmd.Wait(); err != nil {
					// A check may meet a lock held by a killed process's
					// successor for long; anything else is a failure.
					t.Errorf("worker %d: check failed: %v: %s", w, err, errb.String())
					return
				}
			}
		})
	}
	children := []string{"Anna", "Daan"}
	for i := range grades {
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		if _, err := school.AddGrade(magistertest.GradeSpec{Child: children[i%2], Value: "7,0", Weight: 1,
			Description: fmt.Sprintf("Scenario %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(500 * time.Millisecond) // let the last grades be seen
	stop.Store(true)
	wg.Wait()
	return int(killed.Load())
}

// TestConcurrentChecksNotifyEachGradeOnce is the product's promise: 8 check
// processes racing each other while grades keep arriving produce every
// notification exactly once.
func TestConcurrentChecksNotifyEachGradeOnce(t *testing.T) {
	school, dir, cli, jsonl := baselined(t)
	const grades = 50
	concurrentChecks(t, school, dir, 8, grades, false)
	// One last check picks up anything added after the workers stopped.
	if code, _, errs := cli("check"); code != 0 {
		t.Fatal(errs)
	}
	counts := countTags(t, jsonl)
	for i := range grades {
		if n := counts[fmt.Sprint(i)]; n != 1 {
			t.Errorf("grade %d notified %d times, want exactly once", i, n)
		}
	}
	if pending := len(loadState(t, dir).Outbox); pending != 0 {
		t.Errorf("%d notifications left in the outbox", pending)
	}
}

// TestKilledChecksLoseNothing kills check processes at random moments: every
// grade is delivered or still waiting in the outbox, and a grade is repeated
// only where a process died between showing and acknowledging it.
func TestKilledChecksLoseNothing(t *testing.T) {
	school, dir, cli, jsonl := baselined(t)
	const grades = 50
	killed := concurrentChecks(t, school, dir, 8, grades, true)
	// Leases of killed deliverers hold their entries for a while; a final
	// check still finds every new grade (detection is not leased).
	if code, _, errs := cli("check"); code != 0 {
		t.Fatal(errs)
	}
	counts := countTags(t, jsonl)
	waiting := map[string]bool{}
	for _, e := range loadState(t, dir).Outbox {
		for _, m := range scenarioTag.FindAllStringSubmatch(e.Body, -1) {
			waiting[m[1]] = true
		}
	}
	repeats := 0
	for i := range grades {
		key := fmt.Sprint(i)
		switch n := counts[key]; {
		case n == 0 && !waiting[key]:
			t.Errorf("grade %d lost: not delivered and not waiting", i)
		case n > 1:
			repeats += n - 1
		}
	}
	if repeats > killed {
		t.Errorf("%d repeated notifications from %d killed processes: at most one each", repeats, killed)
	}
	t.Logf("%d processes killed, %d repeats, %d still waiting", killed, repeats, len(waiting))
}
