package mbox

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calvinslist/calvin/ingest"
)

// writeBenchArchive writes an mboxrd archive of n messages shaped like a
// mailing list's: a dozen header fields, most of them Received lines, and
// bodies of 200 to 6,000 bytes, replies quoting their parent.
func writeBenchArchive(b *testing.B, n int) (string, int64) {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("calvin-bench-%d.mbox", n))
	if st, err := os.Stat(path); err == nil {
		return path, st.Size()
	}
	f, err := os.Create(path + ".part")
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	line := strings.Repeat("The quick brown fox jumps over the lazy dog, again. ", 2)[:72] + "\n"
	for i := range n {
		day, sec := 1+i%28, i%86400
		fmt.Fprintf(w, "From user%d@example.org Sat Jan %2d %02d:%02d:%02d 2005\n", i%997, day, sec/3600, sec/60%60, sec%60)
		for r := range 4 {
			fmt.Fprintf(w, "Received: from host%d.example.org (host%d.example.org [10.0.%d.%d])\n\tby mx.example.org with ESMTP id <S%dAbV>;\n\tSat, %d Jan 2005 %02d:%02d:%02d +0000\n", r, r, r, i%250, i, day, sec/3600, sec/60%60, sec%60)
		}
		fmt.Fprintf(w, "Date: Sat, %d Jan 2005 %02d:%02d:%02d +0100\n", day, sec/3600, sec/60%60, sec%60)
		fmt.Fprintf(w, "From: User %d <user%d@example.org>\n", i%997, i%997)
		fmt.Fprintf(w, "To: list@example.org\nSubject: Re: question number %d about the toolchain\n", i/5)
		fmt.Fprintf(w, "Message-ID: <%d.%d@example.org>\n", i, i*7)
		if i%5 != 0 {
			fmt.Fprintf(w, "In-Reply-To: <%d.%d@example.org>\nReferences: <%d.%d@example.org> <%d.%d@example.org>\n", i-1, (i-1)*7, i-i%5, (i-i%5)*7, i-1, (i-1)*7)
		}
		w.WriteString("MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nX-List: bench\nPrecedence: bulk\n\n")
		for l := range 3 + (i*7919)%80 {
			if l%9 == 0 {
				w.WriteString("> ")
			}
			w.WriteString(line)
		}
		w.WriteString("\n")
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	if err := os.Rename(path+".part", path); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	return path, st.Size()
}

// BenchmarkRead measures an mbox archive read into Arrow batches, each
// built and released.
func BenchmarkRead(b *testing.B) {
	path, size := writeBenchArchive(b, 50_000)
	b.SetBytes(size)
	for b.Loop() {
		rr, err := New(path).Read(context.Background(), ingest.Options{Source: "bench", Strict: true})
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		for rr.Next() {
			rows += int(rr.RecordBatch().NumRows())
		}
		if err := rr.Err(); err != nil {
			b.Fatal(err)
		}
		rr.Release()
		if rows != 50_000 {
			b.Fatalf("%d posts, want 50000", rows)
		}
	}
}
