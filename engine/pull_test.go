package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
)

// steps is a Feed whose steps are given in the test: step i holds posts[i]
// and reaches article i+1 of group "g". It starts after the mark it is
// given and fails before step failAt (from 0) when failAt > 0.
type steps struct {
	posts  []posts
	failAt int
	marks  []ingest.Mark // the marks the last pull was given
}

var errCut = errors.New("connection cut")

func (*steps) Platform() string { return "test" }
func (*steps) Input() string    { return "news://test/g" }

func (f *steps) Pull(ctx context.Context, opts ingest.Options, marks []ingest.Mark, store func(array.RecordReader, []ingest.Mark) error) error {
	f.marks = marks
	start := 0
	for _, m := range marks {
		if m.Server == "news://test" && m.Group == "g" {
			start = int(m.Last)
		}
	}
	for i := start; i < len(f.posts); i++ {
		if f.failAt > 0 && i == f.failAt {
			return errCut
		}
		rr, err := f.posts[i].Read(ctx, opts)
		if err != nil {
			return err
		}
		opts.Stats.Read.Add(int64(len(f.posts[i])))
		if err := store(rr, []ingest.Mark{{Server: "news://test", Group: "g", Last: int64(i + 1)}}); err != nil {
			return err
		}
	}
	return nil
}

// TestPullCommitsSteps: a pull cut off after its first step keeps that
// step's posts and mark (and nothing of the derived tables, refreshed only
// at a pull's end); the next pull is given the mark, reads the rest, and
// refreshes. Worked out by hand: t1 Alice's topic, r1 Bob's reply (step 1);
// r2 Carol's reply to r1 (step 2), all in May 2021.
func TestPullCommitsSteps(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	at := func(h int) int64 { return time.Date(2021, 5, 1, h, 0, 0, 0, time.UTC).UnixMicro() }
	post := func(id, parent, author string, h int) ingest.Post {
		p := ingest.Post{PostID: []byte(id), ThreadID: []byte("t1"), Kind: ingest.KindReply, Author: []byte(author), CreatedAt: at(h)}
		if parent == "" {
			p.Kind = ingest.KindTopic
		} else {
			p.ParentID = []byte(parent)
		}
		return p
	}
	feed := &steps{
		posts: []posts{
			{post("t1", "", "alice", 1), post("r1", "t1", "bob", 2)},
			{post("r2", "r1", "carol", 3)},
		},
		failAt: 1,
	}
	opts := ingest.Options{Source: "t"}
	if _, err := s.Pull(ctx, feed, opts); !errors.Is(err, errCut) {
		t.Fatalf("cut-off pull: got %v, want %v", err, errCut)
	}
	count := func(q string) int {
		var n int
		if err := s.db.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("SELECT count(*) FROM posts"); n != 2 {
		t.Errorf("after the cut: %d posts, want 2 (step 1's)", n)
	}
	marks, err := s.Marks(ctx, "t")
	if err != nil || len(marks) != 1 || marks[0].Last != 1 {
		t.Errorf("after the cut: marks %v (%v), want g at 1", marks, err)
	}
	if n := count("SELECT count(*) FROM monthly_metrics") + count("SELECT count(*) FROM ingest_runs"); n != 0 {
		t.Errorf("after the cut: %d rows of metrics and runs, want none", n)
	}

	feed.failAt = 0
	run, err := s.Pull(ctx, feed, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.marks) != 1 || feed.marks[0].Last != 1 {
		t.Errorf("the resumed pull was given marks %v, want g at 1", feed.marks)
	}
	if run.RowsInserted != 1 || run.RowsRead != 1 {
		t.Errorf("resumed pull: read %d, inserted %d; want 1 and 1", run.RowsRead, run.RowsInserted)
	}
	if n := count("SELECT count(*) FROM posts"); n != 3 {
		t.Errorf("after resuming: %d posts, want 3", n)
	}
	// Bob received Carol's reply; Alice received Bob's; Carol nothing.
	for author, want := range map[string]int64{"alice": 1, "bob": 1, "carol": 0} {
		if got := metricsOf(t, s, author, "2021-05-01").Received; got != want {
			t.Errorf("%s received %d, want %d", author, got, want)
		}
	}
	if n := count("SELECT count(*) FROM ingest_runs"); n != 1 {
		t.Errorf("%d runs recorded, want 1", n)
	}
}
