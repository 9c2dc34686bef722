package discourse

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
)

// text writes posts a line each: id thread parent kind "title" author
// "name" created [areas] score views accepted body_bytes (the cooked
// HTML's length: "<p>Like this.</p>" is 17); NULL for a null.
func text(rr array.RecordReader) string {
	or := func(v []byte) string {
		if v == nil {
			return "NULL"
		}
		return string(v)
	}
	var b strings.Builder
	for rr.Next() {
		for _, p := range ingest.Posts(rr.RecordBatch()) {
			views, accepted := "NULL", "NULL"
			if p.HasViews {
				views = fmt.Sprint(p.Views)
			}
			if p.Accepted {
				accepted = time.UnixMicro(p.AcceptedAt).UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(&b, "%s %s %s %s %q %s %q %s [%s] %d %s %s %d\n",
				p.PostID, or(p.ThreadID), or(p.ParentID), p.Kind, p.Title, or(p.Author), or(p.AuthorName),
				time.UnixMicro(p.CreatedAt).UTC().Format(time.RFC3339), bytes.Join(p.Areas, []byte(" ")),
				p.Score, views, accepted, p.BodyBytes)
		}
	}
	return b.String()
}

// TestDir reads testdata/forum, worked out by hand (roles below): topic 10 in category
// 3 ("Help", named by categories.json) with two tags; its post 104 is a
// small action ("closed") and 106 a whisper, neither a post; 107 replies
// to the whisper, so to the topic's first post; bob's 102 is the accepted
// answer. Topic 11 is in category 9, which categories.json does not name,
// with a tag given as an object; 112's author was deleted. 12.json is cut
// short; notes.json is not a topic's file.
func TestDir(t *testing.T) {
	var reported []string
	stats := new(ingest.Stats)
	facts := new(ingest.Facts)
	rr, err := NewDir("testdata/forum").Read(context.Background(), ingest.Options{
		Source: "f", Stats: stats, Facts: facts, Report: func(err error) { reported = append(reported, err.Error()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	got := text(rr)
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	want := `101 101 NULL topic "How do I start?" alice "Alice A" 2021-03-01T10:00:00Z [Help go sql] 2 40 NULL 11
102 101 101 reply "" bob "bob" 2021-03-01T11:00:00Z [Help go sql] 3 NULL 2021-03-01T11:00:00Z 17
103 101 102 reply "" carol "Carol" 2021-03-02T09:00:00Z [Help go sql] 0 NULL NULL 13
105 101 103 reply "" alice "Alice A" 2021-03-02T10:00:00Z [Help go sql] 1 NULL NULL 14
107 101 101 reply "" dave "Dave" 2021-04-01T00:00:00Z [Help go sql] 0 NULL NULL 11
111 111 NULL topic "Backups" carol "Carol" 2021-03-05T08:00:00Z [category-9 ops] 0 5 NULL 15
112 111 111 reply "" NULL "NULL" 2021-03-05T09:00:00Z [category-9 ops] 0 NULL NULL 20
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if want := []string{"12.json: unexpected end of JSON input"}; fmt.Sprint(reported) != fmt.Sprint(want) {
		t.Errorf("reported %q, want %q", reported, want)
	}
	if r, x := stats.Read.Load(), stats.Rejected.Load(); r != 7 || x != 1 {
		t.Errorf("read %d, rejected %d; want 7 and 1", r, x)
	}
	// Alice's 101 is marked staff and admin, carol's 103 staff and
	// moderator.
	if got, want := fmt.Sprint(facts.All()), "[[alice role admin] [alice role staff] [carol role moderator] [carol role staff]]"; got != want {
		t.Errorf("roles %s, want %s", got, want)
	}
}
