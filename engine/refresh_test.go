package engine

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/report"
)

// derived returns the rows a refresh makes, a line each: monthly_metrics,
// accounts and multi_account_people.
func derived(t *testing.T, s *Store) string {
	t.Helper()
	out := monthlyRows(t, s)
	rows, err := s.db.Query(`SELECT source, author, name, named_at, messages, first_post, last_post, ranked, person, author_key, person_key FROM accounts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var source, author, name, person string
		var messages int64
		var named sql.NullTime
		var first, last time.Time
		var ranked bool
		var ak, pk int32
		if err := rows.Scan(&source, &author, &name, &named, &messages, &first, &last, &ranked, &person, &ak, &pk); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("account %s %s %q %v %d %s %s %v %s %d %d", source, author, name, named, messages, first, last, ranked, person, ak, pk))
	}
	for _, p := range multiPeople(t, s) {
		out = append(out, "multi_account_people "+p)
	}
	out = append(out, areaRows(t, s)...)
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// TestIncrementalRefresh: an ingest that only adds posts recomputes the
// months they change, and leaves exactly the rows a full refresh then
// makes, after each kind of late data: a post in a new month; a reply to
// a post months old, by a new account; an answer made earlier than the
// thread's first response, which it displaces (its month and the
// displaced one's both change); an answer accepted months after it was
// written; a reply stored before its parent, then the parent; and a newer
// dump that changes stored posts (views, acceptance), which refreshes
// every month. After each, the counts over every span and area (from
// post_links) are still those of the posts (window_metrics.sql). The
// accounts' latest names too: a post under a new name, one without a
// name. Each load runs both ways: staged and merged by id (a few
// posts), and one MERGE (a large load); and the links are made once as
// one chunk and once a post at a time. Two areas are counted ahead
// (area_metrics), and held to the same rule.
func TestIncrementalRefresh(t *testing.T) {
	for _, c := range []struct{ few, chunk int64 }{{fewPosts, 0}, {0, 0}, {fewPosts, 1}} {
		t.Run(fmt.Sprintf("few posts %d, link chunk %d", c.few, c.chunk), func(t *testing.T) { testIncrementalRefresh(t, c.few, c.chunk) })
	}
}

func testIncrementalRefresh(t *testing.T, few, chunk int64) {
	s, _ := newStore(t)
	s.fewPosts, s.linkChunk = few, chunk
	s.areas = map[string][]string{"go": {"go"}, "sql": {"sql"}} // area_metrics too
	ctx := context.Background()
	at := func(y int, m time.Month, d int) int64 { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC).UnixMicro() }
	q := func(id, author string, ts int64, views int64) ingest.Post {
		area := "go"
		if id == "q3" || id == "q5" {
			area = "sql" // the areas' counts differ from every post's
		}
		return ingest.Post{PostID: []byte(id), ThreadID: []byte(id), Kind: ingest.KindQuestion, Author: []byte(author),
			AuthorName: []byte(author), CreatedAt: ts, Views: views, HasViews: true, Areas: [][]byte{[]byte(area)}}
	}
	a := func(id, thread, author string, ts int64) ingest.Post {
		return ingest.Post{PostID: []byte(id), ThreadID: []byte(thread), ParentID: []byte(thread), Kind: ingest.KindAnswer,
			Author: []byte(author), AuthorName: []byte(author), CreatedAt: ts}
	}
	c := func(id, thread, parent, author string, ts int64) ingest.Post {
		return ingest.Post{PostID: []byte(id), ThreadID: []byte(thread), ParentID: []byte(parent), Kind: ingest.KindComment,
			Author: []byte(author), AuthorName: []byte(author), CreatedAt: ts}
	}
	named := func(p ingest.Post, name string) ingest.Post {
		p.AuthorName = []byte(name)
		if name == "" {
			p.AuthorName = nil
		}
		return p
	}
	accepted := func(p ingest.Post, ts int64) ingest.Post {
		p.Accepted, p.AcceptedAt = true, ts
		return p
	}
	first := posts{
		q("q1", "ann", at(2021, 1, 5), 10),
		a("a1", "q1", "bo", at(2021, 1, 9)),
		q("q2", "bo", at(2021, 2, 3), 20),
		a("a2", "q2", "cy", at(2021, 3, 1)),
		q("q3", "cy", at(2021, 3, 2), 30),
	}
	if _, err := s.Ingest(ctx, first, ingest.Options{Source: "x"}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name   string
		posts  posts
		months int    // recomputed; -1 every month
		forget string // an account whose named_at is forgotten first, as in a file made before it
	}{
		{"a post in a new month", posts{q("q4", "ann", at(2021, 5, 1), 5)}, 1, ""},
		{"a reply to a post months old, by a new account", posts{c("c1", "q1", "q1", "dee", at(2021, 5, 2))}, 1, ""},
		// a2 (March) was q2's first response; a3, made in February,
		// displaces it: February and March change.
		{"an earlier first response", posts{a("a3", "q2", "ann", at(2021, 2, 20))}, 2, ""},
		{"an answer accepted months after it was written", posts{accepted(a("a4", "q3", "bo", at(2021, 3, 10)), at(2021, 6, 1))}, 2, ""},
		{"a reply before its parent", posts{c("c2", "q5", "q5", "ann", at(2021, 7, 2))}, 1, ""},
		{"the parent after it", posts{q("q5", "dee", at(2021, 7, 1), 7)}, 1, ""},
		{"a post under a new name", posts{named(q("q6", "bo", at(2021, 8, 1), 3), "Bo B.")}, 1, ""},
		{"a post without a name, and an older one under another", posts{
			named(a("a5", "q6", "cy", at(2021, 8, 3)), ""), named(a("a6", "q5", "cy", at(2021, 7, 3)), "Cy C.")}, 2, ""},
		// ann's latest name is c2's (July): q7's is older, and not hers.
		{"a named post older than the name shown", posts{named(q("q7", "ann", at(2021, 4, 1), 2), "Ann Old")}, 1, ""},
		// Without named_at, bo's posts are counted again: his name is
		// still q6's.
		{"in a file made before named_at, a named post older than the name shown",
			posts{named(a("a7", "q4", "bo", at(2021, 5, 3)), "Bo Old")}, 1, "bo"},
		{"a newer dump: views and an acceptance changed", posts{q("q1", "ann", at(2021, 1, 5), 99), accepted(a("a1", "q1", "bo", at(2021, 1, 9)), at(2021, 2, 1))}, -1, ""},
	} {
		if step.forget != "" {
			if _, err := s.db.Exec("UPDATE accounts SET named_at = NULL WHERE author = ?", step.forget); err != nil {
				t.Fatal(err)
			}
		}
		run, err := s.Ingest(ctx, step.posts, ingest.Options{Source: "x"})
		if err != nil {
			t.Fatal(step.name, err)
		}
		if run.Refreshed.Months != step.months {
			t.Errorf("%s: %d months recomputed, want %d", step.name, run.Refreshed.Months, step.months)
		}
		after := derived(t, s)
		checkAccountMonths(t, s) // the ingest's: the months it recounted before each until replaced
		if _, err := s.Refresh(ctx, "x"); err != nil {
			t.Fatal(err)
		}
		if full := derived(t, s); after != full {
			t.Errorf("%s: the ingest's refresh left\n%s\na full refresh makes\n%s", step.name, after, full)
		}
		// The spans' counts, from the links, are still those of the posts.
		checkSpans(t, s, 0)
		checkAccountMonths(t, s)
	}
}

// checkAccountMonths holds account_months to monthly_metrics: exactly the
// rows of each source's months before its until (queries/schema.sql); it
// returns how many there are.
func checkAccountMonths(t *testing.T, s *Store) int64 {
	t.Helper()
	cols := "source, author_key, month, " + strings.Join(MetricNames(), ", ")
	kept := "SELECT " + cols + " FROM monthly_metrics AS m JOIN account_months_until AS u USING (source) WHERE m.month < u.until"
	held := "SELECT " + cols + " FROM account_months"
	if n := column[int64](t, s.db, "SELECT count(*) FROM (("+kept+" EXCEPT ALL "+held+") UNION ALL ("+held+" EXCEPT ALL "+kept+"))"); n[0] != 0 {
		t.Errorf("account_months: %d rows differ from monthly_metrics' before each source's until", n[0])
	}
	return column[int64](t, s.db, "SELECT count(*) FROM account_months")[0]
}

// linkRows returns every row of post_links, a line each, in key order,
// with the accounts by name (their numbers depend on the order DuckDB
// meets them in).
func linkRows(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.Query(`SELECT l.* EXCLUDE (author_key, parent_author_key, starter_author_key), a.author, pa.author, sa.author
		FROM post_links AS l
		LEFT JOIN account_keys AS a ON a.author_key = l.author_key
		LEFT JOIN account_keys AS pa ON pa.author_key = l.parent_author_key
		LEFT JOIN account_keys AS sa ON sa.author_key = l.starter_author_key
		ORDER BY l.source, l.post_key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	table, err := report.FromRows(rows)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, row := range table.Rows {
		out = append(out, fmt.Sprint(row...))
	}
	return out
}

// TestLinkInChunks: posts linked a few at a time (Store.linkChunk) get the
// links of those linked at once, on the fixtures of three platforms and
// after a second ingest that stores the parents of posts left pending by
// the first (their links made again, in chunks too). A chunk of 3 posts
// splits each of them; the links are compared row for row.
func TestLinkInChunks(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2021, 5, 1, 9, 0, 0, 0, time.UTC)
	reply := func(id, parent string, after time.Duration) ingest.Post {
		return ingest.Post{PostID: []byte(id), ThreadID: []byte("late"), ParentID: []byte(parent),
			Kind: ingest.KindReply, Author: []byte("r" + id), CreatedAt: at.Add(after).UnixMicro()}
	}
	var replies posts
	for i := range 7 {
		replies = append(replies, reply(fmt.Sprint("r", i), "late", time.Duration(i+1)*time.Hour))
	}
	late := ingest.Post{PostID: []byte("late"), ThreadID: []byte("late"), Kind: ingest.KindTopic, Author: []byte("op"), CreatedAt: at.UnixMicro()}
	var want []string
	for _, chunk := range []int64{0, 3} {
		s, _ := newStore(t)
		s.linkChunk = chunk
		ingestThreePlatforms(t, s)
		if _, err := s.Ingest(ctx, replies, ingest.Options{Source: "late"}); err != nil {
			t.Fatal(err)
		}
		var pending int
		if err := s.db.QueryRow("SELECT count(*) FROM post_links WHERE pending AND source = 'late'").Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending != len(replies) {
			t.Errorf("chunk %d: %d links pending before the topic, want %d", chunk, pending, len(replies))
		}
		if _, err := s.Ingest(ctx, posts{late}, ingest.Options{Source: "late"}); err != nil {
			t.Fatal(err)
		}
		got := linkRows(t, s)
		var stored int
		if err := s.db.QueryRow("SELECT count(*) FROM posts").Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if len(got) != stored {
			t.Errorf("chunk %d: %d links of %d posts", chunk, len(got), stored)
		}
		if chunk == 0 {
			want = got
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("linked 3 posts at a time:\n%s\nat once:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestLinkChunkSize: without a test's chunk, the memory cap sets it, one
// post for each linkBytes of the cap as DuckDB prints it ("953.6 MiB" for
// 1GB, "190.7 MiB" for 200MB), and at least minLinkChunk.
func TestLinkChunkSize(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		limit string
		want  int64
	}{
		{"1GB", 999_922_073 / linkBytes},   // 953.6 × 2^20 bytes
		{"200MB", 199_963_443 / linkBytes}, // 190.7 × 2^20
		{"4MB", minLinkChunk},              // 3.8 × 2^20 / 512 is 7,782
	} {
		s, err := Open(ctx, t.TempDir()+"/c.duckdb", Options{MemoryLimit: c.limit})
		if err != nil {
			t.Fatal(err)
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.linkChunkSize(ctx, tx)
		tx.Rollback()
		s.Close()
		if err != nil || got != c.want {
			t.Errorf("%s: %d posts a chunk (%v), want %d", c.limit, got, err, c.want)
		}
	}
}

// TestAccountsInParts: every account counted a part at a time
// (Store.accountSplit, as a small memory cap makes them) gives the
// accounts counted at once, on the fixtures of three platforms: names,
// messages, first and last posts, ranks, persons (the Stack Exchange
// fixture's network accounts among them) and numbers (compared by what
// they number: an ingest numbers the accounts in the order DuckDB meets
// them). The dump's accounts fall in each of three parts.
func TestAccountsInParts(t *testing.T) {
	ctx := context.Background()
	var want []string
	for _, parts := range []int64{0, 3} {
		s, _ := newStore(t)
		s.accountSplit = parts
		ingestThreePlatforms(t, s)
		if _, err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		var split, se int
		if err := s.db.QueryRow(`SELECT count(DISTINCT hash(author) % 3), count(*) FILTER (person LIKE 'se:%')
			FROM accounts WHERE source = 't'`).Scan(&split, &se); err != nil {
			t.Fatal(err)
		}
		if split != 3 || se == 0 {
			t.Fatalf("the dump's accounts fall in %d of 3 parts, %d have a network account: the parts test nothing", split, se)
		}
		rows, err := s.db.Query(`SELECT a.* EXCLUDE (author_key, person_key), k.author, p.person FROM accounts AS a
			LEFT JOIN account_keys AS k USING (author_key) LEFT JOIN person_keys AS p USING (person_key)
			ORDER BY a.source, a.author`)
		if err != nil {
			t.Fatal(err)
		}
		table, err := report.FromRows(rows)
		rows.Close()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, row := range table.Rows {
			got = append(got, fmt.Sprint(row...))
		}
		if parts == 0 {
			want = got
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("accounts in 3 parts:\n%s\nat once:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// mailPosts is a Source of mail posts given in the test: their authors
// are addresses, one person across sources.
type mailPosts []ingest.Post

func (mailPosts) Platform() string { return "mbox" }
func (mailPosts) Input() string    { return "test" }

func (ps mailPosts) Read(ctx context.Context, opts ingest.Options) (array.RecordReader, error) {
	return readPosts(ps, opts, "mbox")
}

// multiPeople returns the people multi_account_people holds, by their
// person key, in order.
func multiPeople(t *testing.T, s *Store) []string {
	t.Helper()
	return column[string](t, s.db, `SELECT p.person FROM multi_account_people JOIN person_keys AS p USING (person_key) ORDER BY 1`)
}

// TestMultiAccountPeople: the people of more than one account are kept by
// every refresh of accounts: a first ingest of a list, of a second list
// where one address of the first writes (a new source), posts added to
// that list by another address of the first (only the accounts that
// wrote them counted again), a full refresh; and a file made before the
// table gets it filled when opened.
func TestMultiAccountPeople(t *testing.T) {
	s, path := newStore(t)
	ctx := context.Background()
	at := time.Date(2021, 5, 1, 9, 0, 0, 0, time.UTC)
	n := 0
	mail := func(from string) ingest.Post {
		n++
		id := fmt.Sprintf("<m%d@test>", n)
		return ingest.Post{PostID: []byte(id), ThreadID: []byte(id), Kind: ingest.KindTopic, Author: []byte(from),
			CreatedAt: at.Add(time.Duration(n) * time.Hour).UnixMicro()}
	}
	for _, step := range []struct {
		name, source string
		posts        mailPosts
		want         []string
	}{
		{"one list", "list-a", mailPosts{mail("ann@x.org"), mail("bo@x.org"), mail("cy@x.org")}, nil},
		{"a second list, ann's too", "list-b", mailPosts{mail("ann@x.org"), mail("dee@x.org")}, []string{"mail:ann@x.org"}},
		{"bo writes to the second list", "list-b", mailPosts{mail("bo@x.org"), mail("dee@x.org")}, []string{"mail:ann@x.org", "mail:bo@x.org"}},
	} {
		run, err := s.Ingest(ctx, step.posts, ingest.Options{Source: step.source})
		if err != nil {
			t.Fatal(step.name, err)
		}
		if got := multiPeople(t, s); !slices.Equal(got, step.want) {
			t.Errorf("%s (%d months recomputed): %q, want %q", step.name, run.Refreshed.Months, got, step.want)
		}
	}
	if run, err := s.Ingest(ctx, mailPosts{mail("cy@x.org")}, ingest.Options{Source: "list-b"}); err != nil {
		t.Fatal(err)
	} else if run.Refreshed.Months < 0 {
		t.Errorf("posts added to list-b refreshed every month: the test meant the added path")
	}
	want := []string{"mail:ann@x.org", "mail:bo@x.org", "mail:cy@x.org"}
	if got := multiPeople(t, s); !slices.Equal(got, want) {
		t.Errorf("cy writes to the second list: %q, want %q", got, want)
	}
	if _, err := s.Refresh(ctx, "list-a"); err != nil {
		t.Fatal(err)
	}
	if got := multiPeople(t, s); !slices.Equal(got, want) {
		t.Errorf("after a full refresh: %q, want %q", got, want)
	}
	if _, err := s.db.Exec("DROP TABLE multi_account_people"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := multiPeople(t, s); !slices.Equal(got, want) {
		t.Errorf("in a file made before the table: %q, want %q", got, want)
	}
	// On May's board each of the four is one person of two posts (a topic
	// in each list), not two of one.
	entries, err := s.Leaderboard(ctx, Board{Month: time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC), Profile: calvinProfile})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%s %d %g", e.Person, e.Rank, e.Score))
	}
	if want := []string{"mail:ann@x.org 1 2", "mail:bo@x.org 1 2", "mail:cy@x.org 1 2", "mail:dee@x.org 1 2"}; !slices.Equal(got, want) {
		t.Errorf("May's board: %q, want %q", got, want)
	}
}

// TestThreadViews: the views of threads kept by key, a bit a key: keys in
// the first and later words of bits, the last key, counts past int32, a
// key without views and keys out of the range all read back as set.
func TestThreadViews(t *testing.T) {
	const lo, hi = 1000, 1000 + 200
	v := threadViews{lo: lo, has: make([]uint64, (hi-lo)/64+1)}
	set := map[int64]int64{1000: 7, 1001: 0, 1063: 1 << 40, 1064: 5, 1130: -3, hi: 9}
	for k := range set {
		v.mark(k)
	}
	v.counted()
	if len(v.n) != len(set) {
		t.Fatalf("room for %d views, want %d", len(v.n), len(set))
	}
	for k, n := range set {
		v.set(k, n)
	}
	for _, k := range []int64{lo - 1, 1000, 1001, 1002, 1063, 1064, 1065, 1130, hi, hi + 1, hi + 64} {
		if got, want := v.get(k), set[k]; got != want {
			t.Errorf("views of %d: %d, want %d", k, got, want)
		}
	}
}

// namesOf reads account_names as "name account" lines, sorted.
func namesOf(t *testing.T, s *Store) []string {
	t.Helper()
	return column[string](t, s.db, `SELECT n.name || ' ' || k.source || '/' || k.author
		FROM account_names AS n JOIN account_keys AS k USING (author_key) ORDER BY 1`)
}

// TestAccountNames: the names a person is found by are kept by every
// refresh of accounts: a first ingest, a name changed by added posts (the
// latest name shown counts: the old one finds nobody), a second source, a
// full refresh; and a file made before the table gets it filled when
// opened. Each account has its name, id and person key, lowercased; an
// empty name (bo's) is none, and finds no one.
func TestAccountNames(t *testing.T) {
	s, path := newStore(t)
	ctx := context.Background()
	at := time.Date(2021, 5, 1, 9, 0, 0, 0, time.UTC)
	n := 0
	mail := func(from, name string) ingest.Post {
		n++
		id := fmt.Sprintf("<m%d@test>", n)
		return ingest.Post{PostID: []byte(id), ThreadID: []byte(id), Kind: ingest.KindTopic, Author: []byte(from),
			AuthorName: []byte(name), CreatedAt: at.Add(time.Duration(n) * time.Hour).UnixMicro()}
	}
	if _, err := s.Ingest(ctx, mailPosts{mail("ann@x.org", "Ann Lee"), mail("bo@x.org", "")}, ingest.Options{Source: "list-a"}); err != nil {
		t.Fatal(err)
	}
	first := []string{
		"ann lee list-a/ann@x.org", "ann@x.org list-a/ann@x.org", "bo@x.org list-a/bo@x.org",
		"mail:ann@x.org list-a/ann@x.org", "mail:bo@x.org list-a/bo@x.org",
	}
	if got := namesOf(t, s); !slices.Equal(got, first) {
		t.Errorf("first ingest: %q, want %q", got, first)
	}
	if run, err := s.Ingest(ctx, mailPosts{mail("ann@x.org", "Ann Smith")}, ingest.Options{Source: "list-a"}); err != nil {
		t.Fatal(err)
	} else if run.Refreshed.Months < 0 {
		t.Errorf("a post added to list-a refreshed every month: the test meant the added path")
	}
	if _, err := s.Ingest(ctx, mailPosts{mail("cy@x.org", "Bo")}, ingest.Options{Source: "list-b"}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ann smith list-a/ann@x.org", "ann@x.org list-a/ann@x.org", "bo list-b/cy@x.org", "bo@x.org list-a/bo@x.org",
		"cy@x.org list-b/cy@x.org", "mail:ann@x.org list-a/ann@x.org", "mail:bo@x.org list-a/bo@x.org", "mail:cy@x.org list-b/cy@x.org",
	}
	if got := namesOf(t, s); !slices.Equal(got, want) {
		t.Errorf("after a name changed and a second list: %q, want %q", got, want)
	}
	for name, key := range map[string]string{"ann lee": "", "ANN SMITH": "mail:ann@x.org", "Bo": "mail:cy@x.org", "MAIL:BO@X.ORG": "mail:bo@x.org", "CY@X.org": "mail:cy@x.org", "": ""} {
		found, err := s.FindPeople(ctx, name, nil)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, f := range found {
			keys = append(keys, f.Key)
		}
		if got := strings.Join(keys, " "); got != key {
			t.Errorf("FindPeople(%q) = %q, want %q", name, got, key)
		}
	}
	if _, err := s.Refresh(ctx, "list-a"); err != nil {
		t.Fatal(err)
	}
	if got := namesOf(t, s); !slices.Equal(got, want) {
		t.Errorf("after a full refresh: %q, want %q", got, want)
	}
	if _, err := s.db.Exec("DROP TABLE account_names"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := namesOf(t, s); !slices.Equal(got, want) {
		t.Errorf("in a file made before the table: %q, want %q", got, want)
	}
}
