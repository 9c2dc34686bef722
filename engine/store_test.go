package engine

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/discourse"
	"github.com/calvinslist/calvin/ingest/mbox"
	"github.com/calvinslist/calvin/ingest/spool"
	"github.com/calvinslist/calvin/ingest/stackexchange"
)

// fixture is a Stack Exchange dump written for these tests; every expected
// number below is worked out from its rows by hand. In short (all 2021, UTC):
//
//	Q10 Alice(1) 05-01 views 100, accepted answer 11
//	  A11 Bob(2) 05-01 12:00; accept vote dated 06-02
//	    c1 Alice 05-01, c2 Bob 05-01 (a self-reply)
//	  A12 Carol(3) 05-02
//	  A13 Alice 05-03 (answering herself)
//	  c3 Dave(4) 05-02
//	Q20 Bob 05-10 views 50, accepted answer 21
//	  A22 deleted user "ghost" 05-10 12:00 (before Carol's)
//	  A21 Carol 05-10 13:00; accept vote dated 05-11
//	    c4 Bob 05-11
//	Q30 Dave 04-30 23:59:59.999 views 10
//	  A31 Alice 05-01 00:00
//	Q40 Community(-1) 05-15 views 7
//	  A41 Dave 05-15
//	Q60 Erin(5) 06-01 views 3
//	  c6 Alice 06-02
//	dropped: post 50 (a tag wiki) and comment 7 on it; the fabricated posts
//	1000000001 and 1000000010, comment 5 on the first and the accept vote
//	on the second.
const fixture = "testdata/may2021"

// calvinProfile is the score of the original list: posts sent plus
// replies received.
var calvinProfile = Profile{Name: "calvin", Weights: map[string]float64{"posts": 1, "received": 1}}

// newStore opens a store in a fresh file under t.TempDir.
func newStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "calvin.duckdb")
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func ingestDump(t *testing.T, s *Store, dir string) Run {
	t.Helper()
	run, err := s.Ingest(context.Background(), stackexchange.New(dir), ingest.Options{Source: "t", Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// metricsOf returns the monthly_metrics row of an account, all zero if
// there is none.
func metricsOf(t *testing.T, s *Store, author, month string) Metrics {
	t.Helper()
	var m Metrics
	err := s.db.QueryRow(`SELECT posts, comments, questions, answers, topics, received, accepted,
		reach, helped, first_responses, audience, active_days
		FROM monthly_metrics WHERE source = 't' AND author = ? AND month = CAST(? AS DATE)`, author, month).
		Scan(&m.Posts, &m.Comments, &m.Questions, &m.Answers, &m.Topics, &m.Received, &m.Accepted,
			&m.Reach, &m.Helped, &m.FirstResponses, &m.Audience, &m.ActiveDays)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return m
}

func TestMonthlyMetrics(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)

	tests := []struct {
		author, month string
		want          Metrics
	}{
		// Alice, May. Sent Q10, A13, A31 (3 posts: 1 question, 2 answers)
		// and c1. Received A11 (Bob) and A12 (Carol) on Q10, c3 (Dave) on
		// Q10; A13 is her own. Reach: Bob (A11, c1), Carol (A12), Dave
		// (c3, A31). Helped: Dave (A31 in his thread); thread 10 is hers.
		// First response: A31, the first answer to Dave's Q30. Audience:
		// threads 10 and 30, 100+10. Days: 05-01 and 05-03.
		{"1", "2021-05-01", Metrics{Posts: 3, Comments: 1, Questions: 1, Answers: 2, Received: 3,
			Reach: 3, Helped: 1, FirstResponses: 1, Audience: 110, ActiveDays: 2}},
		// Bob, May. Sent A11, Q20 and comments c2, c4 (c7 on the tag wiki
		// is dropped). Received A21 (Carol), A22 (the deleted user counts
		// as someone else), c1 (Alice); c2 is his own. Accepted: A11's vote
		// is in June. Reach: Alice, Carol (the deleted user is nobody).
		// Helped: Alice. First response: A11 on Q10. Audience 100+50.
		// Days: 05-01, 05-10, 05-11.
		{"2", "2021-05-01", Metrics{Posts: 2, Comments: 2, Questions: 1, Answers: 1, Received: 3,
			Reach: 2, Helped: 1, FirstResponses: 1, Audience: 150, ActiveDays: 3}},
		// Carol, May. Sent A12, A21. Received c4 (Bob). Accepted A21 on
		// 05-11. Reach: Alice, Bob. Helped: Alice, Bob. No first response:
		// the deleted user answered Q20 an hour before her. Audience
		// 100+50. Days: 05-02, 05-10.
		{"3", "2021-05-01", Metrics{Posts: 2, Answers: 2, Received: 1, Accepted: 1,
			Reach: 2, Helped: 2, Audience: 150, ActiveDays: 2}},
		// Dave, May. Sent A41, c3 (Q30 is April's). Received A31 (Alice).
		// Reach: Alice (Community, whose Q40 he answered, is nobody).
		// Helped: Alice (not Community). First response: A41 on Q40.
		// Audience 7+100. Days: 05-02, 05-15.
		{"4", "2021-05-01", Metrics{Posts: 1, Comments: 1, Answers: 1, Received: 1,
			Reach: 1, Helped: 1, FirstResponses: 1, Audience: 107, ActiveDays: 2}},
		// Dave, April: Q30 at 23:59:59.999 on the 30th stays in April.
		{"4", "2021-04-01", Metrics{Posts: 1, Questions: 1, Audience: 10, ActiveDays: 1}},
		// Community, May: Q40, answered by Dave: received, but nobody
		// reaches anyone.
		{"-1", "2021-05-01", Metrics{Posts: 1, Questions: 1, Received: 1, Audience: 7, ActiveDays: 1}},
		// Bob, June: A11's acceptance vote is dated 06-02.
		{"2", "2021-06-01", Metrics{Accepted: 1}},
		// Alice, June: comment c6 on Erin's Q60 (a comment is not a first
		// response).
		{"1", "2021-06-01", Metrics{Comments: 1, Reach: 1, Helped: 1, Audience: 3, ActiveDays: 1}},
		// Erin, June: Q60, commented on by Alice.
		{"5", "2021-06-01", Metrics{Posts: 1, Questions: 1, Received: 1, Reach: 1, Audience: 3, ActiveDays: 1}},
		// Erin, May: only fabricated posts, all dropped.
		{"5", "2021-05-01", Metrics{}},
	}
	for _, tt := range tests {
		t.Run(tt.author+"/"+tt.month, func(t *testing.T) {
			if got := metricsOf(t, s, tt.author, tt.month); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestStoredPosts(t *testing.T) {
	s, _ := newStore(t)
	run := ingestDump(t, s, fixture)
	// 12 questions and answers (10-13, 20-22, 30, 31, 40, 41, 60) and 5
	// comments (1-4, 6) survive the drops.
	if run.RowsRead != 17 || run.RowsInserted != 17 || run.RowsUpdated != 0 || run.RowsRejected != 0 {
		t.Errorf("run = %+v, want 17 read, 17 inserted, 0 updated, 0 rejected", run)
	}
	tests := []struct {
		query string
		want  string
	}{
		{"SELECT count(*) FROM posts", "17"},
		{"SELECT count(*) FROM posts WHERE post_id IN ('1000000001', '1000000010', '50', 'c5', 'c7')", "0"},
		// A comment's thread is its parent's: c1 is on A11, in thread 10.
		{"SELECT thread_id FROM posts WHERE post_id = 'c1'", "10"},
		{"SELECT parent_id FROM posts WHERE post_id = 'c1'", "11"},
		{"SELECT title FROM posts WHERE post_id = '10'", `How do I "go"?`},
		{"SELECT array_to_string(areas, ',') FROM posts WHERE post_id = '10'", "go,duckdb"},
		{"SELECT array_to_string(areas, ',') FROM posts WHERE post_id = '20'", "go"},
		// "&lt;p&gt;How?&lt;/p&gt;" is "<p>How?</p>", 11 bytes.
		{"SELECT body_bytes FROM posts WHERE post_id = '10'", "11"},
		// A deleted user: no account, the name the row kept.
		{"SELECT coalesce(author, 'NULL') || '/' || author_name FROM posts WHERE post_id = '22'", "NULL/ghost"},
		{"SELECT author_name FROM posts WHERE post_id = '12'", "Carol & Co"},
		// Acceptance dates come from Votes.xml.
		{"SELECT strftime(accepted_at, '%Y-%m-%d') FROM posts WHERE post_id = '11'", "2021-06-02"},
		{"SELECT strftime(accepted_at, '%Y-%m-%d') FROM posts WHERE post_id = '21'", "2021-05-11"},
		{"SELECT count(*) FROM posts WHERE accepted_at IS NOT NULL", "2"},
		// Views are kept on thread starters only.
		{"SELECT count(*) FROM posts WHERE views IS NOT NULL", "5"},
		{"SELECT strftime(month, '%Y-%m') FROM posts WHERE post_id = '30'", "2021-04"},
		{"SELECT ranked::VARCHAR || ' ' || reason FROM accounts WHERE author = '-1'", "false bot: the Stack Exchange Community user"},
		{"SELECT count(*) FROM ingest_runs", "1"},
	}
	for _, tt := range tests {
		var got string
		if err := s.db.QueryRow(tt.query).Scan(&got); err != nil {
			t.Fatalf("%s: %v", tt.query, err)
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.query, got, tt.want)
		}
	}
}

func names(entries []Entry) string {
	var parts []string
	for _, e := range entries {
		parts = append(parts, fmt.Sprintf("%d %s %g", e.Rank, e.Name, e.Value))
	}
	return strings.Join(parts, "; ")
}

func TestLeaderboard(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	may := time.Date(2021, 5, 17, 0, 0, 0, 0, time.UTC) // any day of the month
	tests := []struct {
		name string
		b    Board
		want string
	}{
		// calvin score = posts + received (see TestMonthlyMetrics): Alice
		// 3+3, Bob 2+3, Carol 2+1, Dave 1+1; Community (1+1) is never
		// ranked.
		{"calvin", Board{Month: may}, "1 Alice 6; 2 Bob 5; 3 Carol & Co 3; 4 Dave 2"},
		{"top", Board{Month: may, Top: 2}, "1 Alice 6; 2 Bob 5"},
		// received: Alice 3, Bob 3 share rank 1 (Alice first: 3 posts to
		// 2); Carol 1, Dave 1 share rank 3 (Carol: 2 posts to 1).
		{"ties", Board{Month: may, By: "received"}, "1 Alice 3; 1 Bob 3; 3 Carol & Co 1; 3 Dave 1"},
		// audience: Bob and Carol 150 with 2 posts each, so by name.
		{"ties by name", Board{Month: may, By: "audience"}, "1 Bob 150; 1 Carol & Co 150; 3 Alice 110; 4 Dave 107"},
		// accepted: only Carol in May; Bob's acceptance is June's.
		{"accepted", Board{Month: may, By: "accepted"}, "1 Carol & Co 1"},
		{"accepted june", Board{Month: may.AddDate(0, 1, 0), By: "accepted"}, "1 Bob 1"},
		// A source the configuration declares, nothing stored yet.
		{"declared source", Board{Month: may, Source: "other", Declared: []string{"other"}}, ""},
		{"empty month", Board{Month: may.AddDate(1, 0, 0)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.b.Profile = calvinProfile
			got, err := s.Leaderboard(context.Background(), tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if names(got) != tt.want {
				t.Errorf("got  %s\nwant %s", names(got), tt.want)
			}
		})
	}
	if _, err := s.Leaderboard(context.Background(), Board{Month: may, By: "nope"}); err == nil {
		t.Error("ranking by an unknown metric: got no error")
	}
	var unknown *UnknownSource
	if _, err := s.Leaderboard(context.Background(), Board{Month: may, Source: "other", Profile: calvinProfile}); !errors.As(err, &unknown) ||
		err.Error() != `unknown source "other" (the database holds t)` {
		t.Errorf("a source neither stored nor declared: %v", err)
	}
}

// fingerprint sums up everything an ingest may change.
func fingerprint(t *testing.T, s *Store) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		"SELECT count(*) || ':' || coalesce(sum(hash(source, post_id, thread_id, score, views, accepted_at, author_name)), 0) FROM posts",
		"SELECT count(*) || ':' || coalesce(sum(hash(m)), 0) FROM monthly_metrics AS m",
		"SELECT count(*) || ':' || coalesce(sum(hash(a)), 0) FROM accounts AS a",
		"SELECT count(*) || ':' || coalesce(sum(hash(l)), 0) FROM post_links AS l",
		"SELECT count(*) || ':' || coalesce(sum(hash(k)), 0) FROM account_keys AS k",
		"SELECT count(*) FROM ingest_runs",
	} {
		var v string
		if err := s.db.QueryRow(q).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, v)
	}
	return strings.Join(out, " ")
}

func TestReingestIsNoOp(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	before := fingerprint(t, s)
	run := ingestDump(t, s, fixture)
	if run.RowsInserted != 0 || run.RowsUpdated != 0 || run.RowsRead != 17 {
		t.Errorf("second ingest: %+v, want 17 read, 0 inserted, 0 updated", run)
	}
	// Only the record of the run is new.
	after := fingerprint(t, s)
	if want := strings.TrimSuffix(before, " 1") + " 2"; after != want {
		t.Errorf("after a second ingest: got %s, want %s", after, want)
	}
}

// copyDump copies the fixture to a temporary folder, applying edits: file
// name -> (old, new) replacements.
func copyDump(t *testing.T, edits map[string][][2]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"Posts.xml", "Comments.xml", "Users.xml", "Votes.xml"} {
		b, err := os.ReadFile(filepath.Join(fixture, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, e := range edits[name] {
			if !strings.Contains(s, e[0]) {
				t.Fatalf("%s: no %q to replace", name, e[0])
			}
			s = strings.Replace(s, e[0], e[1], 1)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestNewerDumpUpdates(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	newer := copyDump(t, map[string][][2]string{
		// Q10 gains votes and views; a new answer A14 by Dave on 05-20.
		"Posts.xml": {
			{`Score="5" ViewCount="100"`, `Score="9" ViewCount="180"`},
			{`  <row Id="20" `, `  <row Id="14" PostTypeId="2" ParentId="10" CreationDate="2021-05-20T10:00:00.000" Score="0" Body="x" OwnerUserId="4" />` + "\n" + `  <row Id="20" `},
		},
		// A12 is accepted on 05-20.
		"Votes.xml": {{`</votes>`, `  <row Id="5" PostId="12" VoteTypeId="1" CreationDate="2021-05-20T00:00:00.000" />` + "\n</votes>"}},
	})
	run := ingestDump(t, s, newer)
	if run.RowsInserted != 1 || run.RowsUpdated != 2 {
		t.Errorf("newer dump: %d inserted, %d updated; want 1 (A14), 2 (Q10, A12)", run.RowsInserted, run.RowsUpdated)
	}
	var score, views int64
	if err := s.db.QueryRow("SELECT score, views FROM posts WHERE post_id = '10'").Scan(&score, &views); err != nil {
		t.Fatal(err)
	}
	if score != 9 || views != 180 {
		t.Errorf("Q10: score %d, views %d; want 9, 180", score, views)
	}
	// Carol: A21 and now A12 accepted in May. Alice: A14 is one more
	// answer received, thread 10 now has 180 views (180+10). Dave: A14 is
	// a second post, in thread 10 where c3 already was (7+180).
	if got := metricsOf(t, s, "3", "2021-05-01").Accepted; got != 2 {
		t.Errorf("Carol's accepted: got %d, want 2", got)
	}
	if got := metricsOf(t, s, "1", "2021-05-01"); got.Received != 4 || got.Audience != 190 {
		t.Errorf("Alice: received %d, audience %d; want 4, 190", got.Received, got.Audience)
	}
	if got := metricsOf(t, s, "4", "2021-05-01"); got.Posts != 2 || got.Audience != 187 {
		t.Errorf("Dave: posts %d, audience %d; want 2, 187", got.Posts, got.Audience)
	}
}

func TestFailedIngestChangesNothing(t *testing.T) {
	// Comments.xml is read last, after every post was staged: its bad row
	// (line 5) fails the strict ingest at the very end.
	bad := copyDump(t, map[string][][2]string{
		"Posts.xml":    {{`Score="5" ViewCount="100"`, `Score="9" ViewCount="180"`}},
		"Comments.xml": {{`CreationDate="2021-05-02T07:00:00.000"`, `CreationDate="2021-05-32T07:00:00.000"`}},
	})
	t.Run("strict", func(t *testing.T) {
		s, _ := newStore(t)
		ingestDump(t, s, fixture)
		before := fingerprint(t, s)
		_, err := s.Ingest(context.Background(), stackexchange.New(bad), ingest.Options{Source: "t", Strict: true})
		want := `Comments.xml:5: bad CreationDate "2021-05-32T07:00:00.000"`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got error %v, want one containing %s", err, want)
		}
		if after := fingerprint(t, s); after != before {
			t.Errorf("store changed by a failed ingest:\nbefore %s\nafter  %s", before, after)
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		s, _ := newStore(t)
		ingestDump(t, s, fixture)
		before := fingerprint(t, s)
		// The interrupt arrives while Comments.xml is being read.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, err := s.Ingest(ctx, stackexchange.New(bad), ingest.Options{Source: "t", Report: func(error) { cancel() }})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got error %v, want context.Canceled", err)
		}
		if after := fingerprint(t, s); after != before {
			t.Errorf("store changed by an interrupted ingest:\nbefore %s\nafter  %s", before, after)
		}
	})
	t.Run("lenient", func(t *testing.T) {
		s, _ := newStore(t)
		var reported []string
		run, err := s.Ingest(context.Background(), stackexchange.New(bad), ingest.Options{Source: "t",
			Report: func(err error) { reported = append(reported, err.Error()) }})
		if err != nil {
			t.Fatal(err)
		}
		if run.RowsRejected != 1 || run.RowsInserted != 16 || len(reported) != 1 {
			t.Errorf("got %d rejected, %d inserted, reports %q; want 1, 16, one report", run.RowsRejected, run.RowsInserted, reported)
		}
	})
}

func TestSourceKeepsItsPlatform(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	_, err := s.Ingest(context.Background(), otherPlatform{stackexchange.New(fixture)}, ingest.Options{Source: "t"})
	if err == nil || !strings.Contains(err.Error(), "already holds stackexchange posts") {
		t.Errorf("got %v, want a refusal to mix platforms", err)
	}
}

// otherPlatform is a dump that claims to be of another platform.
type otherPlatform struct{ *stackexchange.Dump }

func (otherPlatform) Platform() string { return "mbox" }

// TestLockedByAnotherProcess runs a second process (this test binary) that
// holds the database open for writing, then opens it here.
func TestLockedByAnotherProcess(t *testing.T) {
	if path := os.Getenv("CALVIN_TEST_HOLD_DB"); path != "" {
		s, err := Open(context.Background(), path, Options{})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("holding")
		bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
		s.Close()
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "calvin.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockedByAnotherProcess$")
	cmd.Env = append(os.Environ(), "CALVIN_TEST_HOLD_DB="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "holding\n" {
		t.Fatalf("helper process: %q", line)
	}
	for _, opts := range []Options{{}, {ReadOnly: true}} {
		_, err = Open(context.Background(), path, opts)
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("read-only %v: got %v, want ErrLocked", opts.ReadOnly, err)
		}
		want := fmt.Sprintf("(PID %d)", cmd.Process.Pid)
		if !strings.Contains(err.Error(), "database is locked by ") || !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to say the database is locked by the process %s", err, want)
		}
	}
}

// posts is a Source of posts given in the test.
type posts []ingest.Post

func (posts) Platform() string { return "test" }
func (posts) Input() string    { return "test" }

func (ps posts) Read(ctx context.Context, opts ingest.Options) (array.RecordReader, error) {
	return readPosts(ps, opts, "test")
}

// readPosts is the Read of a Source of posts given in a test, as its
// platform's.
func readPosts(ps []ingest.Post, opts ingest.Options, platform string) (array.RecordReader, error) {
	b := ingest.NewBuilder(opts, platform)
	defer b.Release()
	for i := range ps {
		b.Append(&ps[i])
	}
	if opts.Stats != nil {
		opts.Stats.Read.Add(int64(len(ps))) // as a reader counts what it parsed
	}
	rec := b.NewBatch()
	defer rec.Release()
	return array.NewRecordReader(ingest.Schema(), []arrow.RecordBatch{rec})
}

// column returns the one column of a query's rows.
func column[T any](t *testing.T, db *sql.DB, query string, args ...any) []T {
	t.Helper()
	out, err := queryColumn[T](context.Background(), db, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestThreadsResolved(t *testing.T) {
	s, _ := newStore(t)
	at := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	post := func(id, thread, parent string) ingest.Post {
		p := ingest.Post{PostID: []byte(id), Kind: ingest.KindReply, Author: []byte("a"), CreatedAt: at}
		if thread != "" {
			p.ThreadID = []byte(thread)
		}
		if parent != "" {
			p.ParentID = []byte(parent)
		}
		return p
	}
	src := posts{
		post("r3", "", "r2"), // a chain listed before its start
		post("r2", "", "r1"),
		post("r1", "", "t1"),
		post("t1", "t1", ""),
		post("orphan", "", "gone"), // its parent is not stored
		post("alone", "", ""),
	}
	if _, err := s.Ingest(context.Background(), src, ingest.Options{Source: "t"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"t1": "t1", "r1": "t1", "r2": "t1", "r3": "t1", "orphan": "gone", "alone": "alone"}
	for id, thread := range want {
		var got string
		if err := s.db.QueryRow("SELECT thread_id FROM posts WHERE post_id = ?", id).Scan(&got); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if got != thread {
			t.Errorf("%s: thread %q, want %q", id, got, thread)
		}
	}
}

// TestFirstResponseTies: of two replies made at the same instant, the one
// stored first is the thread's first response; the starter's own reply,
// earlier, is not a response at all.
func TestFirstResponseTies(t *testing.T) {
	s, _ := newStore(t)
	at := time.Date(2021, 5, 1, 9, 0, 0, 0, time.UTC)
	post := func(id, author string, kind string, after time.Duration) ingest.Post {
		p := ingest.Post{PostID: []byte(id), ThreadID: []byte("t1"), Kind: kind,
			Author: []byte(author), CreatedAt: at.Add(after).UnixMicro()}
		if id != "t1" {
			p.ParentID = []byte("t1")
		}
		return p
	}
	src := posts{
		post("t1", "ann", ingest.KindTopic, 0),
		post("r5", "ann", ingest.KindReply, 30*time.Minute), // the starter's own
		post("r9", "bob", ingest.KindReply, time.Hour),      // stored before r1
		post("r1", "cat", ingest.KindReply, time.Hour),      // same instant
	}
	if _, err := s.Ingest(context.Background(), src, ingest.Options{Source: "t"}); err != nil {
		t.Fatal(err)
	}
	for author, want := range map[string]int64{"ann": 0, "bob": 1, "cat": 0} {
		if got := metricsOf(t, s, author, "2021-05-01").FirstResponses; got != want {
			t.Errorf("%s: %d first responses, want %d", author, got, want)
		}
	}
}

// TestLateParent: a thread's first post stored by a later ingest than its
// replies. After the first ingest, bob's r1 (answering t1) and cat's r2
// (answering r1) have neither parent nor starter for r1, so their links
// wait (pending): bob received r2 and reached cat, cat reached bob, nobody
// helped anyone or gave a first response. Once ann's t1 is stored, the
// links are made again: ann received r1 and reached bob; bob reached ann
// and cat, helped ann and gave the thread's first response; cat helped
// ann. A store that got all three posts at once has the same metrics.
func TestLateParent(t *testing.T) {
	at := time.Date(2021, 5, 1, 9, 0, 0, 0, time.UTC)
	post := func(id, parent, author, kind string, after time.Duration) ingest.Post {
		return ingest.Post{PostID: []byte(id), ThreadID: []byte("t1"), ParentID: []byte(parent),
			Kind: kind, Author: []byte(author), CreatedAt: at.Add(after).UnixMicro()}
	}
	t1 := post("t1", "", "ann", ingest.KindTopic, 0)
	t1.ParentID = nil
	replies := posts{
		post("r1", "t1", "bob", ingest.KindReply, time.Hour),
		post("r2", "r1", "cat", ingest.KindReply, 2*time.Hour),
	}
	s, _ := newStore(t)
	ctx := context.Background()
	if _, err := s.Ingest(ctx, replies, ingest.Options{Source: "t"}); err != nil {
		t.Fatal(err)
	}
	check := func(when string, s *Store, want map[string]Metrics) {
		t.Helper()
		for author, w := range want {
			if got := metricsOf(t, s, author, "2021-05-01"); got != w {
				t.Errorf("%s, %s:\n got %+v\nwant %+v", when, author, got, w)
			}
		}
	}
	pending := func() (n int) {
		t.Helper()
		if err := s.db.QueryRow("SELECT count(*) FROM post_links WHERE pending").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	check("replies alone", s, map[string]Metrics{
		"bob": {Posts: 1, Received: 1, Reach: 1, ActiveDays: 1},
		"cat": {Posts: 1, Reach: 1, ActiveDays: 1},
	})
	if n := pending(); n != 2 {
		t.Errorf("replies alone: %d links pending, want 2 (r1 without parent nor starter, r2 without starter)", n)
	}
	if _, err := s.Ingest(ctx, posts{t1}, ingest.Options{Source: "t"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]Metrics{
		"ann": {Posts: 1, Topics: 1, Received: 1, Reach: 1, ActiveDays: 1},
		"bob": {Posts: 1, Received: 1, Reach: 2, Helped: 1, FirstResponses: 1, ActiveDays: 1},
		"cat": {Posts: 1, Reach: 1, Helped: 1, ActiveDays: 1},
	}
	check("t1 stored later", s, want)
	if n := pending(); n != 0 {
		t.Errorf("t1 stored later: %d links pending, want 0", n)
	}

	whole, _ := newStore(t)
	if _, err := whole.Ingest(ctx, append(posts{t1}, replies...), ingest.Options{Source: "t"}); err != nil {
		t.Fatal(err)
	}
	check("all at once", whole, want)
}

// stringCompressions returns the compression methods of the string
// columns' segments in posts, after a checkpoint.
func stringCompressions(t *testing.T, db *sql.DB) string {
	t.Helper()
	if _, err := db.Exec("CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	var got string
	err := db.QueryRow(`SELECT string_agg(DISTINCT compression, ',' ORDER BY compression)
		FROM pragma_storage_info('posts') WHERE segment_type = 'VARCHAR'`).Scan(&got)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestStorageFormat: a file Open creates is in DuckDB 1.5's storage
// format, whose strings are compressed with DICT_FSST (the default format,
// readable by DuckDB 1.0, has no DICT_FSST); a file made before keeps its
// format.
func TestStorageFormat(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	if got := stringCompressions(t, s.db); got != "DICT_FSST" {
		t.Errorf("new file: string segments compressed with %s, want DICT_FSST", got)
	}

	old := filepath.Join(t.TempDir(), "old.duckdb")
	db, err := sql.Open("duckdb", old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE made_before (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s2, err := Open(context.Background(), old, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	ingestDump(t, s2, fixture)
	if got := stringCompressions(t, s2.db); strings.Contains(got, "DICT_FSST") {
		t.Errorf("existing file: string segments compressed with %s, want no DICT_FSST", got)
	}
}

// TestMailMetrics: the metrics of a mailing list, testdata/jan2005.mbox
// (all January 2005):
//
//	m1 Alice, a topic; m2 Bob answers m1; m3 Carol (munged address)
//	answers m2; m4 Alice answers m3; m5 Alice answers her own m4 (no
//	References: its thread comes from its parent); m6 Dave answers a
//	message not in the archive; m2 again (a resend, dropped).
func TestMailMetrics(t *testing.T) {
	s, _ := newStore(t)
	run, err := s.Ingest(context.Background(), mbox.New("testdata/jan2005.mbox"), ingest.Options{Source: "t", Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if run.RowsInserted != 6 {
		t.Errorf("%d posts stored, want 6 (seven messages, one resent)", run.RowsInserted)
	}
	var dups int64
	if err := s.db.QueryRow("SELECT rows_duplicate FROM ingest_runs").Scan(&dups); err != nil || dups != 1 {
		t.Errorf("ingest_runs.rows_duplicate: %d, %v; want 1, the resent message", dups, err)
	}
	var thread string
	if err := s.db.QueryRow("SELECT thread_id FROM posts WHERE post_id = 'm5@example.org'").Scan(&thread); err != nil || thread != "m1@example.org" {
		t.Errorf("m5's thread: %q, %v; want m1@example.org, its parent's", thread, err)
	}
	tests := []struct {
		author string
		want   Metrics
	}{
		// Alice: m1, m4, m5 (one topic, two replies). Received m2 (Bob on
		// m1); m5 answers herself. Reach: Bob (m2), Carol (m4 answers m3).
		// Helped: none, thread m1 is hers. First response: none (m2 is
		// Bob's). Days: 1, 2, 3.
		{"alice@example.org", Metrics{Posts: 3, Topics: 1, Received: 1, Reach: 2, ActiveDays: 3}},
		// Bob: m2. Received m3 (Carol). Reach: Alice, Carol. Helped: Alice.
		// First response to Alice's thread.
		{"bob@example.org", Metrics{Posts: 1, Received: 1, Reach: 2, Helped: 1, FirstResponses: 1, ActiveDays: 1}},
		// Carol: m3. Received m4 (Alice). Reach: Bob, Alice. Helped: Alice.
		{"carol@example.org", Metrics{Posts: 1, Received: 1, Reach: 2, Helped: 1, ActiveDays: 1}},
		// Dave: m6, whose parent (and so thread) is not stored: nobody
		// received it, and it helped nobody known.
		{"dave@example.org", Metrics{Posts: 1, ActiveDays: 1}},
	}
	for _, tc := range tests {
		if got := metricsOf(t, s, tc.author, "2005-01-01"); got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.author, got, tc.want)
		}
	}
}

// TestForumMetrics: the Discourse fixture (ingest/discourse/testdata/forum,
// described in its test), its metrics worked out by hand. Topic 10 (views
// 40): alice's 101; bob's 102 answers it and is the accepted solution;
// carol's 103 answers 102; alice's 105 answers 103; dave's 107 (April)
// answers a whisper, so the topic. Topic 11 (views 5): carol's 111; a
// deleted user's 112 answers it.
func TestForumMetrics(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.Ingest(context.Background(), discourse.NewDir("../ingest/discourse/testdata/forum"), ingest.Options{Source: "t"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		author, month string
		want          Metrics
	}{
		// Received 102 (bob); reach bob (102 on 101), carol (105 on 103);
		// no one else's thread; days 1 and 2.
		{"alice", "2021-03-01", Metrics{Posts: 2, Topics: 1, Received: 1, Reach: 2, Audience: 40, ActiveDays: 2}},
		// Received 103 (carol); 102 accepted; reach alice, carol; helped
		// alice; the first response in topic 10.
		{"bob", "2021-03-01", Metrics{Posts: 1, Received: 1, Accepted: 1, Reach: 2, Helped: 1, FirstResponses: 1, Audience: 40, ActiveDays: 1}},
		// Received 105 (alice) and 112 (a deleted user: received, but no
		// one to reach); reach bob, alice; helped alice; topic 11's first
		// response is the deleted user's, credited to nobody; threads of
		// 40 and 5 views; days 2 and 5.
		{"carol", "2021-03-01", Metrics{Posts: 2, Topics: 1, Received: 2, Reach: 2, Helped: 1, Audience: 45, ActiveDays: 2}},
		{"dave", "2021-04-01", Metrics{Posts: 1, Reach: 1, Helped: 1, Audience: 40, ActiveDays: 1}},
	}
	for _, tc := range tests {
		if got := metricsOf(t, s, tc.author, tc.month); got != tc.want {
			t.Errorf("%s %s:\n got %+v\nwant %+v", tc.author, tc.month, got, tc.want)
		}
	}
	// The roles the topics give (alice staff and admin, carol staff and
	// moderator), stored for the exclusions to come.
	var roles string
	if err := s.db.QueryRow("SELECT string_agg(author || ' ' || value, ', ' ORDER BY author, value) FROM account_facts WHERE source = 't' AND fact = 'role'").Scan(&roles); err != nil || roles != "alice admin, alice staff, carol moderator, carol staff" {
		t.Errorf("account_facts: %q, %v", roles, err)
	}
}

// board returns a board as "rank name value [reason]; ...".
func board(t *testing.T, s *Store, b Board) string {
	t.Helper()
	entries, err := s.Leaderboard(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		row := fmt.Sprintf("%d %s %g", e.Rank, e.Name, e.Value)
		if e.Excluded != "" {
			row += " [" + e.Excluded + "]"
		}
		out = append(out, row)
	}
	return strings.Join(out, "; ")
}

// TestExclusions: May 2021 of the fixture (calvin score: Alice 6, Bob 5,
// Carol & Co 3, Dave 2). An exclusion takes an account off the board in
// the months its dates overlap, and only those; the others close ranks;
// the excluded one's reply still counts for whom it answered (Alice's 6
// holds Bob's A11); listed apart, it carries its reason.
func TestExclusions(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	may := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	day := func(d string) time.Time {
		t, _ := time.Parse(time.DateOnly, d)
		return t
	}
	bob := Exclusion{Source: "t", Author: "2", Reason: "staff"}
	tests := []struct {
		name string
		exs  []Exclusion
		list bool
		want string
	}{
		{"none", nil, false, "1 Alice 6; 2 Bob 5; 3 Carol & Co 3; 4 Dave 2"},
		{"an account", []Exclusion{bob}, false, "1 Alice 6; 2 Carol & Co 3; 3 Dave 2"},
		{"listed apart", []Exclusion{bob}, true, "1 Alice 6; 2 Carol & Co 3; 3 Dave 2; 0 Bob 5 [staff]"},
		{"from a day in May", []Exclusion{{Source: "t", Author: "2", From: day("2021-05-31"), Reason: "employee"}}, false, "1 Alice 6; 2 Carol & Co 3; 3 Dave 2"},
		{"from June on", []Exclusion{{Source: "t", Author: "2", From: day("2021-06-01"), Reason: "employee"}}, false, "1 Alice 6; 2 Bob 5; 3 Carol & Co 3; 4 Dave 2"},
		{"until April", []Exclusion{{Source: "t", Author: "2", To: day("2021-04-30"), Reason: "employee"}}, false, "1 Alice 6; 2 Bob 5; 3 Carol & Co 3; 4 Dave 2"},
		{"a name pattern", []Exclusion{{Name: "Carol*", Reason: "bot"}}, true, "1 Alice 6; 2 Bob 5; 3 Dave 2; 0 Carol & Co 3 [bot]"},
		{"an id pattern", []Exclusion{{Name: "?", Reason: "bot"}}, false, ""},
	}
	for _, tc := range tests {
		got := board(t, s, Board{Month: may, Profile: calvinProfile, Exclusions: tc.exs, ListExcluded: tc.list})
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestExcludedDomain: a mail domain takes its addresses and its
// subdomains' off the board, not a domain that merely ends the same.
func TestExcludedDomain(t *testing.T) {
	s, _ := newStore(t)
	at := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	var src posts
	for _, a := range []string{"ann@corp.example", "bo@mail.corp.example", "cy@example.org", "dee@notcorp.example"} {
		src = append(src, ingest.Post{PostID: []byte(a), ThreadID: []byte(a), Kind: ingest.KindTopic, Author: []byte(a), CreatedAt: at})
	}
	if _, err := s.Ingest(context.Background(), src, ingest.Options{Source: "m"}); err != nil {
		t.Fatal(err)
	}
	got := board(t, s, Board{Month: time.Unix(0, at*1000), Profile: calvinProfile,
		Exclusions: []Exclusion{{Domain: "Corp.Example", Reason: "employee"}}, ListExcluded: true})
	if want := "1 cy@example.org 1; 1 dee@notcorp.example 1; 0 ann@corp.example 1 [employee]; 0 bo@mail.corp.example 1 [employee]"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestWindows: the fixture's boards over windows, by hand from its months
// (TestMonthlyMetrics): April, Dave's Q30; May as there; June, Erin's Q60
// (2), Alice's comment, Bob's acceptance. The second quarter sums them:
// Alice 3+3, Bob 2+3, Carol 2+1, Dave (1)+(1+1), Erin 1+1; Carol and Dave
// tie at 3 (2 posts each) and go by name. Active months (a post or a
// comment): Alice May and June, Dave April and May, the others one. By
// reach, summed by month: Alice 3+1, Bob, Carol and Dave 2, Erin 1. The
// twelve months to June hold the same months.
func TestWindows(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	june := time.Date(2021, 6, 15, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		window, by, want string
	}{
		{"month", "score", "1 Erin 2 (1/1)"},
		{"quarter", "score", "1 Alice 6 (2/2); 2 Bob 5 (1/1); 3 Carol & Co 3 (1/1); 3 Dave 3 (2/2); 5 Erin 2 (1/1)"},
		{"12m", "score", "1 Alice 6 (2/2); 2 Bob 5 (1/1); 3 Carol & Co 3 (1/1); 3 Dave 3 (2/2); 5 Erin 2 (1/1)"},
		// Dave reaches Alice only: Community is nobody.
		{"quarter", "reach", "1 Alice 4 (2/2); 2 Bob 2 (1/1); 2 Carol & Co 2 (1/1); 4 Dave 1 (2/2); 4 Erin 1 (1/1)"},
	} {
		entries, err := s.Leaderboard(context.Background(), Board{Month: june, Window: tc.window, By: tc.by, Profile: calvinProfile})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, fmt.Sprintf("%d %s %g (%d/%d)", e.Rank, e.Name, e.Value, e.ActiveMonths, e.LongestRun))
		}
		if g := strings.Join(got, "; "); g != tc.want {
			t.Errorf("%s by %s: %q, want %q", tc.window, tc.by, g, tc.want)
		}
	}
	if _, err := s.Leaderboard(context.Background(), Board{Month: june, Window: "week", Profile: calvinProfile}); err == nil || !strings.Contains(err.Error(), `unknown window "week"`) {
		t.Errorf("unknown window: %v", err)
	}
}

// TestLongestRun: an account active in January, February, April, May and
// June (not March) has five active months over the twelve to June, and a
// longest run of three; the quarter holding May (April to June) sees three
// and three.
func TestLongestRun(t *testing.T) {
	s, _ := newStore(t)
	var src posts
	for _, m := range []time.Month{1, 2, 4, 5, 6} {
		id := []byte(fmt.Sprint("p", int(m)))
		src = append(src, ingest.Post{PostID: id, ThreadID: id, Kind: ingest.KindTopic, Author: []byte("g"),
			CreatedAt: time.Date(2021, m, 10, 0, 0, 0, 0, time.UTC).UnixMicro()})
	}
	if _, err := s.Ingest(context.Background(), src, ingest.Options{Source: "r"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		window string
		month  time.Month
		want   string
	}{{"12m", 6, "g 5 5/3"}, {"quarter", 5, "g 3 3/3"}, {"month", 3, ""}} {
		entries, err := s.Leaderboard(context.Background(), Board{Month: time.Date(2021, tc.month, 1, 0, 0, 0, 0, time.UTC), Window: tc.window, Profile: calvinProfile})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, e := range entries {
			got = fmt.Sprintf("%s %g %d/%d", e.Name, e.Value, e.ActiveMonths, e.LongestRun)
		}
		if got != tc.want {
			t.Errorf("%s to %s: %q, want %q", tc.window, tc.month, got, tc.want)
		}
	}
}

// TestPeople: the same mail archive stored under two sources (list1,
// list2; jan2005.mbox, TestMailMetrics: calvin scores Alice 3+1, Bob
// 1+1, Carol 1+1, Dave 1) makes each address one person with both
// sources' sums: Alice 8, Bob 4, Carol 4, Dave 2, two accounts each. A
// configured person puts list1's Alice with the Stack Exchange fixture's
// Alice (user 1): in January 2005 that person is the address's two
// accounts (the rule takes list2's too), named as configured; in May 2021
// it is the one SE account, still under that name.
func TestPeople(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	for _, src := range []string{"list1", "list2"} {
		if _, err := s.Ingest(context.Background(), mbox.New("testdata/jan2005.mbox"), ingest.Options{Source: src}); err != nil {
			t.Fatal(err)
		}
	}
	jan := time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)
	people := func(b Board) string {
		entries, err := s.Leaderboard(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, fmt.Sprintf("%d %s %g %s %s %d", e.Rank, e.Name, e.Value, e.Source, e.Author, e.Accounts))
		}
		return strings.Join(out, "; ")
	}
	got := people(Board{Month: jan, Profile: calvinProfile})
	want := "1 Alice 8 list1,list2 mail:alice@example.org 2; 2 Bob 4 list1,list2 mail:bob@example.org 2; " +
		"2 Carol 4 list1,list2 mail:carol@example.org 2; 4 Dave 2 list1,list2 mail:dave@example.org 2"
	if got != want {
		t.Errorf("mail rule:\n got %s\nwant %s", got, want)
	}
	merged := []Person{{Name: "Alice Everywhere", Accounts: [][2]string{{"list1", "alice@example.org"}, {"t", "1"}}}}
	got = people(Board{Month: jan, Profile: calvinProfile, People: merged, Top: 1})
	if want := "1 Alice Everywhere 8 list1,list2 person:Alice Everywhere 2"; got != want {
		t.Errorf("configured person, January 2005:\n got %s\nwant %s", got, want)
	}
	got = people(Board{Month: time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC), Profile: calvinProfile, People: merged, Top: 1})
	if want := "1 Alice Everywhere 6 t 1 1"; got != want {
		t.Errorf("configured person, May 2021:\n got %s\nwant %s", got, want)
	}
	// A person is excluded when one of their accounts is.
	got = people(Board{Month: jan, Profile: calvinProfile, People: merged, Top: 1,
		Exclusions: []Exclusion{{Source: "t", Author: "1", From: jan, Reason: "employee"}}})
	if want := "1 Bob 4 list1,list2 mail:bob@example.org 2"; got != want {
		t.Errorf("excluded person:\n got %s\nwant %s", got, want)
	}
}

// TestPeopleAcrossPlatforms: the mail rule joins an mbox account and a
// news account of one address. Alice's 3 posts and 1 received in the
// list (TestMailMetrics), and one article of hers in a news spool
// written here (a topic nobody answered): 5, from both sources.
func TestPeopleAcrossPlatforms(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if _, err := s.Ingest(ctx, mbox.New("testdata/jan2005.mbox"), ingest.Options{Source: "list"}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "calvin.test")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "1"), []byte("From: Alice <Alice@Example.org>\nNewsgroups: calvin.test\nSubject: News\n"+
		"Message-ID: <n1@example.org>\nDate: Wed, 5 Jan 2005 10:00:00 GMT\n\nHello news.\n"), 0o644)
	if _, err := s.Ingest(ctx, spool.New(filepath.Dir(dir)), ingest.Options{Source: "news"}); err != nil {
		t.Fatal(err)
	}
	entries, err := s.Leaderboard(ctx, Board{Month: time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC), Profile: calvinProfile, Top: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("%d entries", len(entries))
	}
	e := entries[0]
	if got, want := fmt.Sprintf("%s %g %s %s %d", e.Name, e.Value, e.Source, e.Author, e.Accounts), "Alice 5 list,news mail:alice@example.org 2"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestOldFileUpgraded: a file made before a table or column existed (here:
// published, ingest_runs.rows_duplicate, posts.post_key, account_keys and
// post_links dropped) gets them on a read-only open too, so that reading
// it never fails on them: its 17 posts numbered. A refresh then links
// them and gives back the monthly metrics the ingest had made.
func TestOldFileUpgraded(t *testing.T) {
	s, path := newStore(t)
	ingestDump(t, s, fixture)
	before := monthlyRows(t, s)
	if _, err := s.db.Exec(`DROP TABLE published; ALTER TABLE ingest_runs DROP COLUMN rows_duplicate;
		ALTER TABLE posts DROP COLUMN post_key; DROP TABLE account_keys; DROP TABLE post_links`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(context.Background(), path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, ok, err := ro.Published(context.Background(), time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC), "month", "calvin", ""); err != nil || ok {
		t.Errorf("published on an old file: %v, %v; want nothing published", ok, err)
	}
	var dups int64
	if err := ro.db.QueryRow("SELECT sum(rows_duplicate) FROM ingest_runs").Scan(&dups); err != nil || dups != 0 {
		t.Errorf("rows_duplicate on an old file: %d, %v", dups, err)
	}
	var keys int
	if err := ro.db.QueryRow("SELECT count(DISTINCT post_key) FROM posts").Scan(&keys); err != nil || keys != 17 {
		t.Errorf("post keys on an old file: %d, %v; want 17", keys, err)
	}
	ro.Close()

	rw, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if _, err := rw.db.Exec("DELETE FROM monthly_metrics"); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after := monthlyRows(t, rw); strings.Join(after, "\n") != strings.Join(before, "\n") || len(after) == 0 {
		t.Errorf("refreshed after the upgrade:\n%s\nas ingested:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
}

// TestNetworkAccountRule: the Stack Exchange users of one network account
// (AccountId) are one person across sites. The fixture stored as two
// sites (t, t2) doubles everyone's May (calvin scores Alice 6, Bob 5,
// Carol 3, Dave 2): 12, 10, 6, 4, from both sites, their key se:ACCOUNT.
func TestNetworkAccountRule(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	if _, err := s.Ingest(context.Background(), stackexchange.New(fixture), ingest.Options{Source: "t2", Strict: true}); err != nil {
		t.Fatal(err)
	}
	entries, err := s.Leaderboard(context.Background(), Board{Month: time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC), Profile: calvinProfile})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%d %s %g %s %s %d", e.Rank, e.Name, e.Value, e.Source, e.Author, e.Accounts))
	}
	want := "1 Alice 12 t,t2 se:101 2; 2 Bob 10 t,t2 se:102 2; 3 Carol & Co 6 t,t2 se:103 2; 4 Dave 4 t,t2 se:104 2"
	if strings.Join(got, "; ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, "; "), want)
	}
}

// withFacts is a source of posts whose read also finds n network
// accounts, one per made-up user.
type withFacts struct {
	posts
	n int
}

func (w withFacts) Read(ctx context.Context, opts ingest.Options) (array.RecordReader, error) {
	for i := range w.n {
		opts.Facts.Add(strconv.Itoa(i), "se_account", strconv.Itoa(i%1000))
	}
	return w.posts.Read(ctx, opts)
}

// factsDump is a source of one post whose read records the facts of n
// users (withFacts).
func factsDump(n int) withFacts {
	return withFacts{posts: posts{{PostID: []byte("q1"), ThreadID: []byte("q1"), Kind: ingest.KindQuestion,
		Author: []byte("7"), CreatedAt: time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC).UnixMicro()}}, n: n}
}

// TestManyFacts: the accounts' facts of a large dump (800,000 users) are
// stored under a 48 MB cap, and a second read of them adds nothing. A
// statement per fact ran a dump of 125,000 users out of memory at 1 GB;
// a primary key on account_facts, 7.5 million users at 1 GB (and these
// at 96 MB).
func TestManyFacts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calvin.duckdb")
	s, err := Open(context.Background(), path, Options{MemoryLimit: "48MB"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	src := factsDump(800_000)
	for range 2 {
		if _, err := s.Ingest(context.Background(), src, ingest.Options{Source: "t"}); err != nil {
			t.Fatal(err)
		}
		var n int
		var people string
		if err := s.db.QueryRow("SELECT count(*) FROM account_facts WHERE source = 't' AND fact = 'se_account'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 800_000 {
			t.Errorf("%d facts stored, want 800000", n)
		}
		// User 7's network account is 7, so its person is se:7.
		if err := s.db.QueryRow("SELECT person FROM accounts WHERE author = '7'").Scan(&people); err != nil || people != "se:7" {
			t.Errorf("user 7: person %q, %v; want se:7", people, err)
		}
	}
}

// TestFactsUnkeyed: a file whose account_facts has the primary key an
// earlier Calvin gave it is opened with the table made again without
// it, its facts kept, and an ingest then adds only the facts not there.
func TestFactsUnkeyed(t *testing.T) {
	s, path := newStore(t)
	if _, err := s.db.Exec(`DROP TABLE account_facts;
		CREATE TABLE account_facts (source VARCHAR NOT NULL, author VARCHAR NOT NULL, fact VARCHAR NOT NULL,
			value VARCHAR NOT NULL, PRIMARY KEY (source, author, fact, value));
		INSERT INTO account_facts VALUES ('t', '1', 'se_account', '1'), ('t', '2', 'se_account', '2')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var keys int
	if err := s.db.QueryRow("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'account_facts' AND constraint_type = 'PRIMARY KEY'").Scan(&keys); err != nil || keys != 0 {
		t.Errorf("%d primary keys on account_facts, %v; want none", keys, err)
	}
	src := factsDump(3)
	if _, err := s.Ingest(context.Background(), src, ingest.Options{Source: "t"}); err != nil {
		t.Fatal(err)
	}
	// The read finds users 0, 1 and 2, of accounts 0, 1 and 2: 1 and 2
	// were there.
	got := column[string](t, s.db, "SELECT author || ':' || value FROM account_facts ORDER BY 1")
	if want := []string{"0:0", "1:1", "2:2"}; !slices.Equal(got, want) {
		t.Errorf("facts %q, want %q", got, want)
	}
}

// TestRefresh: recomputing the derived tables from the posts gives them
// back as the ingest made them, after they were emptied.
func TestRefresh(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	before := monthlyRows(t, s)
	if _, err := s.db.Exec("DELETE FROM monthly_metrics; DELETE FROM accounts"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after := monthlyRows(t, s); strings.Join(after, "\n") != strings.Join(before, "\n") || len(after) == 0 {
		t.Errorf("after the refresh:\n%s\nbefore:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	var accounts int
	if err := s.db.QueryRow("SELECT count(*) FROM accounts WHERE person IS NOT NULL").Scan(&accounts); err != nil || accounts != 6 {
		t.Errorf("%d accounts with their person, %v; want the fixture's 6 authors", accounts, err)
	}
}
