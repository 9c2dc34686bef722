package export

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/calvinslist/calvin/ingest"
)

// benchRows is the size of the benchmarks' exports.
const benchRows = 2_000_000

// narrowExport writes (once, to the system's temporary folder) a narrow
// export of n rows: id, thread, parent, author, Unix time; every fifth
// row a thread's first post. jsonl writes it as JSON Lines.
func narrowExport(b *testing.B, n int, jsonl bool) string {
	b.Helper()
	ext := "csv"
	if jsonl {
		ext = "jsonl"
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("calvin-bench-export-%d.%s", n, ext))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if !jsonl {
		fmt.Fprintln(w, "id,thread,parent,author,time")
	}
	for i := range n {
		thread, parent := i-i%5, ""
		if i%5 != 0 {
			parent = fmt.Sprint(i - 1)
		}
		t := 1_600_000_000 + i*7
		if jsonl {
			fmt.Fprintf(w, `{"id":%d,"thread":%d,"parent":"%s","author":"user%d","time":%d}`+"\n", i, thread, parent, i%9973, t)
		} else {
			fmt.Fprintf(w, "%d,%d,%s,user%d,%d\n", i, thread, parent, i%9973, t)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	if err := os.Rename(path+".tmp", path); err != nil {
		b.Fatal(err)
	}
	return path
}

var narrowMapping = `
time:
  layout: unix
fields:
  post_id: id
  thread_id: thread
  parent_id: parent
  author: author
  created_at: time
`

func benchRead(b *testing.B, jsonl bool) {
	path := narrowExport(b, benchRows, jsonl)
	m, err := ParseMapping("bench.yaml", []byte(narrowMapping))
	if err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for b.Loop() {
		stats := new(ingest.Stats)
		rr, err := New(path, m).Read(context.Background(), ingest.Options{Source: "b", Strict: true, Stats: stats})
		if err != nil {
			b.Fatal(err)
		}
		for rr.Next() {
		}
		if err := rr.Err(); err != nil {
			b.Fatal(err)
		}
		rr.Release()
		if stats.Read.Load() != benchRows {
			b.Fatalf("read %d rows, want %d", stats.Read.Load(), benchRows)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadCSV: a narrow CSV export (2 M rows, 5 columns) into Arrow
// batches.
func BenchmarkReadCSV(b *testing.B) { benchRead(b, false) }

// BenchmarkReadJSONL: the same rows as JSON Lines.
func BenchmarkReadJSONL(b *testing.B) { benchRead(b, true) }
