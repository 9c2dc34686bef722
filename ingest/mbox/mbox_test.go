package mbox

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calvinslist/calvin/ingest"
)

// The bodies of the fixture's messages, each as the archive holds it.
const (
	aliceBody = "Hello.\n" +
		"From the manual: a line starting with From, not after a blank line.\n" +
		"\n" +
		"From here on a line after a blank line, without a date.\n" +
		"\n" +
		"From alice@example.org Sat Jan  1 10:00:00 2005 and no header after it\n" +
		"quoted text\n" +
		">From alice@example.org Sat Jan  1 10:00:00 2005, escaped (mboxrd)\n"
	bobBody   = "Reply body.\n"
	carolBody = "Carol answers Bob.\n"
	daveBody  = "Dave answers a message not in the archive.\n"
	erinBody  = "Erin has no Message-ID.\n"
)

// fixture is an mboxrd archive written for these tests:
//
//	a1 Alice 2005-01-01 10:00 UTC, a topic; its body holds three lines
//	   starting "From " that are not separators
//	b1 Bob, Date 12:00 +0100 (11:00 UTC), replies to a1
//	c1 carol at example.org (munged), 2005-01-02 09:00 GMT, References a1 b1:
//	   replies to b1 in a1's thread
//	b1 again (a resend): dropped
//	d1 Dave, no Date: the separator's 2005-01-03 08:00; replies to a
//	   message not in the archive
//	Erin, 2005-01-03 09:00, no Message-ID: a derived id, a topic
var fixture = "From alice@example.org Sat Jan  1 10:00:00 2005\n" +
	"From: Alice <alice@example.org>\n" +
	"Date: Sat, 1 Jan 2005 10:00:00 +0000\n" +
	"Subject: First topic\n" +
	"Message-ID: <a1@example.org>\n" +
	"X-List: tests\n" +
	"\n" + aliceBody +
	"\n" +
	"From bob@example.org Sat Jan  1 11:00:00 2005\n" +
	"From: Bob <bob@example.org>\n" +
	"Date: Sat, 1 Jan 2005 12:00:00 +0100\n" +
	"Subject: Re: First topic\n" +
	"Message-ID: <b1@example.org>\n" +
	"In-Reply-To: <a1@example.org>\n" +
	"References: <a1@example.org>\n" +
	"\n" + bobBody +
	"\n" +
	"From carol at example.org  Sun Jan  2 09:00:00 2005\n" +
	"From: carol at example.org (Carol)\n" +
	"Date: 2 Jan 2005 09:00 GMT\n" +
	"Subject: Re: First topic\n" +
	"Message-ID: <c1@example.org>\n" +
	"References: <a1@example.org>\n" +
	"  <b1@example.org>\n" +
	"\n" + carolBody +
	"\n" +
	"From bob@example.org Sat Jan  1 11:00:00 2005\n" +
	"From: Bob <bob@example.org>\n" +
	"Date: Sat, 1 Jan 2005 12:00:00 +0100\n" +
	"Message-ID: <b1@example.org>\n" +
	"\n" + bobBody +
	"\n" +
	"From dave@example.org Mon Jan  3 08:00:00 2005\n" +
	"From: Dave <dave@example.org>\n" +
	"Subject: Re: elsewhere\n" +
	"Message-ID: <d1@example.org>\n" +
	"In-Reply-To: <missing@example.org>\n" +
	"\n" + daveBody +
	"\n" +
	"From erin@example.org Mon Jan  3 09:00:00 2005\n" +
	"From: Erin <erin@example.org>\n" +
	"Date: Mon, 3 Jan 2005 09:00:00 +0000\n" +
	"Subject: No id\n" +
	"\n" + erinBody

type row struct {
	id, thread, parent, kind, title, author, name string
	created                                       time.Time
	areas                                         string
	body                                          int64
}

func readAll(t *testing.T, opts ingest.Options, paths ...string) ([]row, error) {
	t.Helper()
	rr, err := New(paths...).Read(context.Background(), opts)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	var rows []row
	for rr.Next() {
		for _, p := range ingest.Posts(rr.RecordBatch()) {
			rows = append(rows, row{
				id: string(p.PostID), thread: string(p.ThreadID), parent: string(p.ParentID),
				kind: p.Kind, title: string(p.Title), author: string(p.Author), name: string(p.AuthorName),
				created: time.UnixMicro(p.CreatedAt).UTC(),
				areas:   string(bytes.Join(p.Areas, []byte(","))),
				body:    p.BodyBytes,
			})
		}
	}
	return rows, rr.Err()
}

func write(t *testing.T, name, text string, gz bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if gz {
		zw := gzip.NewWriter(f)
		zw.Write([]byte(text))
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFixture(t *testing.T) {
	utc := func(d, h int) time.Time { return time.Date(2005, 1, d, h, 0, 0, 0, time.UTC) }
	want := []row{
		{"a1@example.org", "a1@example.org", "", "topic", "First topic", "alice@example.org", "Alice", utc(1, 10), "tests", int64(len(aliceBody))},
		{"b1@example.org", "a1@example.org", "a1@example.org", "reply", "", "bob@example.org", "Bob", utc(1, 11), "tests", int64(len(bobBody))},
		{"c1@example.org", "a1@example.org", "b1@example.org", "reply", "", "carol@example.org", "Carol", utc(2, 9), "tests", int64(len(carolBody))},
		{"d1@example.org", "", "missing@example.org", "reply", "", "dave@example.org", "Dave", utc(3, 8), "tests", int64(len(daveBody))},
		{"", "", "", "topic", "No id", "erin@example.org", "Erin", utc(3, 9), "tests", int64(len(erinBody))},
	}
	for _, gz := range []bool{false, true} {
		stats := new(ingest.Stats)
		path := write(t, "list.mbox", fixture, gz)
		got, err := readAll(t, ingest.Options{Source: "tests", Strict: true, Stats: stats}, path)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("gz %v: %d posts, want %d: %+v", gz, len(got), len(want), got)
		}
		for i, w := range want {
			g := got[i]
			if w.id == "" { // derived: stable, and marked as such
				if !strings.HasPrefix(g.id, "calvin-") || g.thread != g.id {
					t.Errorf("gz %v: derived id %q, thread %q", gz, g.id, g.thread)
				}
				w.id, w.thread = g.id, g.id
			}
			if g != w {
				t.Errorf("gz %v, post %d:\n got %+v\nwant %+v", gz, i, g, w)
			}
		}
		if r, d, rej := stats.Read.Load(), stats.Duplicates.Load(), stats.Rejected.Load(); r != 5 || d != 1 || rej != 0 {
			t.Errorf("gz %v: read %d, duplicates %d, rejected %d; want 5, 1, 0", gz, r, d, rej)
		}
	}
}

// TestFolder: a folder is read for its archives, in name order; a file
// that is not an mbox is reported with its name and line, and skipped, or
// is fatal with Strict.
func TestFolder(t *testing.T) {
	dir := t.TempDir()
	one := "From a@x Sat Jan  1 10:00:00 2005\nFrom: a@x\nMessage-ID: <1@x>\n\nbody\n"
	two := "From b@x Sun Jan  2 10:00:00 2005\nFrom: b@x\nMessage-ID: <2@x>\nIn-Reply-To: <1@x>\n\nbody\n"
	for name, text := range map[string]string{
		"2005-January.txt":  one,
		"2005-February.txt": two,
		"index.html":        "<html>not an archive</html>\n",
		"notes.txt":         "Some notes.\nFrom here on, nothing.\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var reported []string
	got, err := readAll(t, ingest.Options{Source: "l", Report: func(err error) { reported = append(reported, err.Error()) }}, dir)
	if err != nil {
		t.Fatal(err)
	}
	// Name order: February, January, notes.
	if len(got) != 2 || got[0].id != "2@x" || got[1].id != "1@x" {
		t.Errorf("got %+v", got)
	}
	wantErr := `notes.txt:1: not an mbox file: it does not begin with a "From " line`
	if len(reported) != 1 || reported[0] != wantErr {
		t.Errorf("reported %q, want [%q]", reported, wantErr)
	}
	_, err = readAll(t, ingest.Options{Source: "l", Strict: true}, dir)
	var pe *ingest.ParseError
	if !errors.As(err, &pe) || err.Error() != wantErr {
		t.Errorf("strict: %v, want %q", err, wantErr)
	}
}
