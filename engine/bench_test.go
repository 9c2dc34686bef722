package engine

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/benchmarks/sedump"
	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/nntp"
	"github.com/calvinslist/calvin/ingest/nntp/inntest"
	"github.com/calvinslist/calvin/ingest/stackexchange"
)

// replay is a Source that yields batches read before, so that a benchmark
// of the store measures the store alone.
type replay struct {
	batches []arrow.RecordBatch
	rows    int64
}

func (r *replay) Platform() string { return stackexchange.Platform }
func (r *replay) Input() string    { return "replay" }

func (r *replay) Read(ctx context.Context, opts ingest.Options) (array.RecordReader, error) {
	if opts.Stats != nil {
		opts.Stats.Read.Add(r.rows)
	}
	return array.NewRecordReader(ingest.Schema(), r.batches)
}

// benchBatches reads a synthetic dump of n posts (and about as many
// comments) into memory, written once to the system's temporary folder.
func benchBatches(b *testing.B, n int) *replay {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "calvin-bench-dump-"+itoa(n)+"-seed1")
	if _, err := os.Stat(filepath.Join(dir, "Comments.xml")); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		if _, err := sedump.Write(dir, sedump.Config{Seed: 1, Posts: n, CommentsPerPost: 1}); err != nil {
			b.Fatal(err)
		}
	}
	rr, err := stackexchange.New(dir).Read(context.Background(), ingest.Options{Source: "bench", Strict: true})
	if err != nil {
		b.Fatal(err)
	}
	defer rr.Release()
	r := &replay{}
	for rr.Next() {
		rec := rr.RecordBatch()
		rec.Retain()
		r.batches = append(r.batches, rec)
		r.rows += rec.NumRows()
	}
	if err := rr.Err(); err != nil {
		b.Fatal(err)
	}
	return r
}

func itoa(n int) string { return strconv.Itoa(n) }

// BenchmarkLoad measures an ingest of batches already in memory into a new
// file database: load-rows/s is the load alone (Arrow stream into posts),
// refresh-s the accounts and monthly metrics recomputed after it.
func BenchmarkLoad(b *testing.B) {
	src := benchBatches(b, 500_000)
	var load, refresh time.Duration
	for b.Loop() {
		b.StopTimer()
		s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.duckdb"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		run, err := s.Ingest(context.Background(), src, ingest.Options{Source: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		load += run.Load + run.Threads
		refresh += run.Refreshed.Links + run.Refreshed.Accounts + run.Refreshed.Metrics
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(src.rows)*float64(b.N)/load.Seconds(), "load-rows/s")
	b.ReportMetric(refresh.Seconds()/float64(b.N), "refresh-s")
	b.ReportMetric(float64(src.rows), "rows")
}

// BenchmarkLeaderboard measures the boards of each window ending with
// June 2020, over every post and in the area of two tags (calvin profile,
// top 10) over a store of about a million
// posts and comments spread over ten years, or over the store at
// CALVIN_BENCH_DB, opened read-only.
func BenchmarkLeaderboard(b *testing.B) {
	var s *Store
	var err error
	if path := os.Getenv("CALVIN_BENCH_DB"); path != "" {
		s, err = Open(context.Background(), path, Options{ReadOnly: true})
	} else {
		s, err = Open(context.Background(), filepath.Join(b.TempDir(), "bench.duckdb"), Options{})
		if err == nil {
			_, err = s.Ingest(context.Background(), benchBatches(b, 500_000), ingest.Options{Source: "bench"})
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, name := range []string{"month", "quarter", "12m", "90d", "area-month", "area-12m", "area-90d"} {
		board := Board{Month: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC), Window: name, Profile: calvinProfile}
		if window, ok := strings.CutPrefix(name, "area-"); ok {
			board.Window, board.Areas = window, []string{"sql", "duckdb"}
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				entries, err := s.Leaderboard(context.Background(), board)
				if err != nil {
					b.Fatal(err)
				}
				if len(entries) != 10 {
					b.Fatalf("got %d entries, want 10", len(entries))
				}
			}
		})
	}
}

// refreshStore opens the store at CALVIN_BENCH_DB under a 1 GB cap, its
// posts linked, or makes a store of a million posts and comments; it is
// closed when the benchmark ends.
func refreshStore(b *testing.B) *Store {
	b.Helper()
	ctx := context.Background()
	path := os.Getenv("CALVIN_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.duckdb")
	}
	s, err := Open(ctx, path, Options{MemoryLimit: "1GB"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if os.Getenv("CALVIN_BENCH_DB") == "" {
		if _, err := s.Ingest(ctx, benchBatches(b, 500_000), ingest.Options{Source: "bench"}); err != nil {
			b.Fatal(err)
		}
	} else if _, err := s.Refresh(ctx); err != nil { // links what is not linked yet
		b.Fatal(err)
	}
	return s
}

// BenchmarkRefresh recomputes every source's accounts and monthly metrics
// (Store.Refresh, what calvin refresh does) over the store at
// CALVIN_BENCH_DB, under a 1 GB cap, or over a new store of a million
// posts and comments without it. The store's posts are linked first.
func BenchmarkRefresh(b *testing.B) {
	ctx := context.Background()
	s := refreshStore(b)
	var rows int64
	if err := s.db.QueryRow("SELECT count(*) FROM posts").Scan(&rows); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows), "posts")
}

// BenchmarkMonthlyMetrics recomputes the monthly metrics of every source
// of the store at CALVIN_BENCH_DB (or of a new store of a million posts
// and comments), under a 1 GB cap: refreshMetrics alone, each source in a
// transaction that commits, without the accounts and the links that
// Store.Refresh also brings up to date (BenchmarkRefresh).
func BenchmarkMonthlyMetrics(b *testing.B) {
	ctx := context.Background()
	s := refreshStore(b)
	var sources []string
	rows, err := s.db.Query("SELECT DISTINCT source FROM post_links ORDER BY source")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var src string
		if err := rows.Scan(&src); err != nil {
			b.Fatal(err)
		}
		sources = append(sources, src)
	}
	rows.Close()
	conn, ar, err := s.arrowConn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var stored int64
	b.ResetTimer()
	for b.Loop() {
		for _, src := range sources {
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if err := refreshMetrics(ctx, tx, ar, src, nil, true, nil); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := s.db.QueryRow("SELECT count(*) FROM monthly_metrics").Scan(&stored); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(stored), "rows")
}

// BenchmarkPullNNTP: a pull of 100,000 articles (4 groups, one in ten
// crossposted) from a local INN into a new store, end to end: overviews,
// steps of 5,000 articles each committed with its marks, then the refresh.
func BenchmarkPullNNTP(b *testing.B) {
	groups := []string{"bench.a", "bench.b", "bench.c", "bench.d"}
	srv := inntest.Start(b, inntest.Options{Groups: groups})
	const n = 100_000
	srv.Post(inntest.Articles(n, groups)...)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), "calvin.duckdb"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		f, err := nntp.Parse("news://" + srv.Addr + "/bench.*")
		if err != nil {
			b.Fatal(err)
		}
		f.Dialer.TLSConfig = srv.TLS
		b.StartTimer()
		run, err := s.Pull(ctx, f, ingest.Options{Source: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if run.RowsInserted != n {
			b.Fatalf("stored %d posts, want %d", run.RowsInserted, n)
		}
		b.ReportMetric(run.Load.Seconds(), "pull-s")
		b.ReportMetric((run.Refreshed.Links + run.Refreshed.Accounts + run.Refreshed.Metrics).Seconds(), "refresh-s")
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}
