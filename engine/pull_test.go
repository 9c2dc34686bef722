package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/nntp"
	"github.com/calvinslist/calvin/ingest/nntp/inntest"
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
	if v := streamViewsOf(t, s.db); len(v) > 0 {
		t.Errorf("after a cut pull and its resumption: views %q left in the file", v)
	}
}

// TestPullFromINN: a pull from a real INN whose connection is cut half way
// (and not retried) keeps the steps it stored; the next pull resumes and
// stores the rest, none twice; the stored posts are what was posted.
func TestPullFromINN(t *testing.T) {
	groups := []string{"calvin.a", "calvin.b"}
	srv := inntest.Start(t, inntest.Options{Groups: groups})
	const n = 60
	srv.Post(inntest.Articles(n, groups)...)
	px := inntest.NewProxy(t, srv.Addr)
	s, _ := newStore(t)
	ctx := context.Background()
	f, err := nntp.Parse("news://" + px.Addr + "/calvin.*")
	if err != nil {
		t.Fatal(err)
	}
	f.Dialer.TLSConfig = srv.TLS
	f.Step = 5
	f.Tries = 1

	// The set-up (greeting, capabilities, STARTTLS) and a few steps of
	// overview lines fit in the first 8,000 bytes: the cut comes after 25
	// of the 60 posts are stored (when written).
	px.CutAfter.Store(8000)
	px.Cuts.Store(1)
	_, err = s.Pull(ctx, f, ingest.Options{Source: "news"})
	if err == nil || !strings.Contains(err.Error(), "gave up after 1 tries") {
		t.Fatalf("cut-off pull: got %v, want it to give up", err)
	}
	var before int64
	if err := s.db.QueryRow("SELECT count(*) FROM posts").Scan(&before); err != nil {
		t.Fatal(err)
	}
	if before == 0 || before >= n {
		t.Fatalf("the cut-off pull stored %d posts, want some of the %d", before, n)
	}
	if v := streamViewsOf(t, s.db); len(v) > 0 {
		t.Errorf("after a cut-off pull: views %q left in the file", v)
	}

	run, err := s.Pull(ctx, f, ingest.Options{Source: "news"})
	if err != nil {
		t.Fatal(err)
	}
	if run.RowsInserted != n-before || run.RowsUpdated != 0 {
		t.Errorf("resumed pull: %d inserted, %d updated; want %d and 0", run.RowsInserted, run.RowsUpdated, n-before)
	}

	// What inntest.Articles posted: article i is a<i>@bench.test by
	// user<i>, at i minutes past 2024-01-01; every fifth a topic, the rest
	// replies to the article before in the thread of the last topic; one
	// in ten crossposted to the other group.
	rows, err := s.db.Query(`SELECT post_id, coalesce(parent_id, ''), thread_id, author, created_at, len(areas) FROM posts ORDER BY created_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next(); i++ {
		var id, parent, thread, author string
		var created time.Time
		var areas int
		if err := rows.Scan(&id, &parent, &thread, &author, &created, &areas); err != nil {
			t.Fatal(err)
		}
		want := [6]any{fmt.Sprintf("a%d@bench.test", i), "", fmt.Sprintf("a%d@bench.test", i-i%5),
			fmt.Sprintf("user%d@example.org", i), time.Date(2024, 1, 1, 0, i, 0, 0, time.UTC), 1}
		if i%5 != 0 {
			want[1] = fmt.Sprintf("a%d@bench.test", i-1)
		}
		if i%10 == 9 {
			want[5] = 2
		}
		if got := [6]any{id, parent, thread, author, created.UTC(), areas}; got != want {
			t.Errorf("post %d: got %v, want %v", i, got, want)
		}
	}
	if i != n {
		t.Errorf("%d posts stored, want %d", i, n)
	}
}

// TestPullInvalidUTF8: articles on a real INN whose headers hold bytes
// that are not UTF-8 are pulled and stored, the names and titles read as
// Windows-1252. INN refuses an article whose Message-ID holds such bytes
// (it is not a valid id there), so the ids are ASCII; the rest of the
// reader's path is TestInvalidUTF8Loads' spool case, the same parser.
func TestPullInvalidUTF8(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: []string{"calvin.test"}})
	path := "Path: test!not-for-mail\nNewsgroups: calvin.test\n"
	srv.Post(
		[]byte(path+"From: J\xf6rg <j\xf6rg@example.org>\nDate: Wed, 24 Aug 2005 04:03:47 +0000\nSubject: Caf\xe9\nMessage-ID: <t1@example.org>\n\nbody\n"),
		[]byte(path+"From: B\xf6b <bob@example.org>\nDate: Wed, 24 Aug 2005 05:00:00 +0000\nSubject: Re: Caf\xe9\nMessage-ID: <r1@example.org>\nReferences: <t1@example.org>\n\nreply\n"),
	)
	f, err := nntp.Parse("news://" + srv.Addr + "/calvin.test")
	if err != nil {
		t.Fatal(err)
	}
	f.Dialer.TLSConfig = srv.TLS
	s, _ := newStore(t)
	run, err := s.Pull(context.Background(), f, ingest.Options{Source: "t", Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if run.RowsInserted != 2 {
		t.Fatalf("%d posts stored, want the 2 posted", run.RowsInserted)
	}
	rows, err := s.db.Query(`SELECT post_id, author, author_name, coalesce(title, '') FROM posts ORDER BY created_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, author, name, title string
		if err := rows.Scan(&id, &author, &name, &title); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{id, author, name, title}, " "))
	}
	if want := "t1@example.org jörg@example.org Jörg Café; r1@example.org bob@example.org Böb "; strings.Join(got, "; ") != want {
		t.Errorf("stored %q, want %q", strings.Join(got, "; "), want)
	}
	if got := metricsOf(t, s, "jörg@example.org", "2005-08-01").Received; got != 1 {
		t.Errorf("Jörg received %d, want Bob's reply", got)
	}
}
