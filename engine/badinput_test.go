package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/discourse"
	"github.com/calvinslist/calvin/ingest/export"
	"github.com/calvinslist/calvin/ingest/mbox"
	"github.com/calvinslist/calvin/ingest/spool"
	"github.com/calvinslist/calvin/ingest/stackexchange"
)

// writeFiles writes files (name -> content) under a new folder.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Two messages in which every field Calvin keeps holds bytes that are not
// UTF-8 (\xea, \xe9 and \xf6, Latin-1's ê, é and ö, alone): a topic by
// Jörg and Bob's reply to it, whose In-Reply-To and References name the
// topic's id with the same bad bytes.
const badTopic = "From: J\xf6rg <j\xf6rg@example.org>\n" +
	"Date: Wed, 24 Aug 2005 04:03:47 +0000\n" +
	"Subject: Caf\xe9\n" +
	"Message-ID: <20050824040347.GA5323@www.|\xea\x15@|\xea\x15@>\n" +
	"Newsgroups: comp.t\xe9st\n" +
	"List-Id: <l\xe9.example.org>\n\nbody\n"

const badReply = "From: Bob \xe9 <bob@example.org>\n" +
	"Date: Wed, 24 Aug 2005 05:00:00 +0000\n" +
	"Subject: Re: Caf\xe9\n" +
	"Message-ID: <r\xea@example.org>\n" +
	"In-Reply-To: <20050824040347.GA5323@www.|\xea\x15@|\xea\x15@>\n" +
	"References: <20050824040347.GA5323@www.|\xea\x15@|\xea\x15@>\n" +
	"Newsgroups: comp.t\xe9st\n\nreply\n"

// TestInvalidUTF8Loads: each reader fed text that is not valid UTF-8 in
// every field it keeps gives posts that load (DuckDB refused the whole
// load for one such byte: a Mailman archive of 9,600 messages was lost for
// four bad Message-IDs), nothing rejected even when strict, ids escaped
// the same way wherever they appear so that each reply still finds its
// parent, and names and titles read as Windows-1252. Worked out from the
// inputs: two posts each (three for Stack Exchange), the reply linked to
// its parent, the starter's one reply received.
func TestInvalidUTF8Loads(t *testing.T) {
	const badID = `20050824040347.GA5323@www.|\xea` + "\x15" + `@|\xea` + "\x15" + `@`
	cases := []struct {
		name string
		src  ingest.Source
		// What the starter's post holds, as stored.
		id, author, authorName, title, area string
	}{{
		name: "mbox",
		src:  mbox.New(filepath.Join(writeFiles(t, map[string]string{"list.mbox": "From x Wed Aug 24 04:03:47 2005\n" + badTopic + "\nFrom y Wed Aug 24 05:00:00 2005\n" + badReply}), "list.mbox")),
		id:   badID, author: "jörg@example.org", authorName: "Jörg", title: "Café", area: `comp.t\xe9st`,
	}, {
		name: "spool",
		src:  spool.New(writeFiles(t, map[string]string{"comp/test/1": badTopic, "comp/test/2": badReply})),
		id:   badID, author: "jörg@example.org", authorName: "Jörg", title: "Café", area: `comp.t\xe9st`,
	}, {
		name: "stackexchange",
		src: stackexchange.New(writeFiles(t, map[string]string{
			"Posts.xml": "<posts>\n" +
				`  <row Id="1" PostTypeId="1" CreationDate="2021-05-01T10:00:00.000" Score="1" ViewCount="5" Body="x" OwnerUserId="7" Title="Caf` + "\xe9" + `" Tags="&lt;t` + "\xe9" + `st&gt;" />` + "\n" +
				`  <row Id="2" PostTypeId="2" ParentId="1" CreationDate="2021-05-01T11:00:00.000" Score="1" Body="y" OwnerDisplayName="Gh` + "\xf6" + `st" />` + "\n" +
				"</posts>\n",
			"Comments.xml": "<comments>\n" +
				`  <row Id="1" PostId="2" Score="0" Text="t` + "\xea" + `" CreationDate="2021-05-01T12:00:00.000" UserDisplayName="R` + "\xea" + `" />` + "\n" +
				"</comments>\n",
			"Users.xml": "<users>\n" +
				`  <row Id="7" Reputation="1" CreationDate="2021-01-01T00:00:00.000" DisplayName="J` + "\xf6" + `rg" AccountId="70" />` + "\n" +
				"</users>\n",
		})),
		id: "1", author: "7", authorName: "Jörg", title: "Café", area: `t\xe9st`,
	}, {
		name: "discourse",
		src: discourse.NewDir(writeFiles(t, map[string]string{
			"categories.json": `{"category_list": {"categories": [{"id": 3, "name": "G` + "\xe9" + `n", "slug": "g` + "\xe9" + `n"}]}}`,
			"topics/1.json": `{"id": 1, "title": "Caf` + "\xe9" + `", "category_id": 3, "tags": ["t` + "\xe9" + `st"], "views": 4, "created_at": "2021-03-01T10:00:00.000Z",
			 "post_stream": {"stream": [11, 12], "posts": [
			  {"id": 11, "post_number": 1, "post_type": 1, "created_at": "2021-03-01T10:00:00.000Z", "username": "j` + "\xf6" + `rg", "name": "J` + "\xf6" + `rg", "reply_to_post_number": null, "actions_summary": []},
			  {"id": 12, "post_number": 2, "post_type": 1, "created_at": "2021-03-01T11:00:00.000Z", "username": "bob", "name": "B` + "\xf6" + `b", "reply_to_post_number": 1, "actions_summary": []}]}}`,
		})),
		// encoding/json reads a byte that is not UTF-8 as U+FFFD; the
		// category is a topic's first area.
		id: "11", author: "j\uFFFDrg", authorName: "J\uFFFDrg", title: "Caf\uFFFD", area: "G\uFFFDn",
	}, {
		name: "csv",
		src: export.New(filepath.Join(writeFiles(t, map[string]string{"f.csv": "id,thread,parent,title,user,name,time,forum\n" +
			"a\xea,a\xea,,Caf\xe9,j\xf6rg,J\xf6rg,2021-03-01T10:00:00Z,t\xe9st\n" +
			"b\xea,a\xea,a\xea,,bob,B\xf6b,2021-03-01T11:00:00Z,t\xe9st\n"}), "f.csv"), exportMapping(t, "csv")),
		id: `a\xea`, author: `j\xf6rg`, authorName: "Jörg", title: "Café", area: `t\xe9st`,
	}, {
		name: "jsonl",
		src: export.New(filepath.Join(writeFiles(t, map[string]string{"f.jsonl": `{"id": "a` + "\xea" + `", "thread": "a` + "\xea" + `", "title": "Caf` + "\xe9" + `", "user": "j` + "\xf6" + `rg", "name": "J` + "\xf6" + `rg", "time": "2021-03-01T10:00:00Z", "forum": "t` + "\xe9" + `st"}` + "\n" +
			`{"id": "b` + "\xea" + `", "thread": "a` + "\xea" + `", "parent": "a` + "\xea" + `", "user": "bob", "name": "B` + "\xf6" + `b", "time": "2021-03-01T11:00:00Z", "forum": "t` + "\xe9" + `st"}` + "\n"}), "f.jsonl"), exportMapping(t, "jsonl")),
		id: `a\xea`, author: `j\xf6rg`, authorName: "Jörg", title: "Café", area: `t\xe9st`,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t)
			var notes []string
			run, err := s.Ingest(context.Background(), c.src, ingest.Options{Source: "t", Strict: true,
				Note: func(err error) { notes = append(notes, err.Error()) }})
			if err != nil {
				t.Fatal(err)
			}
			// Only the forum's bytes are read as U+FFFD, by encoding/json:
			// the file is reported.
			want := ""
			if c.name == "discourse" {
				want = "1.json: not valid UTF-8: its bad bytes are read as U+FFFD"
			}
			if strings.Join(notes, "\n") != want {
				t.Errorf("notes %q, want %q", notes, want)
			}
			if run.RowsRejected != 0 || run.RowsInserted < 2 {
				t.Errorf("%d stored, %d rejected; want every post stored", run.RowsInserted, run.RowsRejected)
			}
			var id, author, name, title, area string
			if err := s.db.QueryRow(`SELECT post_id, author, author_name, title, areas[1] FROM posts
				WHERE parent_id IS NULL AND kind <> 'comment'`).Scan(&id, &author, &name, &title, &area); err != nil {
				t.Fatal(err)
			}
			if got, want := []string{id, author, name, title, area}, []string{c.id, c.author, c.authorName, c.title, c.area}; strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("the starter stored as %q, want %q", got, want)
			}
			var pending, linked int
			if err := s.db.QueryRow(`SELECT count(*) FILTER (pending), count(*) FILTER (parent_key IS NOT NULL) FROM post_links`).Scan(&pending, &linked); err != nil {
				t.Fatal(err)
			}
			if pending != 0 || linked != int(run.RowsInserted)-1 {
				t.Errorf("%d links pending, %d replies linked to their parent; want 0 and %d", pending, linked, run.RowsInserted-1)
			}
			var received int64
			if err := s.db.QueryRow(`SELECT sum(received) FROM monthly_metrics WHERE author = ?`, c.author).Scan(&received); err != nil {
				t.Fatal(err)
			}
			if received != 1 {
				t.Errorf("the starter received %d, want 1", received)
			}
		})
	}
}

// exportMapping maps the columns (keys) of TestInvalidUTF8Loads' export.
func exportMapping(t *testing.T, format string) *export.Mapping {
	t.Helper()
	m, err := export.ParseMapping("mapping.yaml", []byte("format: "+format+`
fields:
  post_id: id
  thread_id: thread
  parent_id: parent
  title: title
  author: user
  author_name: name
  created_at: time
  areas: forum
`))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestNobodyAndNoAddress: a thread of a Mailman archive started by its
// stand-in for a lost sender (bogus@does.not.exist.com, nobody), answered
// by Alice, whom two senders without an address ("()", "(Steve Tomassi)")
// and Bob answer. Worked out by hand, January 2005: Alice sent m2 and
// received m3, m4, m5 (a post without an author is still received); she
// reaches Bob only (the stand-in is nobody, the others no account), helps
// no one (the thread is nobody's), and m2 is the thread's first
// response. Bob reaches Alice. The stand-in received m2 and reaches no
// one. The two posts without an address are stored without an author,
// each reported with its file and line, and no account "()" is made.
func TestNobodyAndNoAddress(t *testing.T) {
	msg := func(from, id, parent string, hour int) string {
		m := fmt.Sprintf("From x Sat Jan  1 %02d:00:00 2005\nFrom: %s\nDate: Sat, 1 Jan 2005 %02d:00:00 +0000\nSubject: s\nMessage-ID: <%s>\n", hour, from, hour, id)
		if parent != "" {
			m += "In-Reply-To: <" + parent + ">\n"
		}
		return m + "\nbody\n\n"
	}
	dir := writeFiles(t, map[string]string{"list.mbox": msg("bogus@does.not.exist.com", "m1", "", 1) +
		msg("Alice <alice@example.org>", "m2", "m1", 2) +
		msg(" ()", "m3", "m2", 3) +
		msg(" (Steve Tomassi)", "m4", "m2", 4) +
		msg("Bob <bob@example.org>", "m5", "m2", 5)})
	s, _ := newStore(t)
	var notes []string
	stats := new(ingest.Stats)
	if _, err := s.Ingest(context.Background(), mbox.New(filepath.Join(dir, "list.mbox")), ingest.Options{Source: "t", Strict: true, Stats: stats,
		Note: func(err error) { notes = append(notes, err.Error()) }}); err != nil {
		t.Fatal(err)
	}
	// A message is 8 lines, 9 with In-Reply-To; the line is its
	// separator's: m3's is 1 + 8 + 9, m4's 9 more.
	want := []string{`list.mbox:18: From "()" holds no address: kept without an author`,
		`list.mbox:27: From "(Steve Tomassi)" holds no address: kept without an author`}
	if strings.Join(notes, "\n") != strings.Join(want, "\n") || stats.NoAuthor.Load() != 2 {
		t.Errorf("notes (%d counted):\n%s\nwant\n%s", stats.NoAuthor.Load(), strings.Join(notes, "\n"), strings.Join(want, "\n"))
	}
	for author, want := range map[string]Metrics{
		"alice@example.org":        {Posts: 1, Received: 3, Reach: 1, FirstResponses: 1, ActiveDays: 1},
		"bob@example.org":          {Posts: 1, Reach: 1, ActiveDays: 1},
		"bogus@does.not.exist.com": {Posts: 1, Topics: 1, Received: 1, ActiveDays: 1},
	} {
		if got := metricsOf(t, s, author, "2005-01-01"); got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", author, got, want)
		}
	}
	var accounts string
	if err := s.db.QueryRow(`SELECT string_agg(author || ':' || ranked, ' ' ORDER BY author) FROM accounts`).Scan(&accounts); err != nil {
		t.Fatal(err)
	}
	if accounts != "alice@example.org:true bob@example.org:true bogus@does.not.exist.com:false" {
		t.Errorf("accounts %s", accounts)
	}
}

// TestImpossibleDates: an mbox of three messages. m1's Date is fine; m2's
// cannot be read and its separator says 1970 (a zero date): reported with
// its line and skipped; m3's Date is 1970 too, but its separator is good:
// stored at the separator's date. With the source's earliest moved to
// 1960, m2 is stored at its separator's date and m3 at its Date's.
func TestImpossibleDates(t *testing.T) {
	path := filepath.Join(writeFiles(t, map[string]string{"list.mbox": "From a Sat Jan  1 10:00:00 2005\nFrom: a@x\nDate: Sat, 1 Jan 2005 10:00:00 +0000\nMessage-ID: <m1>\n\nx\n\n" +
		"From b Thu Jan  1 00:00:00 1970\nFrom: b@x\nDate: sometime\nMessage-ID: <m2>\n\nx\n\n" +
		"From c Sun Jan  2 10:00:00 2005\nFrom: c@x\nDate: Thu, 1 Jan 1970 00:00:00 +0000\nMessage-ID: <m3>\n\nx\n\n"}), "list.mbox")
	for _, c := range []struct {
		earliest time.Time
		want     string
		reports  string
	}{
		{time.Time{}, "m1 2005-01-01 10:00; m3 2005-01-02 10:00",
			`list.mbox:8: bad date "sometime": no day, month and year, nor the separator's date: 1970-01-01 00:00:00 is before 1980-01-01 (a source's earliest: setting widens the range)`},
		{time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), "m2 1970-01-01 00:00; m3 1970-01-01 00:00; m1 2005-01-01 10:00", ""},
	} {
		s, _ := newStore(t)
		var reports []string
		if _, err := s.Ingest(context.Background(), mbox.New(path), ingest.Options{Source: "t", Earliest: c.earliest,
			Report: func(err error) { reports = append(reports, err.Error()) }}); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := s.db.QueryRow(`SELECT string_agg(post_id || ' ' || strftime(created_at, '%Y-%m-%d %H:%M'), '; ' ORDER BY created_at, post_id) FROM posts`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want || strings.Join(reports, "\n") != c.reports {
			t.Errorf("earliest %v: stored %s, reported %q; want %s, %q", c.earliest, got, reports, c.want, c.reports)
		}
	}
}

// TestDuplicatesWithinARead: a post id met twice in one read is stored
// once, by every reader and whatever a reader does. A Stack Exchange dump
// whose Posts.xml repeats answer 11 (and Comments.xml comment 1), a forum
// whose topic 10 is saved twice (10.json, 010.json), and a source that
// lets a repeated post through to the store: each gives the posts of the
// dump once (17, 5 and 2), the repeats counted as duplicates, and a second
// ingest of the same updates nothing. Alice's received in May stays 3
// (engine/store_test.go's TestMonthlyMetrics).
func TestDuplicatesWithinARead(t *testing.T) {
	ctx := context.Background()
	dump := copyDump(t, map[string][][2]string{
		"Posts.xml":    {{`  <row Id="12" `, `  <row Id="11" PostTypeId="2" ParentId="10" CreationDate="2021-05-01T12:00:00.000" Score="3" Body="x" OwnerUserId="2" />` + "\n" + `  <row Id="12" `}},
		"Comments.xml": {{`</comments>`, `  <row Id="1" PostId="11" Score="0" Text="Thanks!" CreationDate="2021-05-01T13:00:00.000" UserId="1" />` + "\n</comments>"}},
	})
	topic, err := os.ReadFile("../ingest/discourse/testdata/forum/topics/10.json")
	if err != nil {
		t.Fatal(err)
	}
	forum := writeFiles(t, map[string]string{"topics/10.json": string(topic), "topics/010.json": string(topic)})
	at := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	repeated := posts{
		{PostID: []byte("a"), ThreadID: []byte("a"), Kind: ingest.KindTopic, Author: []byte("x"), CreatedAt: at},
		{PostID: []byte("b"), ThreadID: []byte("a"), ParentID: []byte("a"), Kind: ingest.KindReply, Author: []byte("y"), CreatedAt: at + 1},
		{PostID: []byte("b"), ThreadID: []byte("a"), ParentID: []byte("a"), Kind: ingest.KindReply, Author: []byte("y"), CreatedAt: at + 1},
	}
	for _, c := range []struct {
		name       string
		src        ingest.Source
		posts, dup int64
	}{
		{"stackexchange", stackexchange.New(dump), 17, 2},
		{"discourse", discourse.NewDir(forum), 5, 5},
		{"a source that repeats", repeated, 2, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t)
			run, err := s.Ingest(ctx, c.src, ingest.Options{Source: "t", Strict: true})
			if err != nil {
				t.Fatal(err)
			}
			var stored, links int64
			if err := s.db.QueryRow("SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM post_links)").Scan(&stored, &links); err != nil {
				t.Fatal(err)
			}
			if stored != c.posts || links != c.posts || run.RowsInserted != c.posts || run.RowsDuplicate != c.dup {
				t.Errorf("%d posts, %d links, %d inserted, %d duplicates; want %d, %d, %d, %d", stored, links, run.RowsInserted, run.RowsDuplicate, c.posts, c.posts, c.posts, c.dup)
			}
			again, err := s.Ingest(ctx, c.src, ingest.Options{Source: "t", Strict: true})
			if err != nil {
				t.Fatal(err)
			}
			if again.RowsInserted != 0 || again.RowsUpdated != 0 {
				t.Errorf("a second ingest: %d inserted, %d updated; want nothing", again.RowsInserted, again.RowsUpdated)
			}
			if c.name == "stackexchange" {
				if got := metricsOf(t, s, "1", "2021-05-01").Received; got != 3 {
					t.Errorf("Alice received %d, want 3", got)
				}
			}
		})
	}
}

// TestDatesEveryPlatform: the range of dates holds on every platform, a
// post outside it reported with its file and line (or its topic's file)
// and skipped: a Stack Exchange question of the year 0 and an answer of
// 9999, an acceptance vote of the year 0, a forum post without
// created_at (the year 1), an export's row of 1970.
func TestDatesEveryPlatform(t *testing.T) {
	dump := copyDump(t, map[string][][2]string{
		"Posts.xml": {
			{`CreationDate="2021-05-01T10:00:00.000" Score="5"`, `CreationDate="0000-01-01T00:00:00.000" Score="5"`}, // Q10, line 3
			{`CreationDate="2021-05-02T09:00:00.000" Score="1"`, `CreationDate="9999-12-31T00:00:00.000" Score="1"`}, // A12, line 5
		},
		"Votes.xml": {{`CreationDate="2021-05-11T00:00:00.000"`, `CreationDate="0000-01-01T00:00:00.000"`}},
	})
	topic := `{"id": 1, "title": "T", "category_id": 3, "views": 4, "post_stream": {"posts": [
		{"id": 11, "post_number": 1, "post_type": 1, "created_at": "2021-03-01T10:00:00.000Z", "username": "ann"},
		{"id": 12, "post_number": 2, "post_type": 1, "username": "bob", "reply_to_post_number": 1}]}}`
	for _, c := range []struct {
		name    string
		src     ingest.Source
		reports []string
	}{
		// Votes.xml is read first (the acceptances are kept for the
		// answers); the vote for A21 is its line 5.
		{"stackexchange", stackexchange.New(dump), []string{
			`Votes.xml:5: CreationDate: 0000-01-01 00:00:00 is before 1980-01-01`,
			`Posts.xml:3: CreationDate: 0000-01-01 00:00:00 is before 1980-01-01`,
			`Posts.xml:5: CreationDate: 9999-12-31 00:00:00 is in the future`}},
		{"discourse", discourse.NewDir(writeFiles(t, map[string]string{"topics/1.json": topic})), []string{
			`1.json: post 12: created_at 0001-01-01 00:00:00 is before 1980-01-01`}},
		{"csv", export.New(filepath.Join(writeFiles(t, map[string]string{"f.csv": "id,thread,parent,title,user,name,time,forum\n" +
			"a,a,,T,ann,Ann,2021-03-01T10:00:00Z,f\nb,a,a,,bob,Bob,1970-01-01T00:00:00Z,f\n"}), "f.csv"), exportMapping(t, "csv")), []string{
			`f.csv:3: created_at "1970-01-01T00:00:00Z": 1970-01-01 00:00:00 is before 1980-01-01`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t)
			var reports []string
			if _, err := s.Ingest(context.Background(), c.src, ingest.Options{Source: "t",
				Report: func(err error) { reports = append(reports, err.Error()) }}); err != nil {
				t.Fatal(err)
			}
			ok := len(reports) == len(c.reports)
			for i := 0; ok && i < len(reports); i++ {
				ok = strings.HasPrefix(reports[i], c.reports[i])
			}
			if !ok {
				t.Errorf("reported\n%s\nwant\n%s", strings.Join(reports, "\n"), strings.Join(c.reports, "\n"))
			}
			var bad int
			if err := s.db.QueryRow(`SELECT count(*) FROM posts WHERE created_at < '1980-01-01' OR created_at > now()
				OR accepted_at < '1980-01-01'`).Scan(&bad); err != nil || bad != 0 {
				t.Errorf("%d posts stored out of range (%v)", bad, err)
			}
		})
	}
}

// TestNothingReadable: an input with no record to read is an error that
// names it, and stores nothing, not a run of 0 posts: an empty Posts.xml,
// a megabyte of random bytes named Posts.xml, an empty mbox.
func TestNothingReadable(t *testing.T) {
	random := make([]byte, 1<<20)
	for i := range random {
		random[i] = byte(i*7919 + i/13) // not XML
	}
	for _, c := range []struct {
		name string
		src  ingest.Source
	}{
		{"an empty Posts.xml", stackexchange.New(writeFiles(t, map[string]string{"Posts.xml": ""}))},
		{"random bytes", stackexchange.New(writeFiles(t, map[string]string{"Posts.xml": string(random)}))},
		{"an empty mbox", mbox.New(filepath.Join(writeFiles(t, map[string]string{"list.mbox": ""}), "list.mbox"))},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t)
			_, err := s.Ingest(context.Background(), c.src, ingest.Options{Source: "t"})
			if !errors.Is(err, ErrNothingRead) {
				t.Errorf("got %v, want nothing readable", err)
			}
			var runs int
			if err := s.db.QueryRow("SELECT count(*) FROM ingest_runs").Scan(&runs); err != nil || runs != 0 {
				t.Errorf("%d runs recorded, want none", runs)
			}
		})
	}
}

// cancelAtEnd is a source whose read cancels the ingest's context when
// its stream ends: the interrupt arrives after the read, while DuckDB
// stores the posts or in a phase after (linking, accounts, metrics).
type cancelAtEnd struct {
	ingest.Source
	cancel context.CancelFunc
}

func (c cancelAtEnd) Read(ctx context.Context, opts ingest.Options) (array.RecordReader, error) {
	rr, err := c.Source.Read(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &endHook{RecordReader: rr, end: c.cancel}, nil
}

type endHook struct {
	array.RecordReader
	end func()
}

func (h *endHook) Next() bool {
	if !h.RecordReader.Next() {
		h.end()
		return false
	}
	return true
}

// TestInterruptAfterRead: an interrupt that arrives after the read, in
// whatever phase, is context.Canceled (the command says "interrupted"),
// not DuckDB's "INTERRUPT Error", and nothing is stored; so is a refresh
// interrupted.
func TestInterruptAfterRead(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	before := fingerprint(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	newer := copyDump(t, map[string][][2]string{"Posts.xml": {{`Score="5" ViewCount="100"`, `Score="9" ViewCount="180"`}}})
	_, err := s.Ingest(ctx, cancelAtEnd{stackexchange.New(newer), cancel}, ingest.Options{Source: "t"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if after := fingerprint(t, s); after != before {
		t.Errorf("the store changed:\nbefore %s\nafter  %s", before, after)
	}
	if _, err := s.Refresh(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("a refresh interrupted: %v, want context.Canceled", err)
	}
}

// TestInterruptedWords: DuckDB's own report of an interrupt, met in any
// phase after the read (here as the monthly metrics' store reported it),
// becomes context.Canceled once the context has ended, for the command
// to say "interrupted"; any other error, or one with the context alive,
// is left as it is.
func TestInterruptedWords(t *testing.T) {
	duck := errors.New("refresh monthly_metrics: metrics: INTERRUPT Error: Interrupted!")
	ctx, cancel := context.WithCancel(context.Background())
	if err := interrupted(ctx, duck); err != duck {
		t.Errorf("context alive: %v, want DuckDB's error as it is", err)
	}
	cancel()
	if err := interrupted(ctx, duck); !errors.Is(err, context.Canceled) {
		t.Errorf("context ended: %v, want context.Canceled", err)
	}
}

// TestLongRecords: with records bounded at 2,000 bytes, each reader
// reports a longer one with its file and line and keeps the rest (a CSV
// row ends the read: encoding/csv cannot pass one over); memory is not
// given to it (see the readers' own tests: a line of /dev/zero).
func TestLongRecords(t *testing.T) {
	const limit = 2000
	long := strings.Repeat("x", 3*limit)
	dump := copyDump(t, map[string][][2]string{"Posts.xml": {{`Body="x" OwnerUserId="3"`, `Body="` + long + `" OwnerUserId="3"`}}}) // A12, line 5
	msg := func(id, subject string) string {
		return "From x Sat Jan  1 10:00:00 2005\nFrom: a@x\nDate: Sat, 1 Jan 2005 10:00:00 +0000\nSubject: " + subject + "\nMessage-ID: <" + id + ">\n\nbody\n\n"
	}
	topic, err := os.ReadFile("../ingest/discourse/testdata/forum/topics/10.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		src    ingest.Source
		stored int64
		report string
		fatal  bool
	}{
		{"stackexchange", stackexchange.New(dump), 16, "Posts.xml:5: a record longer than 2000 bytes", false},
		{"mbox", mbox.New(filepath.Join(writeFiles(t, map[string]string{"l.mbox": msg("m1", "ok") + msg("m2", long) + msg("m3", "ok")}), "l.mbox")), 2,
			"l.mbox:9: a record longer than 2000 bytes", false},
		{"spool", spool.New(writeFiles(t, map[string]string{"g/1": strings.SplitN(msg("s1", "ok"), "\n", 2)[1], "g/2": strings.SplitN(msg("s2", long), "\n", 2)[1]})), 1,
			"g/2: a record longer than 2000 bytes", false},
		{"discourse", discourse.NewDir(writeFiles(t, map[string]string{"topics/10.json": string(topic), "topics/11.json": `{"id": 11, "title": "` + long + `"}`})), 5,
			"11.json: a record longer than 2000 bytes", false},
		{"jsonl", export.New(filepath.Join(writeFiles(t, map[string]string{"f.jsonl": `{"id": "a", "thread": "a", "user": "u", "time": "2021-03-01T10:00:00Z"}` + "\n" +
			`{"id": "b", "thread": "a", "title": "` + long + `", "user": "u", "time": "2021-03-01T10:00:00Z"}` + "\n"}), "f.jsonl"), exportMapping(t, "jsonl")), 1,
			"f.jsonl:2: a record longer than 2000 bytes", false},
		{"csv", export.New(filepath.Join(writeFiles(t, map[string]string{"f.csv": "id,thread,parent,title,user,name,time,forum\n" +
			"a,a,,T,u,U,2021-03-01T10:00:00Z,f\nb,a,a," + strings.Repeat(long, 1000) + ",u,U,2021-03-01T10:00:00Z,f\n"}), "f.csv"), exportMapping(t, "csv")), 0,
			"f.csv: the row after line 2: a record longer than 2000 bytes", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t)
			var reports []string
			run, err := s.Ingest(context.Background(), c.src, ingest.Options{Source: "t", MaxRecord: limit,
				Report: func(err error) { reports = append(reports, err.Error()) }})
			switch {
			case c.fatal:
				if err == nil || !strings.Contains(err.Error(), c.report) {
					t.Errorf("got %v, want an error with %q", err, c.report)
				}
			case err != nil:
				t.Fatal(err)
			case run.RowsInserted != c.stored || len(reports) != 1 || !strings.HasPrefix(reports[0], c.report):
				t.Errorf("%d stored, reported %q; want %d and %q", run.RowsInserted, reports, c.stored, c.report)
			}
		})
	}
}
