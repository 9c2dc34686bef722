package nntp_test

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/nntp/inntest"
)

// BenchmarkPullOverview: the rate at which a pull reads articles from a
// local INN through OVER into Arrow batches (the store step only releases
// them): 100,000 articles in 4 groups, steps of 5,000.
func BenchmarkPullOverview(b *testing.B) {
	groups := []string{"bench.a", "bench.b", "bench.c", "bench.d"}
	srv := inntest.Start(b, inntest.Options{Groups: groups})
	const n = 100_000
	srv.Post(inntest.Articles(n, groups)...)
	b.ResetTimer()
	var read int64
	for b.Loop() {
		f := feedB(b, srv, "bench.*")
		stats := new(ingest.Stats)
		err := f.Pull(context.Background(), ingest.Options{Source: "b", Stats: stats}, nil, func(rr array.RecordReader, _ []ingest.Mark) error {
			if rr != nil {
				for rr.Next() {
				}
				rr.Release()
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		read = stats.Read.Load() + stats.Duplicates.Load()
	}
	b.ReportMetric(float64(read)*float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}
