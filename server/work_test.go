package server

import (
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
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
	for _, name := range []string{"alice@x.org", "bob@x.org", "carol@x.org"} {
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
	if a := <-answers; a.code != http.StatusOK && a.code != http.StatusNotFound {
		t.Errorf("the request that waited: %d, want an answer", a.code)
	}
	wg.Wait()

	get(t, ts, "/api/v1/person?name=alice@x.org", 200, nil)
	s.work.slots <- struct{}{} // held again: only the cache can answer
	defer func() { <-s.work.slots }()
	get(t, ts, "/api/v1/person?name=alice@x.org", 200, nil)
}
