package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calvinslist/calvin/config"
	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/nntp"
	"github.com/calvinslist/calvin/ingest/nntp/inntest"
)

// TestServeWhilePulling runs the server with two live sources: a real INN
// holding 60 articles (January 2024, see inntest.Articles), pulled in
// steps of 5, and a server that refuses connections. While the pulls run,
// clients read the January board without a pause: every answer must be a
// 200 and show the month either before the pull (no posts) or after it
// (all 60), never part of it, as the metrics are refreshed in one
// transaction at the pull's end. The refused source fails loudly (log,
// metrics, sources) and does not stop the other. Cancelling the context
// (what SIGTERM does) ends Run cleanly.
func TestServeWhilePulling(t *testing.T) {
	groups := []string{"calvin.a", "calvin.b"}
	inn := inntest.Start(t, inntest.Options{Groups: groups})
	const n = 60
	inn.Post(inntest.Articles(n, groups)...)
	dead := freePort(t) // nothing listens there

	yaml := fmt.Sprintf(`
sources:
  - name: news
    platform: nntp
    location: news://%s/calvin.*
    interval: 1h
  - name: dead
    platform: nntp
    location: news://%s/calvin.*
    interval: 1h
`, inn.Addr, dead)
	var logs strings.Builder
	var logMu sync.Mutex
	s, ln := liveServer(t, yaml, inn, &logs, &logMu, func(f *nntp.Feed) { f.Step, f.Tries = 5, 1 })
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()

	// Readers, until both sources have had a pull.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int64]int{} // posts on the January board -> answers showing it
	var problems []string
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				total, err := boardPosts(base + "/api/v1/leaderboard?month=2024-01&source=news&top=1000&live=true")
				mu.Lock()
				if err != nil {
					problems = append(problems, err.Error())
				} else {
					seen[total]++
				}
				mu.Unlock()
			}
		}()
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var srcs []sourceJSON
		if err := getData(base+"/api/v1/sources", &srcs); err != nil {
			t.Fatal(err)
		}
		byName := map[string]sourceJSON{}
		for _, s := range srcs {
			byName[s.Name] = s
		}
		if byName["news"].LastSuccess != nil && byName["dead"].LastError != "" {
			if byName["news"].Posts != n || byName["dead"].LastSuccess != nil || byName["news"].LastError != "" {
				t.Errorf("sources after the pulls: %+v", srcs)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pull outcome in 60 s: %+v", srcs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A last few reads after the pull, then stop the readers.
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	if len(problems) > 0 {
		t.Errorf("%d failed reads, the first: %s", len(problems), problems[0])
	}
	for total, count := range seen {
		if total != 0 && total != n {
			t.Errorf("%d answers showed %d posts on the board: a partial pull", count, total)
		}
	}
	if seen[n] == 0 {
		t.Errorf("no answer showed the pulled month: %v", seen)
	}

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`calvin_ingest_runs_total{result="ok",source="news"} 1`,
		`calvin_ingest_runs_total{result="error",source="dead"} 1`,
		`calvin_ingest_posts_stored_total{source="news"} 60`,
		`calvin_ingest_up{source="dead"} 0`,
		`calvin_ingest_up{source="news"} 1`,
		`calvin_source_posts{source="news"} 60`,
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	logMu.Lock()
	if !strings.Contains(logs.String(), `msg="pull failed" source=dead`) {
		t.Errorf("the failed pull is not logged:\n%s", logs.String())
	}
	logMu.Unlock()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// boardPosts asks for a board and returns the posts of all its entries.
func boardPosts(url string) (int64, error) {
	var b boardJSON
	if err := getData(url, &b); err != nil {
		return 0, err
	}
	var total int64
	for _, e := range b.Entries {
		total += e.Metrics["posts"]
	}
	return total, nil
}

// getData fetches an API answer that must be a 200 with status ok, and
// decodes its data.
func getData(url string, data any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var env struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &env) != nil || env.Status != "ok" {
		return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return json.Unmarshal(env.Data, data)
}

// TestShutdownDuringPull: SIGTERM (the context's end) while a pull waits
// on a server that says nothing ends the pull at once, nothing stored,
// and Run returns cleanly long before the client's one-minute timeout.
func TestShutdownDuringPull(t *testing.T) {
	groups := []string{"calvin.a"}
	inn := inntest.Start(t, inntest.Options{Groups: groups})
	inn.Post(inntest.Articles(10, groups)...)
	px := inntest.NewProxy(t, inn.Addr)
	px.Stalls.Store(1)
	var logs strings.Builder
	var logMu sync.Mutex
	s, ln := liveServer(t, fmt.Sprintf(`
sources:
  - name: news
    platform: nntp
    location: news://%s/calvin.*
    interval: 1h
`, px.Addr), inn, &logs, &logMu, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		s.mu.Lock()
		st := s.state["news"]
		started := st != nil && !st.LastStart.IsZero()
		s.mu.Unlock()
		if started {
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatal("the pull did not start")
		}
	}
	time.Sleep(300 * time.Millisecond) // the pull now waits for a greeting
	t0 := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10 s of the shutdown")
	}
	took := time.Since(t0)
	var posts int64
	if err := s.store.DB().QueryRow("SELECT count(*) FROM posts WHERE source = 'news'").Scan(&posts); err != nil {
		t.Fatal(err)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if posts != 0 || !strings.Contains(logs.String(), "pull stopped by shutdown") {
		t.Errorf("after a shutdown %s into a stalled pull: %d posts stored; log:\n%s", took, posts, logs.String())
	}
}

// liveServer makes a server of the fixture with the sources of yaml,
// whose news feeds trust inn's certificate and are set by tune (if
// given); it logs to logs, under logMu. It is not running: Run it on ln.
func liveServer(t *testing.T, yaml string, inn *inntest.Server, logs *strings.Builder, logMu *sync.Mutex, tune func(*nntp.Feed)) (*Server, net.Listener) {
	t.Helper()
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "calvin.yaml"), []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	s := New(newFixture(t), cfg, Options{
		Now: october,
		Log: testLog(logs, logMu),
		Open: func(src config.Source) (ingest.Feed, error) {
			f, err := nntp.Parse(src.Locations[0])
			if err != nil {
				return nil, err
			}
			f.Dialer.TLSConfig = inn.TLS
			if tune != nil {
				tune(f)
			}
			return f, nil
		},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return s, ln
}
