package state

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// heavyState is a generous upper bound of what a real user's state holds:
// two parent accounts with three children each, every child with a school
// year of grades (1,000) and a month of lessons, tests and homework ahead
// (1,000, 500 and 1,000 items), each account with 5,000 messages, the full
// history, 5,000 notifications held back (a month's pause) and the full list
// of quarantine records. Bodies are 1 kB, longer than any notification text.
func heavyState(now time.Time) *State {
	s := newState()
	end := now.Add(SeenRetention).Unix()
	body := strings.Repeat("Wiskunde: proefwerk hoofdstuk 7 en 8, ", 30)[:1000]
	set := func(n int, id func(int) string, fp func(int) string) *SeenSet {
		items := make(map[string]SeenItem, n)
		for i := range n {
			items[id(i)] = SeenItem{Fingerprint: fp(i), Expires: end + int64(i%40)*86400}
		}
		return &SeenSet{Baselined: true, Items: items}
	}
	num := func(base int) func(int) string { return func(i int) string { return fmt.Sprint(base + i) } }
	for a := range 2 {
		acct := Account{Key: fmt.Sprintf("school/%d", 1000000+a), School: "school", PersonID: 1000000 + a,
			Name: "Ouder", IsParent: true, Added: now, SignedIn: now,
			Seen: map[string]*SeenSet{KindMessages: set(5000, num(40000000), func(int) string { return "" })}}
		for c := range 3 {
			lesson := func(i int) string {
				return fmt.Sprintf("%d|%d|cm|lokaal B1.%02d", now.Unix()+int64(i)*3000, now.Unix()+int64(i)*3000+2700, i%40)
			}
			acct.Children = append(acct.Children, Child{ID: 2000000 + 10*a + c, FirstName: "Kind", Seen: map[string]*SeenSet{
				KindGrades:   set(1000, num(7000000), func(i int) string { return fmt.Sprintf("%d,%d", 4+i%6, i%10) }),
				KindSchedule: set(1000, num(90000000), lesson),
				KindTests:    set(500, func(i int) string { return fmt.Sprintf("%d@%d", 90000000+i, now.Unix()+int64(i)*3000) }, func(int) string { return "" }),
				KindHomework: set(1000, func(i int) string { return fmt.Sprintf("%d@%d", 91000000+i, now.Unix()+int64(i)*3000) }, func(int) string { return "" }),
			}})
		}
		s.Accounts = append(s.Accounts, acct)
	}
	entry := func(i int) Entry {
		return Entry{ID: fmt.Sprintf("%016x", i), Kind: KindGrades, Account: "school/1000000", ChildID: 2000000, Child: "Kind",
			Title: "Nieuw cijfer voor Wiskunde", Body: body, URL: "https://school.magister.net/magister/#/cijfers",
			Created: now, Delivered: now, Batch: "b", Change: "new", Done: []string{"desktop"}}
	}
	for i := range HistoryLimit {
		s.History = append(s.History, entry(i))
	}
	for i := range 5000 {
		s.Outbox = append(s.Outbox, entry(HistoryLimit+i))
	}
	for range quarantineLimit {
		s.Quarantined = append(s.Quarantined, Quarantine{File: "state.json.corrupt-20261126T104207Z", At: now, Reason: "invalid JSON at byte 1234"})
	}
	return s
}

// TestMaxFileSizeHasMargin: the size limit of the state file leaves room
// for eight times the generous upper bound of a real state.
func TestMaxFileSizeHasMargin(t *testing.T) {
	data, err := encode(heavyState(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("upper bound of a real state: %d bytes; limit %d bytes (%.1f×)", len(data), MaxFileSize, float64(MaxFileSize)/float64(len(data)))
	if 8*len(data) > MaxFileSize {
		t.Fatalf("a heavy but real state takes %d bytes, more than an eighth of MaxFileSize (%d)", len(data), MaxFileSize)
	}
}
