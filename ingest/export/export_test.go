package export

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calvinslist/calvin/ingest"
)

// read reads an export through a mapping and returns its posts, what was
// reported, and the stats.
func read(t *testing.T, path string, m *Mapping, strict bool) ([]ingest.Post, []string, *ingest.Stats, error) {
	t.Helper()
	var reported []string
	stats := new(ingest.Stats)
	rr, err := New(path, m).Read(context.Background(), ingest.Options{Source: "s", Strict: strict, Stats: stats,
		Report: func(err error) { reported = append(reported, err.Error()) }})
	if err != nil {
		return nil, nil, stats, err
	}
	defer rr.Release()
	var posts []ingest.Post
	for rr.Next() {
		posts = append(posts, ingest.Posts(rr.RecordBatch())...)
	}
	return posts, reported, stats, rr.Err()
}

func mapping(t *testing.T, path string) *Mapping {
	t.Helper()
	m, err := LoadMapping(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// line writes a post: id thread parent kind "title" author "name" created
// [areas] score views accepted body_bytes; NULL for a null.
func line(p ingest.Post) string {
	or := func(v []byte) string {
		if v == nil {
			return "NULL"
		}
		return string(v)
	}
	views, accepted := "NULL", "NULL"
	if p.HasViews {
		views = fmt.Sprint(p.Views)
	}
	if p.Accepted {
		accepted = time.UnixMicro(p.AcceptedAt).UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("%s %s %s %s %q %s %q %s [%s] %d %s %s %d", p.PostID, or(p.ThreadID), or(p.ParentID), p.Kind,
		p.Title, or(p.Author), or(p.AuthorName), time.UnixMicro(p.CreatedAt).UTC().Format(time.RFC3339),
		bytes.Join(p.Areas, []byte(" ")), p.Score, views, accepted, p.BodyBytes)
}

func lines(posts []ingest.Post) string {
	var b strings.Builder
	for _, p := range posts {
		b.WriteString(line(p) + "\n")
	}
	return b.String()
}

// TestForumsSM: testdata/forums-sm.csv, in the shape of the hosted
// forum's export, through the shipped configs/forums-sm.yaml. Worked out
// by hand: ann's row opens "Waves" (its first row), bob's (a quoted
// content over two lines, 19 bytes) answers it; "Build fails" is a thread
// of its own, in July, so PDT (UTC-7) where the others are PST (UTC-8);
// the fourth row repeats the first (dropped, counted); the fifth's time
// is "yesterday" (line 7: bob's row takes lines 3 and 4).
func TestForumsSM(t *testing.T) {
	m := mapping(t, "../../configs/forums-sm.yaml")
	posts, reported, stats, err := read(t, "testdata/forums-sm.csv", m, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 3 {
		t.Fatalf("%d posts, want 3:\n%s", len(posts), lines(posts))
	}
	a, b, c := string(posts[0].PostID), string(posts[1].PostID), string(posts[2].PostID)
	want := fmt.Sprintf(`%[1]s %[1]s NULL topic "Waves" ann "ann" 2013-03-06T23:06:00Z [Gallery Uncategorised] 2 NULL NULL 12
%[2]s %[1]s %[1]s reply "" bob "bob" 2013-03-06T23:06:00Z [Gallery Uncategorised] 0 NULL NULL 19
%[3]s %[3]s NULL topic "Build fails" bob "bob" 2013-07-01T16:30:00Z [Help Setup] 1 NULL NULL 11
`, a, b, c)
	if got := lines(posts); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, id := range []string{a, b, c} {
		if !strings.HasPrefix(id, "calvin-") || len(id) != len("calvin-")+24 {
			t.Errorf("derived id %q, want calvin- and 24 hex digits", id)
		}
	}
	if a == b || b == c {
		t.Errorf("derived ids not distinct: %s %s %s", a, b, c)
	}
	if want := `forums-sm.csv:7: bad created_at "yesterday": parsing time "yesterday" as "02-Jan-2006 03:04 PM MST": cannot parse "yesterday" as "02"`; len(reported) != 1 || reported[0] != want {
		t.Errorf("reported %q, want %q", reported, want)
	}
	if r, d, x := stats.Read.Load(), stats.Duplicates.Load(), stats.Rejected.Load(); r != 3 || d != 1 || x != 1 {
		t.Errorf("read %d, duplicates %d, rejected %d; want 3, 1, 1", r, d, x)
	}
	// Derived ids are stable: the same file gives the same ids.
	again, _, _, _ := read(t, "testdata/forums-sm.csv", m, false)
	if lines(again) != lines(posts) {
		t.Error("a second read derived other ids")
	}
	if _, _, _, err := read(t, "testdata/forums-sm.csv", m, true); err == nil || !strings.Contains(err.Error(), "forums-sm.csv:7:") {
		t.Errorf("strict: got %v, want the row of line 7", err)
	}
}

// TestPhpBB: testdata/phpbb.csv through the shipped configs/phpbb.yaml:
// Unix times, the topic's first post as the thread, every reply answering
// it; the topic's views on its first post only.
func TestPhpBB(t *testing.T) {
	posts, reported, _, err := read(t, "testdata/phpbb.csv", mapping(t, "../../configs/phpbb.yaml"), true)
	if err != nil || len(reported) > 0 {
		t.Fatal(err, reported)
	}
	want := `1 1 NULL topic "Welcome" 2 "admin" 2009-01-01T00:00:00Z [General] 0 120 NULL 14
2 1 1 reply "" 57 "Ann" 2009-01-01T01:00:00Z [General] 0 NULL NULL 3
3 3 NULL topic "Kernel panic" 57 "Ann" 2009-01-02T00:00:00Z [Support] 0 9 NULL 16
4 3 3 reply "" 2 "admin" 2009-01-02T01:00:00Z [Support] 0 NULL NULL 0
`
	if got := lines(posts); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func write(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func parse(t *testing.T, yaml string) *Mapping {
	t.Helper()
	m, err := ParseMapping("m.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestJSONL: nested keys, a list of tags as areas plus a constant area,
// kinds and acceptance from the data, times with an offset and without
// one (in the mapping's zone, Paris: UTC+1 in January); a line that is
// not JSON and a row without a time are reported with their lines; blank
// lines are passed over.
func TestJSONL(t *testing.T) {
	m := parse(t, `
time:
  zone: Europe/Paris
fields:
  post_id: id
  thread_id: thread
  parent_id: reply_to
  kind: type
  author: user.login
  author_name: user.name
  created_at: at
  accepted_at: accepted
  areas: tags
  score: votes
values:
  areas: forum
`)
	path := write(t, "posts.jsonl", `{"id": 1, "thread": 1, "type": "question", "user": {"login": "ann", "name": "Ann A"}, "at": "2024-01-10T10:00:00Z", "tags": ["go", "sql"], "votes": 3}

{"id": 2, "thread": 1, "reply_to": 1, "type": "answer", "user": {"login": "bob"}, "at": "2024-01-10T12:00:00", "accepted": "2024-01-11T08:00:00+00:00", "votes": -1}
{"id": 3, oops}
{"id": 4, "thread": 1, "reply_to": 2, "type": "comment", "user": {"login": "ann"}}
`)
	posts, reported, _, err := read(t, path, m, false)
	if err != nil {
		t.Fatal(err)
	}
	want := `1 1 NULL question "" ann "Ann A" 2024-01-10T10:00:00Z [go sql forum] 3 NULL NULL 0
2 1 1 answer "" bob "bob" 2024-01-10T11:00:00Z [forum] -1 NULL 2024-01-11T08:00:00Z 0
`
	if got := lines(posts); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	wantReported := `[posts.jsonl:4: bad JSON: 'o' at column 11 where a key in quotes should be posts.jsonl:5: no created_at]`
	if fmt.Sprint(reported) != wantReported {
		t.Errorf("reported %v\nwant %s", reported, wantReported)
	}
}

// TestTSVWithoutHeader: a tab-separated file without a header, its columns
// by number, the body's size from a column, a constant title (kept on the
// post without a parent); a post without a thread takes its parent's (left
// to the engine: no thread here) and one without either starts its own.
func TestTSVWithoutHeader(t *testing.T) {
	m := parse(t, `
format: csv
csv:
  header: false
  delimiter: '\t'
time:
  layout: unix_ms
fields:
  post_id: 1
  parent_id: 2
  author: 3
  created_at: 4
  body_bytes: 5
values:
  title: Imported
`)
	path := write(t, "posts.data", "a\t\tann\t1700000000000\t120\nb\ta\tbob\t1700000060000\t7\n")
	posts, _, _, err := read(t, path, m, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `a NULL NULL topic "Imported" ann "ann" 2023-11-14T22:13:20Z [] 0 NULL NULL 120
b NULL a reply "" bob "bob" 2023-11-14T22:14:20Z [] 0 NULL NULL 7
`
	if got := lines(posts); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestMappingErrors: every mistake names the file, the line and the key.
func TestMappingErrors(t *testing.T) {
	base := "fields:\n  post_id: id\n  author: a\n  created_at: t\n"
	tests := []struct{ yaml, want string }{
		{"colour: red\n" + base, `m.yaml:1: colour: unknown key`},
		{"csv:\n  quote: \"'\"\n" + base, `m.yaml:2: csv.quote: unknown key`},
		{base + "  likes: l\n", `m.yaml:5: fields.likes: unknown field (known: post_id, thread_id`},
		{base + "  autor: l\n", `m.yaml:5: fields.autor: unknown field: did you mean author? (known: post_id`},
		{"fromat: csv\n" + base, `m.yaml:1: fromat: unknown key: did you mean format?`},
		{base + "missing:\n  parnet: first\n", `m.yaml:6: missing.parnet: unknown key: did you mean parent?`},
		{base + "values:\n  author: x\n", `m.yaml:1: fields.author: set in values too`},
		{"fields:\n  post_id: id\n  author: a\n", `m.yaml:1: fields.created_at: required`},
		{"fields:\n  author: a\n  created_at: t\n", `m.yaml:1: fields.post_id: required, unless missing.post_id is derive`},
		{base + "missing:\n  thread: title\n", `m.yaml:1: missing.thread: title needs fields.title`},
		{base + "missing:\n  parent: last\n", `m.yaml:6: missing.parent: "last" is not one of first, none`},
		{base + "values:\n  kind: post\n", `m.yaml:1: values.kind: unknown kind "post"`},
		{base + "time:\n  zone: Mars/Olympus\n", `m.yaml:6: time.zone: unknown zone "Mars/Olympus"`},
		{base + "time:\n  layout: dd-mm-yyyy\n", `m.yaml:1: time.layout: "dd-mm-yyyy" is no Go layout`},
		{base + "csv:\n  delimiter: ';;'\n", `m.yaml:6: csv.delimiter: want one character`},
		{base + "csv:\n  header: maybe\n", `m.yaml:6: csv.header: want true or false, got "maybe"`},
		{base + "csv:\n  header: false\n", `m.yaml:1: fields.`},
		{base + "  title: [a, b]\n", `m.yaml:5: fields.title: one value only`},
		{"- a\n- b\n", `m.yaml:1: file: want keys and values`},
	}
	for _, tc := range tests {
		_, err := ParseMapping("m.yaml", []byte(tc.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %s...", tc.yaml, err, tc.want)
		}
	}
	// A column the file does not have is named with the file's columns.
	m := parse(t, "fields:\n  post_id: id\n  author: who\n  created_at: t\n")
	_, _, _, err := read(t, write(t, "x.csv", "id,author,t\n1,a,2024-01-01T00:00:00Z\n"), m, false)
	if want := `m.yaml: fields.author: no column "who" in x.csv (its columns: id, author, t)`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestScanObject: the JSON Lines scanner on what encoding/json would
// accept and reject, and the values it gives.
func TestScanObject(t *testing.T) {
	ok := []struct {
		line string
		key  string
		want string // the key's values, | between
	}{
		{`{"a": "x\"y\u00e9", "b": 1}`, "a", `x"yé`},
		{`{"b": 1, "a": -12.5e3}`, "a", "-12.5e3"},
		{` { "a" : [ "go" , "sql", null, 3 ] } `, "a", "go|sql|3"},
		{`{"a": {"n": "{not}", "m": [1, {"x": "]"}]}, "z": true}`, "z", "true"},
		{`{"a": null}`, "a", ""},
		{`{"a": ""}`, "a", ""},
		{`{"a\u0062": "esc"}`, "ab", "esc"},
		{`{}`, "a", ""},
	}
	for _, tc := range ok {
		ms, err := scanObject([]byte(tc.line), nil)
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		got, err := appendValue(nil, lookup(ms, []byte(tc.key)))
		if err != nil || strings.Join(got, "|") != tc.want {
			t.Errorf("%s: %s = %q, %v; want %q", tc.line, tc.key, got, err, tc.want)
		}
	}
	for _, bad := range []string{
		`[1, 2]`, `{"a": 1`, `{"a": "x}`, `{"a" 1}`, `{"a": oops}`, `{"a": 1} x`, `{"a": 1,}`, `{a: 1}`, `{"a": [1, 2}`, ``,
	} {
		if _, err := scanObject([]byte(bad), nil); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
