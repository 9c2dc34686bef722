package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/calvinslist/calvin/config"
	"github.com/calvinslist/calvin/ingest"
)

// schedule starts a loop for each live source with an interval: it pulls
// at once, then each interval after the last pull began. The loops end
// with ctx; wg counts them.
func (s *Server) schedule(ctx context.Context, wg *sync.WaitGroup) {
	if s.cfg == nil || s.opts.Open == nil {
		return
	}
	for _, src := range s.cfg.Sources {
		if src.Interval <= 0 {
			continue
		}
		feed, err := s.opts.Open(src)
		if err != nil {
			// A source that cannot even be opened fails every round, loudly.
			s.log.Error("source cannot be pulled", "source", src.Name, "err", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				start := time.Now()
				s.setNext(src.Name, start.Add(src.Interval))
				next := start.Add(src.Interval)
				if err == nil {
					next = nextPull(start, src.Interval, s.Pull(ctx, src, feed), time.Now())
					s.setNext(src.Name, next)
				} else {
					s.failed(src.Name, start, err)
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Until(next)):
				}
			}
		}()
	}
}

// nextPull is when a source whose pull began at start and ended at end
// with err is pulled again: an interval after start, or, when the source
// asked to be left alone for longer (*ingest.RetryLater), after that.
func nextPull(start time.Time, interval time.Duration, err error, end time.Time) time.Time {
	next := start.Add(interval)
	var later *ingest.RetryLater
	if errors.As(err, &later) && end.Add(later.After).After(next) {
		next = end.Add(later.After)
	}
	return next
}

// Pull pulls one live source now, after any pull running ends, and
// records the outcome in the metrics and the sources' state. A failure is
// logged and counted; it never stops the server or the other sources. It
// returns the pull's error, for the schedule to tell a source that asked
// to wait (the wait is not spent holding the one pull's lock).
func (s *Server) Pull(ctx context.Context, src config.Source, feed ingest.Feed) error {
	s.pulling.Lock()
	defer s.pulling.Unlock()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	start := time.Now()
	s.mu.Lock()
	s.stateOf(src.Name).LastStart = start
	s.mu.Unlock()
	stats := new(ingest.Stats)
	run, err := s.store.Pull(ctx, feed, ingest.Options{
		Source:    src.Name,
		Strict:    src.Strict,
		Earliest:  src.Earliest,
		MaxRecord: src.MaxRecord,
		Stats:     stats,
		Report:    func(err error) { s.log.Warn("bad record skipped", "source", src.Name, "err", err) },
		Note:      func(err error) { s.log.Info("post kept without an author", "source", src.Name, "err", err) },
	})
	took := time.Since(start)
	m := s.ingests
	m.posts.WithLabelValues(src.Name).Add(float64(run.RowsInserted))
	m.bad.WithLabelValues(src.Name).Add(float64(stats.Rejected.Load()))
	m.duration.WithLabelValues(src.Name).Observe(took.Seconds())
	if run.RowsInserted > 0 || run.RowsUpdated > 0 {
		// Even a pull cut off stores its finished steps.
		s.bump()
	}
	switch {
	case err == nil:
		m.runs.WithLabelValues(src.Name, "ok").Inc()
		m.lastSuccess.WithLabelValues(src.Name).Set(float64(start.Unix()))
		m.up.WithLabelValues(src.Name).Set(1)
		s.mu.Lock()
		st := s.stateOf(src.Name)
		st.LastSuccess, st.LastError = start, ""
		s.mu.Unlock()
		s.log.Info("pulled", "source", src.Name, "read", run.RowsRead, "new", run.RowsInserted,
			"updated", run.RowsUpdated, "bad", run.RowsRejected, "took", took.Round(time.Millisecond))
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		s.log.Info("pull stopped by shutdown; the steps done are stored", "source", src.Name, "new", run.RowsInserted)
	default:
		s.failed(src.Name, start, err)
	}
	return err
}

// failed records a pull that failed.
func (s *Server) failed(source string, at time.Time, err error) {
	s.ingests.runs.WithLabelValues(source, "error").Inc()
	s.ingests.up.WithLabelValues(source).Set(0)
	s.mu.Lock()
	s.stateOf(source).LastError = err.Error()
	s.mu.Unlock()
	s.log.Error("pull failed", "source", source, "err", err)
}

func (s *Server) setNext(source string, next time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stateOf(source).Next = next
}

// stateOf is the state of a source, made on first use; s.mu is held.
func (s *Server) stateOf(source string) *sourceState {
	st := s.state[source]
	if st == nil {
		st = new(sourceState)
		s.state[source] = st
	}
	return st
}

// bump marks the data changed: cached answers are dropped.
func (s *Server) bump() {
	s.generation.Add(1)
	s.cache.clear()
}
