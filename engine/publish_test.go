package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/mbox"
)

// changes writes a diff a change a line.
func changes(cs []Change) string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s %d/%g -> %d/%g: %s", c.Name, c.Then, c.ThenValue, c.Now, c.NowValue, c.Cause))
	}
	return strings.Join(out, "\n")
}

// TestPublishAndDiff: January 2005 of the mail fixture (source list1;
// calvin scores Alice 3+1, Bob 1+1, Carol 1+1, Dave 1+0) published, then
// a late message (testdata/jan2005-late.mbox: Dave answers Bob on the 4th)
// stored. The published board stays as it was; the diff explains the
// changes: Bob received 1→2 and reaches Dave (2→3); Dave posts 1→2, with
// Bob reached, Alice helped and a second day; Carol, unchanged, moved
// down past Dave, who has more posts at the same score. Then a merge of
// Bob and Dave (3 + 2 = 5, first), and instead an exclusion of Alice.
func TestPublishAndDiff(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if _, err := s.Ingest(ctx, mbox.New("testdata/jan2005.mbox"), ingest.Options{Source: "list1"}); err != nil {
		t.Fatal(err)
	}
	jan := time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)
	board := Board{Month: jan, Window: "month", Profile: calvinProfile}
	if _, err := s.Publish(ctx, []Board{board}); err != nil {
		t.Fatal(err)
	}
	published := "1 Alice 4; 2 Bob 2; 2 Carol 2; 4 Dave 1"
	if got := board2(t, s, jan); got != published {
		t.Fatalf("published: %q, want %q", got, published)
	}
	if _, err := s.Ingest(ctx, mbox.New("testdata/jan2005.mbox", "testdata/jan2005-late.mbox"), ingest.Options{Source: "list1"}); err != nil {
		t.Fatal(err)
	}
	if got := board2(t, s, jan); got != published {
		t.Errorf("after late data the published board reads %q, want it as published: %q", got, published)
	}
	then, _, _ := s.Published(ctx, jan, "month", "calvin", "")
	diff := func(b Board) string {
		cs, err := s.Changes(ctx, b, then)
		if err != nil {
			t.Fatal(err)
		}
		return changes(cs)
	}
	want := `Bob 2/2 -> 2/3: late data: received 1→2, reach 2→3
Carol 2/2 -> 3/2: others moved
Dave 4/1 -> 3/2: late data: posts 1→2, reach 0→1, helped 0→1, active_days 1→2`
	if got := diff(board); got != want {
		t.Errorf("late data:\n%s\nwant\n%s", got, want)
	}

	merged := board
	merged.People = []Person{{Name: "Bob and Dave", Accounts: [][2]string{{"list1", "bob@example.org"}, {"list1", "dave@example.org"}}}}
	want = `Alice 1/4 -> 2/4: others moved
Bob 2/2 -> 1/5: a merge: now part of Bob and Dave
Carol 2/2 -> 3/2: others moved
Dave 4/1 -> 1/5: a merge: now part of Bob and Dave
Bob and Dave 0/0 -> 1/5: a merge: now holds Bob's account list1/bob@example.org`
	if got := diff(merged); got != want {
		t.Errorf("merge:\n%s\nwant\n%s", got, want)
	}

	excluded := board
	excluded.Exclusions = []Exclusion{{Source: "list1", Author: "alice@example.org", Reason: "staff"}}
	want = `Alice 1/4 -> 0/4: excluded now: staff
Bob 2/2 -> 1/3: late data: received 1→2, reach 2→3
Dave 4/1 -> 2/2: late data: posts 1→2, reach 0→1, helped 0→1, active_days 1→2`
	if got := diff(excluded); got != want {
		t.Errorf("exclusion:\n%s\nwant\n%s", got, want)
	}
}

// board2 reads the published calvin month board of m.
func board2(t *testing.T, s *Store, m time.Time) string {
	t.Helper()
	b, ok, err := s.Published(context.Background(), m, "month", "calvin", "")
	if err != nil || !ok {
		t.Fatalf("published: %v, %v", ok, err)
	}
	var out []string
	for _, e := range b.Entries {
		out = append(out, fmt.Sprintf("%d %s %g", e.Rank, e.Name, e.Value))
	}
	return strings.Join(out, "; ")
}

// TestDiffCauses: each cause of a difference, tried alone on the mail
// fixture's January (calvin scores Alice 4, Bob 2, Carol 2, Dave 1; no
// new posts anywhere) with a board of the top 3 (Alice 1, Bob 2, Carol 2;
// Dave, 4th, not listed).
func TestDiffCauses(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if _, err := s.Ingest(ctx, mbox.New("testdata/jan2005.mbox"), ingest.Options{Source: "list1"}); err != nil {
		t.Fatal(err)
	}
	jan := time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)
	alice := []Exclusion{{Source: "list1", Author: "alice@example.org", Reason: "staff"}}
	board := func(x []Exclusion) Board {
		return Board{Month: jan, Window: "month", Top: 3, Profile: calvinProfile, Exclusions: x}
	}
	diff := func(published, now Board) string {
		t.Helper()
		if _, err := s.Publish(ctx, []Board{published}); err != nil {
			t.Fatal(err)
		}
		then, ok, err := s.Published(ctx, jan, "month", "calvin", "")
		if err != nil || !ok || then.Top != 3 {
			t.Fatalf("published: %v, %v, top %d", ok, err, then.Top)
		}
		cs, err := s.Changes(ctx, now, then)
		if err != nil {
			t.Fatal(err)
		}
		return changes(cs)
	}

	// An exclusion added to the configuration: Alice leaves, Bob and
	// Carol move up to share first, Dave (1, below Carol's 2, the last
	// place then) comes onto the board because Alice left, not through
	// late data.
	want := `Alice 1/4 -> 0/4: excluded now: staff
Bob 2/2 -> 1/2: others moved
Carol 2/2 -> 1/2: others moved
Dave 0/0 -> 3/1: others moved: people above left the board`
	if got := diff(board(nil), board(alice)); got != want {
		t.Errorf("an exclusion added:\n%s\nwant\n%s", got, want)
	}

	// The same exclusion taken away: Alice, excluded then, is back; Dave
	// is pushed off to 4th, his numbers the same.
	want = `Bob 1/2 -> 2/2: others moved
Carol 1/2 -> 2/2: others moved
Dave 3/1 -> 4/1: others moved
Alice 0/0 -> 1/4: no longer excluded`
	if got := diff(board(alice), board(nil)); got != want {
		t.Errorf("an exclusion taken away:\n%s\nwant\n%s", got, want)
	}

	// Nothing changed: nothing to say.
	if got := diff(board(nil), board(nil)); got != "" {
		t.Errorf("nothing changed:\n%s", got)
	}
}
