package server

import (
	"context"
	"errors"
	"strconv"
	"sync"
)

// errBusy is the answer of a request that found the work queue full: 503
// with Retry-After.
var errBusy = errors.New("busy: too many requests are being computed; try again shortly")

// retryAfter is the Retry-After of a 503 busy answer, in seconds.
const retryAfter = 5

// workLimit bounds the answers computed at once (a board, a person, an
// explanation, a report: each reads the store for up to seconds): slots
// run, at most queue more wait, and past that a request is refused
// (errBusy) rather than left to wait behind the others.
type workLimit struct {
	slots chan struct{}
	queue int

	mu      sync.Mutex
	waiting int
}

func newWorkLimit(slots, queue int) *workLimit {
	return &workLimit{slots: make(chan struct{}, slots), queue: queue}
}

// acquire takes a slot, waiting in the queue if there is room in it; the
// returned release gives it back.
func (l *workLimit) acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots }, nil
	default:
	}
	l.mu.Lock()
	if l.waiting >= l.queue {
		l.mu.Unlock()
		return nil, errBusy
	}
	l.waiting++
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.waiting--
		l.mu.Unlock()
	}()
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// queued returns the number of requests waiting.
func (l *workLimit) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waiting
}

// flight is an answer being computed, which requests for the same key
// wait for instead of computing it again.
type flight struct {
	done chan struct{}
	b    []byte
	err  error
}

// cached returns the answer of key: the cache's, the one being computed
// for another request, or made now in a work slot, and kept. Fifty
// requests for one person compute it once; fifty for fifty people wait
// their turn or are refused, and the rest of the server goes on.
func (s *Server) cached(ctx context.Context, key string, compute func() ([]byte, error)) ([]byte, error) {
	key = strconv.FormatInt(s.generation.Load(), 10) + " " + key
	if b, ok := s.cache.get(key); ok {
		return b, nil
	}
	s.flightMu.Lock()
	if f, ok := s.flights[key]; ok {
		s.flightMu.Unlock()
		select {
		case <-f.done:
			return f.b, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	s.flights[key] = f
	s.flightMu.Unlock()
	defer func() {
		s.flightMu.Lock()
		delete(s.flights, key)
		s.flightMu.Unlock()
		close(f.done)
	}()
	release, err := s.work.acquire(ctx)
	if err != nil {
		f.err = err
		return nil, err
	}
	defer release()
	f.b, f.err = compute()
	if f.err == nil {
		s.cache.put(key, f.b)
	}
	return f.b, f.err
}
