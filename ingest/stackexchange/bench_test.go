package stackexchange

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/calvinslist/calvin/benchmarks/sedump"
	"github.com/calvinslist/calvin/ingest"
)

// benchDump returns a folder holding only the Posts.xml of a synthetic
// dump of 200,000 posts (about 214 MB), written once and kept in the
// system's temporary folder.
func benchDump(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "calvin-bench-posts-200k-seed1")
	if _, err := os.Stat(filepath.Join(dir, "Posts.xml")); err == nil {
		return dir
	}
	full := dir + ".full"
	if err := os.MkdirAll(full, 0o755); err != nil {
		b.Fatal(err)
	}
	if _, err := sedump.Write(full, sedump.Config{Seed: 1, Posts: 200_000, CommentsPerPost: 1}); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(filepath.Join(full, "Posts.xml"), filepath.Join(dir, "Posts.xml")); err != nil {
		b.Fatal(err)
	}
	os.RemoveAll(full)
	return dir
}

// BenchmarkReadPosts measures Posts.xml into Arrow batches: the bytes of
// Posts.xml read per second, every batch built and released. Run it with
// -cpu 1 for the one-core figure.
func BenchmarkReadPosts(b *testing.B) {
	dir := benchDump(b)
	fi, err := os.Stat(filepath.Join(dir, "Posts.xml"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		var rows int64
		rr, err := New(dir).Read(context.Background(), ingest.Options{Source: "bench", Strict: true})
		if err != nil {
			b.Fatal(err)
		}
		for rr.Next() {
			rows += rr.RecordBatch().NumRows()
		}
		if err := rr.Err(); err != nil {
			b.Fatal(err)
		}
		rr.Release()
		if rows != 200_000 {
			b.Fatalf("read %d posts, want 200000", rows)
		}
	}
}

// BenchmarkReadDump reads the whole dump CALVIN_BENCH_DUMP (a folder or a
// .7z archive; skipped when unset) into Arrow batches, every batch built
// and released, the users' facts kept: the read of an ingest without the
// store. The bytes are those of the XML files read (unpacked), for the
// figure to set beside `7zz x -so ARCHIVE >/dev/null`.
func BenchmarkReadDump(b *testing.B) {
	path := os.Getenv("CALVIN_BENCH_DUMP")
	if path == "" {
		b.Skip("CALVIN_BENCH_DUMP names no dump")
	}
	fs, err := openFiles(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fs.size())
	fs.Close()
	for b.Loop() {
		// the users' facts kept, as an ingest keeps them
		rr, err := New(path).Read(context.Background(), ingest.Options{Source: "bench", Strict: true, Facts: new(ingest.Facts)})
		if err != nil {
			b.Fatal(err)
		}
		for rr.Next() {
		}
		if err := rr.Err(); err != nil {
			b.Fatal(err)
		}
		rr.Release()
	}
}
