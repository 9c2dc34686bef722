package spool

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/calvinslist/calvin/ingest"
)

// read reads a spool and returns its posts, one line each, and what was
// reported.
func read(t *testing.T, dir string, strict bool) ([]string, []string, *ingest.Stats, error) {
	t.Helper()
	stats := new(ingest.Stats)
	var reported []string
	opts := ingest.Options{Source: "s", Strict: strict, Stats: stats, Report: func(err error) { reported = append(reported, err.Error()) }}
	rr, err := New(dir).Read(context.Background(), opts)
	if err != nil {
		return nil, nil, stats, err
	}
	defer rr.Release()
	var got []string
	for rr.Next() {
		for _, p := range ingest.Posts(rr.RecordBatch()) {
			got = append(got, fmt.Sprintf("%s %s %s %s %q %s %s %s %d",
				p.PostID, p.ThreadID, p.ParentID, p.Kind, p.Title, p.Author,
				time.UnixMicro(p.CreatedAt).UTC().Format(time.RFC3339), bytes.Join(p.Areas, []byte(",")), p.BodyBytes))
		}
	}
	return got, reported, stats, rr.Err()
}

// TestFlatSpool: testdata/flat, worked out by hand. comp.lang.go/9 is
// Ann's reply (its References' first id is the thread, its last the
// parent; body "12345\n", 6 bytes); comp.lang.go/10 is a topic with a
// folded Subject and "Lines: dog", crossposted: filed again as
// misc.test/3 and stored once; misc.test/4 has no Date; .overview and
// README are not articles.
func TestFlatSpool(t *testing.T) {
	got, reported, stats, err := read(t, "testdata/flat", false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`a1@example.org gone@example.org x1@example.org reply "" ann@example.org 1993-04-02T20:57:33Z comp.lang.go 6`,
		`g1@example.org g1@example.org  topic "Generics at last" gopher@example.org 1993-04-05T18:01:16Z comp.lang.go,misc.test 12`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if want := []string{"misc.test/4: no Date"}; fmt.Sprint(reported) != fmt.Sprint(want) {
		t.Errorf("reported %q, want %q", reported, want)
	}
	if r, d, x := stats.Read.Load(), stats.Duplicates.Load(), stats.Rejected.Load(); r != 2 || d != 1 || x != 1 {
		t.Errorf("read %d, duplicates %d, rejected %d; want 2, 1, 1", r, d, x)
	}

	if _, _, _, err := read(t, "testdata/flat", true); err == nil || !strings.Contains(err.Error(), "misc.test/4: no Date") {
		t.Errorf("strict: got %v, want the article without a Date", err)
	}
}

// TestTradspool: INN's layout, comp/lang/go/9, is group comp.lang.go; the
// article names no Newsgroups, so that group is its area.
func TestTradspool(t *testing.T) {
	got, _, _, err := read(t, "testdata/trad", true)
	if err != nil {
		t.Fatal(err)
	}
	want := `a1@example.org gone@example.org x1@example.org reply "" ann@example.org 1993-04-02T20:57:33Z comp.lang.go 6`
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNotASpool(t *testing.T) {
	for dir, want := range map[string]string{
		"testdata/flat/comp.lang.go/9": "not a folder",
		"testdata/flat/misc.test":      "", // a group's folder: its articles have no group folder above them
		"testdata/none":                "no such file",
	} {
		_, _, _, err := read(t, dir, false)
		if want == "" {
			want = "no articles"
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error with %q", dir, err, want)
		}
	}
}
