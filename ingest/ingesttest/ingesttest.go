// Package ingesttest checks what a reader makes of any input, for the
// readers' fuzz targets: it never panics, every batch is released, and
// every string it emits is valid UTF-8 (what DuckDB takes).
package ingesttest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/calvinslist/calvin/ingest"
)

// Drain reads src to its end, leniently, on a checked allocator, and fails
// t if a batch holds a string that is not UTF-8 or memory is left
// allocated. The input may be rejected whole (an error of Read or of the
// stream): that is not a failure.
func Drain(t testing.TB, src ingest.Source) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rr, err := src.Read(context.Background(), ingest.Options{Source: "fuzz", Mem: mem, MaxRecord: 1 << 20})
	if err != nil {
		return
	}
	defer rr.Release()
	for rr.Next() {
		checkStrings(t, rr.RecordBatch())
	}
}

// checkStrings fails t for a string column value that is not UTF-8.
func checkStrings(t testing.TB, rec arrow.RecordBatch) {
	t.Helper()
	for i, col := range rec.Columns() {
		var s *array.String
		switch c := col.(type) {
		case *array.String:
			s = c
		case *array.List:
			s, _ = c.ListValues().(*array.String)
		}
		if s == nil {
			continue
		}
		for j := range s.Len() {
			if s.IsValid(j) && !utf8.ValidString(s.Value(j)) {
				t.Fatalf("column %s, row %d: %q is not UTF-8", rec.ColumnName(i), j, s.Value(j))
			}
		}
	}
}

// AddFiles adds the contents of files to f's seed corpus.
func AddFiles(f *testing.F, paths ...string) {
	f.Helper()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// WriteFile writes data to name below a new temporary folder of t, making
// the folders between, and returns the folder.
func WriteFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
