package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/calvinslist/calvin/engine"
)

// BenchmarkLeaderboardAPI asks for one month's board again and again, as
// a dashboard's users do: the first answer is computed, the rest come
// from the cache. With CALVIN_BENCH_DB set it reads that database (the
// 10 M-post store of benchmarks/README.md) and CALVIN_BENCH_MONTH's board,
// else the test fixture's October. It reports requests per second through
// real HTTP on loopback, clients on every core.
func BenchmarkLeaderboardAPI(b *testing.B) {
	var store *engine.Store
	month := "2026-10"
	if path := os.Getenv("CALVIN_BENCH_DB"); path != "" {
		var err error
		if store, err = engine.Open(context.Background(), path, engine.Options{ReadOnly: true}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { store.Close() })
		month = os.Getenv("CALVIN_BENCH_MONTH")
	} else {
		store = newFixture(b)
	}
	s := New(store, nil, Options{Log: quietLog(), Now: october})
	ts := httptest.NewServer(s.Handler())
	b.Cleanup(ts.Close)
	url := ts.URL + "/api/v1/leaderboard?month=" + month
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	fetch := func() {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	t0 := time.Now()
	fetch() // the one computed answer
	first := time.Since(t0)
	b.ResetTimer()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			fetch()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
	b.ReportMetric(first.Seconds()*1000, "first-ms")
}
