package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/calvinslist/calvin/ingest"
)

// TestWorkBounded: with one answer computed at a time and one waiting,
// person requests for three different people while the one slot is held
// (here by the test): one waits, two are refused at once with 503 and
// Retry-After; once the slot is free the one waiting is answered. The
// same person asked again is answered from the cache, without a slot.
func TestWorkBounded(t *testing.T) {
	s, ts := testServer(t, Options{MaxWork: 1, MaxQueue: 1})
	s.work.slots <- struct{}{} // the one slot, held
	type answer struct {
		code       int
		retryAfter string
	}
	answers := make(chan answer, 3)
	var wg sync.WaitGroup
	for _, name := range []string{"alice@x.org", "bob@y.org", "carol@z.org"} { // three people of the fixture
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := (&http.Client{Timeout: 60 * time.Second}).Get(ts.URL + "/api/v1/person?name=" + name)
			if err != nil {
				t.Error(err)
				answers <- answer{}
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			answers <- answer{resp.StatusCode, resp.Header.Get("Retry-After")}
		}()
	}
	for range 2 {
		if a := <-answers; a.code != http.StatusServiceUnavailable || a.retryAfter != "5" {
			t.Errorf("a request past the queue: %d, Retry-After %q; want 503, 5", a.code, a.retryAfter)
		}
	}
	if n := s.work.queued(); n != 1 {
		t.Errorf("%d waiting, want 1", n)
	}
	<-s.work.slots // the slot is free
	if a := <-answers; a.code != http.StatusOK {
		t.Errorf("the request that waited: %d, want its answer", a.code)
	}
	wg.Wait()

	get(t, ts, "/api/v1/person?name=alice@x.org", 200, nil)
	s.work.slots <- struct{}{} // held again: only the cache can answer
	defer func() { <-s.work.slots }()
	get(t, ts, "/api/v1/person?name=alice@x.org", 200, nil)
}

// TestNextPull: a source is pulled again an interval after its pull
// began, or, when it asked to be left alone for longer, after that,
// counted from the pull's end.
func TestNextPull(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	end := start.Add(time.Minute)
	later := &ingest.RetryLater{After: 10 * time.Minute, Err: errors.New("429")}
	for _, c := range []struct {
		interval time.Duration
		err      error
		want     time.Time
	}{
		{15 * time.Minute, nil, start.Add(15 * time.Minute)},
		{15 * time.Minute, errors.New("connection refused"), start.Add(15 * time.Minute)},
		{5 * time.Minute, later, end.Add(10 * time.Minute)},
		{15 * time.Minute, later, start.Add(15 * time.Minute)},
		{5 * time.Minute, fmt.Errorf("pull: %w", later), end.Add(10 * time.Minute)},
	} {
		if got := nextPull(start, c.interval, c.err, end); !got.Equal(c.want) {
			t.Errorf("interval %s, %v: next %s, want %s", c.interval, c.err, got, c.want)
		}
	}
}
