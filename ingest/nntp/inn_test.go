package nntp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/nntp"
	"github.com/calvinslist/calvin/ingest/nntp/inntest"
)

// article is a news article written for these tests.
func article(id, from, groups, date, subject, refs, body string) []byte {
	a := "Path: test!not-for-mail\n" +
		"From: " + from + "\n" +
		"Newsgroups: " + groups + "\n" +
		"Subject: " + subject + "\n" +
		"Message-ID: <" + id + ">\n" +
		"Date: " + date + "\n"
	if refs != "" {
		a += "References: " + refs + "\n"
	}
	return []byte(a + "\n" + body)
}

// The first posting, in two groups, worked out by hand:
//
//	calvin.test.a  1 t1 Alice topic
//	               2 r1 Bob, replies to t1, crossposted to b
//	calvin.test.b  1 r1 (the same article: stored once)
//	               2 r2 Carol, replies to r1 in t1's thread
//	               3 o1 Dave, replies to a message the server never had
var first = [][]byte{
	article("t1@calvin.test", "Alice <alice@example.org>", "calvin.test.a", "Tue, 02 Jan 2024 10:00:00 GMT", "Hello", "", "Hi all.\n"),
	article("r1@calvin.test", "bob@example.org (Bob)", "calvin.test.a,calvin.test.b", "Tue, 02 Jan 2024 11:00:00 GMT", "Re: Hello", "<t1@calvin.test>", "Hi Alice.\n"),
	article("r2@calvin.test", "Carol <carol@example.org>", "calvin.test.b", "2 Jan 2024 12:00:00 -0100", "Re: Hello", "<t1@calvin.test> <r1@calvin.test>", "Hi Bob.\n"),
	article("o1@calvin.test", "Dave <DAVE@Example.org>", "calvin.test.b", "Thu, 01 Feb 2024 09:00:00 +0000", "Re: Gone", "<gone@elsewhere>", "Late.\n"),
}

// The second posting: a:3 t3 Erin, a topic; b:4 r3 Alice answers Carol.
var second = [][]byte{
	article("t3@calvin.test", "Erin <erin@example.org>", "calvin.test.a", "Fri, 02 Feb 2024 08:00:00 GMT", "Second topic", "", "New.\n"),
	article("r3@calvin.test", "Alice <alice@example.org>", "calvin.test.b", "Fri, 02 Feb 2024 09:00:00 GMT", "Re: Hello", "<t1@calvin.test> <r1@calvin.test> <r2@calvin.test>", "Thanks.\n"),
}

var groups = []string{"calvin.test.a", "calvin.test.b", "calvin.test.empty"}

// A post as the tests compare them.
type post struct {
	id, thread, parent, kind, title, author, created, areas string
}

func (p post) String() string {
	return strings.Join([]string{p.id, p.thread, p.parent, p.kind, p.title, p.author, p.created, p.areas}, " | ")
}

var wantFirst = []post{
	{"o1@calvin.test", "gone@elsewhere", "gone@elsewhere", "reply", "", "dave@example.org", "2024-02-01T09:00:00Z", "calvin.test.b"},
	{"r1@calvin.test", "t1@calvin.test", "t1@calvin.test", "reply", "", "bob@example.org", "2024-01-02T11:00:00Z", "calvin.test.a,calvin.test.b"},
	{"r2@calvin.test", "t1@calvin.test", "r1@calvin.test", "reply", "", "carol@example.org", "2024-01-02T13:00:00Z", "calvin.test.b"},
	{"t1@calvin.test", "t1@calvin.test", "", "topic", "Hello", "alice@example.org", "2024-01-02T10:00:00Z", "calvin.test.a"},
}

var wantSecond = []post{
	{"r3@calvin.test", "t1@calvin.test", "r2@calvin.test", "reply", "", "alice@example.org", "2024-02-02T09:00:00Z", "calvin.test.b"},
	{"t3@calvin.test", "t3@calvin.test", "", "topic", "Second topic", "erin@example.org", "2024-02-02T08:00:00Z", "calvin.test.a"},
}

// store keeps what a pull stores, as the engine would: the posts of each
// step and the marks, a step at a time; failAt makes the step of that
// number (from 1) fail, as an interrupted pull.
type store struct {
	mu     sync.Mutex
	posts  []post
	marks  map[string]ingest.Mark
	steps  int
	failAt int
}

func (s *store) Marks() []ingest.Mark {
	var m []ingest.Mark
	for _, v := range s.marks {
		m = append(m, v)
	}
	return m
}

var errInterrupted = errors.New("interrupted")

func (s *store) step(rr array.RecordReader, reached []ingest.Mark) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.steps++
	var got []post
	if rr != nil {
		defer rr.Release()
		for rr.Next() {
			got = append(got, posts(rr)...)
		}
		if err := rr.Err(); err != nil {
			return err
		}
	}
	if s.steps == s.failAt {
		return errInterrupted
	}
	s.posts = append(s.posts, got...)
	if s.marks == nil {
		s.marks = map[string]ingest.Mark{}
	}
	for _, m := range reached {
		s.marks[m.Server+" "+m.Group] = m
	}
	return nil
}

func posts(rr array.RecordReader) []post {
	var out []post
	for _, p := range ingest.Posts(rr.RecordBatch()) {
		out = append(out, post{
			id: string(p.PostID), thread: string(p.ThreadID), parent: string(p.ParentID),
			kind: p.Kind, title: string(p.Title), author: string(p.Author),
			created: time.UnixMicro(p.CreatedAt).UTC().Format(time.RFC3339), areas: string(bytes.Join(p.Areas, []byte(","))),
		})
	}
	return out
}

func sorted(p []post) []post {
	p = slices.Clone(p)
	slices.SortFunc(p, func(a, b post) int { return strings.Compare(a.id, b.id) })
	return p
}

func diff(t *testing.T, what string, got, want []post) {
	t.Helper()
	got = sorted(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s: got\n%s\nwant\n%s", what, join(got), join(want))
	}
}

func join(p []post) string {
	var b strings.Builder
	for _, x := range p {
		fmt.Fprintf(&b, "\t%s\n", x)
	}
	return b.String()
}

func feed(t *testing.T, srv *inntest.Server, groups string) *nntp.Feed {
	t.Helper()
	return feedB(t, srv, groups)
}

func feedB(t testing.TB, srv *inntest.Server, groups string) *nntp.Feed {
	t.Helper()
	f, err := nntp.Parse("news://" + srv.Addr + "/" + groups)
	if err != nil {
		t.Fatal(err)
	}
	f.Dialer.TLSConfig = srv.TLS
	f.Dialer.Timeout = 5 * time.Second
	f.Backoff = 10 * time.Millisecond
	return f
}

func pull(t *testing.T, f *nntp.Feed, st *store, stats *ingest.Stats) error {
	t.Helper()
	return f.Pull(context.Background(), ingest.Options{Source: "test", Strict: true, Stats: stats}, st.Marks(), st.step)
}

// TestPull: a full pull, new articles posted, an incremental pull that
// reads only those, against a real INN.
func TestPull(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: groups})
	srv.Post(first...)
	f := feed(t, srv, "calvin.test.*")
	st := &store{}
	stats := new(ingest.Stats)
	if err := pull(t, f, st, stats); err != nil {
		t.Fatal(err)
	}
	diff(t, "full pull", st.posts, wantFirst)
	if got := stats.Duplicates.Load(); got != 1 {
		t.Errorf("duplicates: got %d, want 1 (r1, crossposted)", got)
	}
	// Progress: a:1-2 and b:1-3 to go through; the empty group none.
	if done, todo := stats.Articles.Load(), stats.ArticlesTotal.Load(); done != 5 || todo != 5 {
		t.Errorf("articles gone through %d of %d, want 5 of 5", done, todo)
	}
	wantMarks := map[string]int64{"calvin.test.a": 2, "calvin.test.b": 3}
	checkMarks(t, f.Server, st, wantMarks)

	srv.Post(second...)
	st.posts = nil
	stats = new(ingest.Stats)
	if err := pull(t, f, st, stats); err != nil {
		t.Fatal(err)
	}
	diff(t, "incremental pull", st.posts, wantSecond)
	if got := stats.Read.Load(); got != 2 {
		t.Errorf("incremental pull read %d articles, want 2", got)
	}
	if done, todo := stats.Articles.Load(), stats.ArticlesTotal.Load(); done != 2 || todo != 2 {
		t.Errorf("incremental pull: articles gone through %d of %d, want 2 of 2", done, todo)
	}
	checkMarks(t, f.Server, st, map[string]int64{"calvin.test.a": 3, "calvin.test.b": 4})

	// Nothing new: nothing read.
	st.posts = nil
	if err := pull(t, f, st, new(ingest.Stats)); err != nil {
		t.Fatal(err)
	}
	diff(t, "pull with nothing new", st.posts, nil)

	// A pattern that matches no group is an error, not an empty pull.
	f = feed(t, srv, "calvin.tset.*")
	if err := pull(t, f, &store{}, new(ingest.Stats)); err == nil || !strings.Contains(err.Error(), `no group matches "calvin.tset.*"`) {
		t.Errorf("no group: got %v", err)
	}
}

func checkMarks(t *testing.T, server string, st *store, want map[string]int64) {
	t.Helper()
	got := map[string]int64{}
	for _, m := range st.marks {
		if m.Server != server {
			t.Errorf("mark of server %q, want %q", m.Server, server)
		}
		got[m.Group] = m.Last
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("marks: got %v, want %v", got, want)
	}
}

// TestPullResume: a pull in steps of one article cut off at its third
// step keeps the two steps before it; the next pull reads the rest, and
// no article is stored twice.
func TestPullResume(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: groups})
	srv.Post(first...)
	f := feed(t, srv, "calvin.test.a,calvin.test.b")
	f.Step = 1
	st := &store{failAt: 3}
	if err := pull(t, f, st, new(ingest.Stats)); !errors.Is(err, errInterrupted) {
		t.Fatalf("cut-off pull: got %v, want the interruption", err)
	}
	// Steps 1 and 2 were a:1 (t1) and a:2 (r1); step 3, b:1, was r1 again.
	diff(t, "cut-off pull", st.posts, []post{wantFirst[1], wantFirst[3]})
	checkMarks(t, f.Server, st, map[string]int64{"calvin.test.a": 2})

	st.failAt = 0
	stats := new(ingest.Stats)
	if err := pull(t, f, st, stats); err != nil {
		t.Fatal(err)
	}
	// The resumed pull starts at b:1. It meets r1 again, which a fresh
	// pull has not seen: it is read, and stored once by the engine's
	// merge on post_id; every other article is read once.
	diff(t, "cut-off then resumed", dedupe(st.posts), wantFirst)
	if got := stats.Read.Load(); got != 3 {
		t.Errorf("resumed pull read %d articles, want 3 (b:1-3)", got)
	}
	checkMarks(t, f.Server, st, map[string]int64{"calvin.test.a": 2, "calvin.test.b": 3})
}

func dedupe(p []post) []post {
	seen := map[string]bool{}
	var out []post
	for _, x := range p {
		if !seen[x.id] {
			seen[x.id] = true
			out = append(out, x)
		}
	}
	return out
}

// TestPullMethods: HDR and HEAD, the fallbacks for servers without OVER,
// give the same posts as OVER.
func TestPullMethods(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: groups})
	srv.Post(first...)
	for _, m := range []string{nntp.MethodOver, nntp.MethodHdr, nntp.MethodHead} {
		t.Run(m, func(t *testing.T) {
			f := feed(t, srv, "calvin.test.*")
			f.Method = m
			f.Step = 2
			st := &store{}
			if err := pull(t, f, st, new(ingest.Stats)); err != nil {
				t.Fatal(err)
			}
			diff(t, m, st.posts, wantFirst)
		})
	}
}

// TestAuthinfo: a server that lets only an authenticated user read. The
// password goes only over TLS (STARTTLS here, nntps on the second port).
func TestAuthinfo(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: groups, User: "calvin", Password: "s3cret pass", TLSPort: true})
	srv.Post(first...)

	for _, tc := range []struct {
		name, url, password string
		wantErr             string
	}{
		{"no user", "news://" + srv.Addr + "/calvin.test.*", "", "480 Authentication required for command (the server wants a user"},
		{"wrong password", "news://calvin@" + srv.Addr + "/calvin.test.*", "wrong", "481"},
		{"starttls", "news://calvin@" + srv.Addr + "/calvin.test.*", "s3cret pass", ""},
		{"nntps", "nntps://calvin@" + srv.TLSAddr + "/calvin.test.*", "s3cret pass", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := nntp.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			f.Dialer.TLSConfig = srv.TLS
			f.Dialer.Password = tc.password
			f.Dialer.Timeout = 5 * time.Second
			st := &store{}
			err = pull(t, f, st, new(ingest.Stats))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error with %s", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), tc.password) && tc.password != "" {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			diff(t, tc.name, st.posts, wantFirst)
		})
	}

	// Without a trusted certificate, STARTTLS fails and says so; nothing
	// goes in clear instead.
	f, _ := nntp.Parse("news://calvin@" + srv.Addr + "/calvin.test.*")
	f.Dialer.Password = "s3cret pass"
	f.Dialer.Timeout = 5 * time.Second
	err := pull(t, f, &store{}, new(ingest.Stats))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted certificate: got %v, want a certificate error", err)
	}
}

// TestPullRetry: connections that drop half way through a response are
// dialled again and the step read again; the posts come out once each.
// When the server stays unreachable the pull gives up and says after how
// many tries.
func TestPullRetry(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: groups})
	srv.Post(first...)
	px := inntest.NewProxy(t, srv.Addr)
	f := feed(t, srv, "calvin.test.*")
	f.Dialer.Addr = px.Addr
	var warned atomic.Int32
	f.Warn = func(error) { warned.Add(1) }

	// The first two connections are cut after 600 bytes from the server:
	// inside the overview of calvin.test.a.
	px.CutAfter.Store(600)
	px.Cuts.Store(2)
	st := &store{}
	if err := pull(t, f, st, new(ingest.Stats)); err != nil {
		t.Fatal(err)
	}
	diff(t, "pull through dropped connections", st.posts, wantFirst)
	if warned.Load() != 2 {
		t.Errorf("warned of %d retries, want 2", warned.Load())
	}

	px.Refuse.Store(true)
	f.Tries = 3
	err := pull(t, f, &store{}, new(ingest.Stats))
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 tries") {
		t.Errorf("server gone: got %v, want it to give up after 3 tries", err)
	}
}

// TestPullBusy: a server that answers "400 load at 16.99, try later"
// (nnrpd over its load limit) is tried again with the backoff of a
// dropped connection, each refusal a warning; one that keeps refusing is
// given up on and reported with its words.
func TestPullBusy(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: groups})
	srv.Post(first...)
	px := inntest.NewProxy(t, srv.Addr)
	f := feed(t, srv, "calvin.test.*")
	f.Dialer.Addr = px.Addr
	f.Backoff = 10 * time.Millisecond
	var warnings []string
	f.Warn = func(err error) { warnings = append(warnings, err.Error()) }
	px.Busy.Store(2)
	st := &store{}
	if err := pull(t, f, st, new(ingest.Stats)); err != nil {
		t.Fatal(err)
	}
	diff(t, "pull from a server busy twice", st.posts, wantFirst)
	if len(warnings) != 2 || !strings.Contains(warnings[0], "400 load at 16.99, try later; trying again in 10ms") ||
		!strings.Contains(warnings[1], "trying again in 20ms") {
		t.Errorf("warnings %q, want two refusals, the second waited on twice as long", warnings)
	}

	px.Busy.Store(100)
	f.Tries = 3
	err := pull(t, f, &store{}, new(ingest.Stats))
	if err == nil || !strings.Contains(err.Error(), "400 load at 16.99, try later (gave up after 3 tries)") {
		t.Errorf("a server busy throughout: got %v, want it to give up after 3 tries", err)
	}
}

// TestPullGaps: an article cancelled on the server (r2, b:2) leaves a gap
// in the numbers; every method passes over it, a step holding nothing
// else (steps of one article) included, and the marks still advance.
func TestPullGaps(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: groups})
	srv.Post(first...)
	srv.Ctl("cancel", "<r2@calvin.test>")
	want := slices.Delete(slices.Clone(wantFirst), 2, 3)
	for _, m := range []string{nntp.MethodOver, nntp.MethodHdr, nntp.MethodHead} {
		t.Run(m, func(t *testing.T) {
			f := feed(t, srv, "calvin.test.*")
			f.Method = m
			f.Step = 1
			st := &store{}
			if err := pull(t, f, st, new(ingest.Stats)); err != nil {
				t.Fatal(err)
			}
			diff(t, m, st.posts, want)
			checkMarks(t, f.Server, st, map[string]int64{"calvin.test.a": 2, "calvin.test.b": 3})
		})
	}
}

// TestPullTimeout: a server that accepts the connection and then says
// nothing is given up on after the timeout, and tried again.
func TestPullTimeout(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: groups})
	srv.Post(first...)
	px := inntest.NewProxy(t, srv.Addr)
	px.Stalls.Store(1)
	f := feed(t, srv, "calvin.test.*")
	f.Dialer.Addr = px.Addr
	f.Dialer.Timeout = time.Second
	var warnings []string
	f.Warn = func(err error) { warnings = append(warnings, err.Error()) }
	st := &store{}
	if err := pull(t, f, st, new(ingest.Stats)); err != nil {
		t.Fatal(err)
	}
	diff(t, "pull after a timeout", st.posts, wantFirst)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "timeout") {
		t.Errorf("warnings %q, want one timeout", warnings)
	}
}

// TestPullBadNumbers: a server whose groups announce numbers that make no
// sense (here a real INN whose active file says a group runs up to the
// largest 64-bit number, which its GROUP answers past 64 bits) has those
// groups reported and passed over, and the rest read; nothing loops.
func TestPullBadNumbers(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: groups,
		Active: []string{"calvin.test.big 9223372036854775807 9223372036854770000 y"}})
	srv.Post(first...)
	f := feed(t, srv, "calvin.test.*")
	st := &store{}
	var reported []string
	err := f.Pull(context.Background(), ingest.Options{Source: "test", Stats: new(ingest.Stats),
		Report: func(err error) { reported = append(reported, err.Error()) }}, nil, st.step)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "the sane groups", st.posts, wantFirst)
	if len(reported) != 1 || !strings.Contains(reported[0], "/calvin.test.big: ") || !strings.Contains(reported[0], "GROUP calvin.test.big: bad response") {
		t.Errorf("reported %q, want calvin.test.big", reported)
	}
}

// TestPullLongLine: an overview line longer than the read's limit (an
// article with a 3,000-byte Subject, the limit at 1,000) is read and
// dropped, not kept in memory, and the pull fails saying why.
func TestPullLongLine(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: []string{"calvin.long"}})
	srv.Post(article("long1@calvin.test", "Ann <ann@example.org>", "calvin.long", "Tue, 02 Jan 2024 10:00:00 GMT", strings.Repeat("s", 3000), "", "Hi.\n"))
	f := feed(t, srv, "calvin.long")
	f.Tries = 1
	err := f.Pull(context.Background(), ingest.Options{Source: "test", MaxRecord: 1000, Stats: new(ingest.Stats)}, nil, (&store{}).step)
	if err == nil || !strings.Contains(err.Error(), "a line longer than 1000 bytes") {
		t.Errorf("got %v, want the pull to fail on a line longer than 1000 bytes", err)
	}
}
