package stackexchange

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bodgit/sevenzip"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/liblzma"
)

var update = flag.Bool("update", false, "rewrite testdata/*/want.txt from the reader's output (review the diff)")

// dumpText reads a dump leniently and renders what came out: the bad
// records reported, then one line per post.
func dumpText(t *testing.T, path string) string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var errs, b strings.Builder
	rr, err := New(path).Read(context.Background(), ingest.Options{
		Source: "test",
		Mem:    mem,
		Report: func(err error) { fmt.Fprintf(&errs, "error: %v\n", err) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	b.WriteString("# post_id | kind | thread_id | parent_id | author | author_name | created_at | title | areas | score | views | accepted_at | body_bytes\n")
	for rr.Next() {
		writeRows(&b, rr.RecordBatch())
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	return errs.String() + b.String()
}

func writeRows(b *strings.Builder, rec arrow.RecordBatch) {
	orNull := func(v []byte) string {
		if v == nil {
			return "NULL"
		}
		return string(v)
	}
	ts := func(us int64, valid bool) string {
		if !valid {
			return "NULL"
		}
		return time.UnixMicro(us).UTC().Format("2006-01-02T15:04:05.999999Z")
	}
	for i, p := range ingest.Posts(rec) {
		if s := rec.Column(ingest.ColSource).(*array.String).Value(i); s != "test" {
			fmt.Fprintf(b, "wrong source %q\n", s)
		}
		if s := rec.Column(ingest.ColPlatform).(*array.String).Value(i); s != Platform {
			fmt.Fprintf(b, "wrong platform %q\n", s)
		}
		views := "NULL"
		if p.HasViews {
			views = fmt.Sprint(p.Views)
		}
		fmt.Fprintf(b, "%s | %s | %s | %s | %s | %s | %s | %s | [%s] | %d | %s | %s | %d\n",
			p.PostID, p.Kind, orNull(p.ThreadID), orNull(p.ParentID), orNull(p.Author), orNull(p.AuthorName),
			ts(p.CreatedAt, true), orNull(p.Title), bytes.Join(p.Areas, []byte(" ")),
			p.Score, views, ts(p.AcceptedAt, p.Accepted), p.BodyBytes)
	}
}

// TestCases reads each testdata/<case>/ dump and compares the result with
// its want.txt, written by hand from the case's XML.
func TestCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/want.txt")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	for _, want := range dirs {
		dir := filepath.Dir(want)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := dumpText(t, dir)
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(b) {
				t.Errorf("got:\n%s\nwant:\n%s", got, b)
			}
		})
	}
}

// TestSevenZip reads the basic case packed as a .7z archive, as dumps are
// published, and as a folder of an archive for each file, as Stack
// Overflow's is (basic.stackexchange.com-Posts.7z, ...): the same posts
// come out.
func TestSevenZip(t *testing.T) {
	want := dumpText(t, "testdata/basic")
	for _, p := range []string{"testdata/basic.7z", "testdata/basic-tables"} {
		if got := dumpText(t, p); got != want {
			t.Errorf("from %s:\n%s\nfrom the folder:\n%s", p, got, want)
		}
	}
}

// TestSevenZipDecodesOnce: the archive's one solid stream (its files in
// name order: Comments, Posts, Users, Votes) is decoded once, though the
// reader reads Users and Votes first: Comments and Posts are unpacked into
// the temporary folder on the way, and removed at the end. With a stream
// per file, or an archive per file, each is decoded once.
func TestSevenZipDecodesOnce(t *testing.T) {
	defer sevenzip.RegisterDecompressor([]byte{0x21}, liblzma.LZMA2)
	want := dumpText(t, "testdata/basic")
	for _, c := range []struct {
		archive string
		streams int
	}{
		{"testdata/basic.7z", 1},
		{"../liblzma/testdata/basic-blocks.7z", 4},
		{"testdata/basic-tables", 4},
	} {
		streams := 0
		sevenzip.RegisterDecompressor([]byte{0x21}, func(props []byte, size uint64, rs []io.ReadCloser) (io.ReadCloser, error) {
			streams++
			return liblzma.LZMA2(props, size, rs)
		})
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		if got := dumpText(t, c.archive); got != want {
			t.Errorf("%s:\n%s\nfrom the folder:\n%s", c.archive, got, want)
		}
		if streams != c.streams {
			t.Errorf("%s: %d streams decoded, want %d", c.archive, streams, c.streams)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("%s: %d files left in the temporary folder", c.archive, len(left))
		}
	}
}

func TestStrictStopsAtFirstBadRow(t *testing.T) {
	rr, err := New("testdata/bad-rows").Read(context.Background(), ingest.Options{Source: "s", Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	for rr.Next() {
	}
	want := `Posts.xml:4: bad CreationDate "2019-13-03T04:05:06.789"`
	if err := rr.Err(); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestStats(t *testing.T) {
	var st ingest.Stats
	rr, err := New("testdata/bad-rows").Read(context.Background(), ingest.Options{Source: "s", Stats: &st})
	if err != nil {
		t.Fatal(err)
	}
	for rr.Next() {
	}
	rr.Release()
	fi, err := os.Stat("testdata/bad-rows/Posts.xml")
	if err != nil {
		t.Fatal(err)
	}
	// 2 good rows, 7 bad ones (see testdata/bad-rows/want.txt).
	if st.Read.Load() != 2 || st.Rejected.Load() != 7 || st.Bytes.Load() != fi.Size() || st.Total.Load() != fi.Size() {
		t.Errorf("read %d, rejected %d, bytes %d of %d; want 2, 7, %d of %d",
			st.Read.Load(), st.Rejected.Load(), st.Bytes.Load(), st.Total.Load(), fi.Size(), fi.Size())
	}
}

func TestNotADump(t *testing.T) {
	for _, path := range []string{t.TempDir(), "testdata/basic/Posts.xml", "testdata/nonexistent"} {
		if _, err := New(path).Read(context.Background(), ingest.Options{Source: "s"}); err == nil {
			t.Errorf("%s: got no error", path)
		}
	}
}

// TestReleaseEarly stops reading after the first batch: the reader's
// goroutine ends and every buffer is returned.
func TestReleaseEarly(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("<posts>\n")
	for i := 1; i <= 3*ingest.BatchRows; i++ {
		fmt.Fprintf(&b, `  <row Id="%d" PostTypeId="1" CreationDate="2020-01-01T00:00:00.000" Score="0" Body="x" OwnerUserId="1" />`+"\n", i)
	}
	b.WriteString("</posts>\n")
	if err := os.WriteFile(filepath.Join(dir, "Posts.xml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rr, err := New(dir).Read(context.Background(), ingest.Options{Source: "s", Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	if !rr.Next() || rr.RecordBatch().NumRows() != ingest.BatchRows {
		t.Fatalf("first batch: want %d rows", ingest.BatchRows)
	}
	rr.Release()
}

// TestNetworkAccounts: a user's AccountId is kept as the fact se_account
// (testdata/basic: user 7 of account 70; the Community user, -1, is no
// one's).
func TestNetworkAccounts(t *testing.T) {
	facts := new(ingest.Facts)
	rr, err := New("testdata/basic").Read(context.Background(), ingest.Options{Source: "test", Facts: facts})
	if err != nil {
		t.Fatal(err)
	}
	for rr.Next() {
	}
	rr.Release()
	if got, want := fmt.Sprint(facts.All()), "[[7 se_account 70]]"; got != want {
		t.Errorf("facts %s, want %s", got, want)
	}
}
