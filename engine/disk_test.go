package engine

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calvinslist/calvin/benchmarks/sedump"
	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/mbox"
	"github.com/calvinslist/calvin/ingest/stackexchange"
)

// smallDisk mounts a 36 MB tmpfs for the test, or skips it where this
// process may not mount (not root, or a container without the right).
func smallDisk(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=36m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small filesystem here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// TestDiskFull: on a 36 MB filesystem an ingest too large for it fails
// with ErrDiskFull, saying how to give the room back, and stores nothing;
// the file has grown to fill the disk (DuckDB never gives room back).
// calvin compact, with no room beside the file, asks for another disk;
// through one, it gives the room back, the store and its sequences as
// they were, and a small ingest then lands. The disk's size makes the
// ingest fail late, storing the metrics: one that fails early (on 32 MB,
// while linking in chunks, whose temporary tables spill beside the file)
// leaves its room at the file's end, which DuckDB gives back when it
// closes the file, and there is nothing to compact. Without room beside
// the file the copy fails at its checkpoint.
func TestDiskFull(t *testing.T) {
	dir := smallDisk(t)
	path := filepath.Join(dir, "calvin.duckdb")
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // before the filesystem is unmounted
	ingestDump(t, s, fixture)
	before := fingerprint(t, s)
	// A synthetic dump of 300,000 questions and answers and as many
	// comments, written beside the small disk: some 35 MB stored.
	dump := t.TempDir()
	if _, err := sedump.Write(dump, sedump.Config{Seed: 1, Posts: 300_000, CommentsPerPost: 1}); err != nil {
		t.Fatal(err)
	}
	big := stackexchange.New(dump)
	_, err = s.Ingest(ctx, big, ingest.Options{Source: "big"})
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "calvin compact --db "+path+" --via DIR") {
		t.Fatalf("got %v, want the disk full, and how to give the room back", err)
	}
	if after := fingerprint(t, s); after != before {
		t.Errorf("the failed ingest changed the store:\nbefore %s\nafter  %s", before, after)
	}
	s.Close()
	st, _ := os.Stat(path)
	t.Logf("the file grew to %d bytes", st.Size())
	grown := st.Size()

	// The disk is full: no room for a copy beside the file.
	if _, _, err := Compact(ctx, path, ""); !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "--via") {
		t.Fatalf("compact on the full disk: %v, want it to ask for another disk", err)
	}
	was, now, err := Compact(ctx, path, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if was != grown || now >= grown/4 {
		t.Errorf("compact: %d bytes to %d, want the grown file (%d) given back", was, now, grown)
	}
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if after := fingerprint(t, s); after != before {
		t.Errorf("compact changed the store:\nbefore %s\nafter  %s", before, after)
	}
	if _, err := s.Ingest(ctx, mbox.New("testdata/jan2005.mbox"), ingest.Options{Source: "list"}); err != nil {
		t.Errorf("a small ingest after compact: %v", err)
	}
	var keys, distinct int64
	if err := s.db.QueryRow("SELECT count(post_key), count(DISTINCT post_key) FROM posts").Scan(&keys, &distinct); err != nil || keys != distinct {
		t.Errorf("post keys after compact: %d for %d posts (%v): a sequence started again", distinct, keys, err)
	}
}
