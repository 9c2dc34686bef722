package ingest

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A Source is one configured origin of posts: a dump, an archive, a server.
type Source interface {
	// Platform names the kind of source, the platform column of its rows
	// (stackexchange, nntp, mbox, ...).
	Platform() string

	// Input describes where the posts come from (a path, a URL without
	// credentials), for the record of ingest runs.
	Input() string

	// Read starts reading and returns the posts as a stream of record
	// batches of Schema, each post_id once (a message seen twice, such as
	// a crosspost, is the reader's to drop). The caller must Release the
	// reader; releasing it
	// before the end stops the reading. A bad record is skipped and passed
	// to opts.Report, unless opts.Strict, when it ends the stream: the
	// reader's Err then returns it. Read itself fails only when the input
	// cannot be opened at all.
	Read(ctx context.Context, opts Options) (array.RecordReader, error)
}

// Options are the settings every Source.Read takes.
type Options struct {
	// Source is the configured source's name, the source column of every
	// row.
	Source string

	// Strict makes the first bad record end the read with its error.
	Strict bool

	// Report, if set, is called with each bad record that was skipped, from
	// the reading goroutine.
	Report func(error)

	// Note, if set, is called with each record kept although part of it
	// could not be read (a sender without an address: a post without an
	// author; a forum's topic file that is not UTF-8), from the reading
	// goroutine. Strict does not make it fatal.
	Note func(error)

	// Earliest is the earliest date a post may have (Dates); zero
	// means the first day of DefaultEarliestYear.
	Earliest time.Time

	// MaxRecord bounds one record's bytes (a dump's line, a message's
	// header, an export's row, a forum's topic, a server's line), so that
	// memory does not grow with a line; a longer one is a bad record. 0
	// means DefaultMaxRecord.
	MaxRecord int

	// Mem allocates the batches; nil means the Go allocator.
	Mem memory.Allocator

	// Stats, if set, is where the read counts what it read and rejected.
	Stats *Stats

	// Facts, if set, is where a read that knows more of its accounts than
	// their posts (a forum's staff, a network account) records it.
	Facts *Facts
}

// Allocator returns o.Mem, or the default Go allocator when unset.
func (o Options) Allocator() memory.Allocator {
	if o.Mem == nil {
		return memory.DefaultAllocator
	}
	return o.Mem
}

// Stats counts one read's records. It is safe to read while the read goes
// on, so that progress can be shown.
type Stats struct {
	// Read is the number of records parsed into posts.
	Read atomic.Int64
	// Rejected is the number of bad records skipped.
	Rejected atomic.Int64
	// Duplicates is the number of records dropped because their post was
	// read before (a crossposted or resent message).
	Duplicates atomic.Int64
	// NoAuthor is the number of posts kept without an author because
	// their sender gave no address (Options.Note says which).
	NoAuthor atomic.Int64
	// Repaired is the number of posts kept with text that was not valid
	// UTF-8 made valid (Builder.Append).
	Repaired atomic.Int64
	// Bytes is the number of input bytes consumed so far.
	Bytes atomic.Int64
	// Total is the number of input bytes the read will consume, once the
	// source knows it; 0 while unknown.
	Total atomic.Int64
	// Articles and ArticlesTotal are a feed's progress, where bytes are
	// not known ahead: the article numbers gone through so far and in all
	// (a news server's groups, from their marks to their last article).
	Articles, ArticlesTotal atomic.Int64

	// The step of the ingest under way once the posts are read (see
	// SetPhase): its name, and its parts done and in all.
	phase                 atomic.Pointer[string]
	phaseDone, phaseTotal atomic.Int64
}

// SetPhase says which step of an ingest is under way once its posts are
// read ("storing posts", "linking posts", "monthly metrics", ...), for
// progress, and how many parts it has (months, say; 0 for none); "" is
// the read itself. A nil Stats takes nothing.
func (s *Stats) SetPhase(name string, parts int64) {
	if s == nil {
		return
	}
	s.phaseDone.Store(0)
	s.phaseTotal.Store(parts)
	s.phase.Store(&name)
}

// PhaseDone counts n more parts of the phase done.
func (s *Stats) PhaseDone(n int64) {
	if s != nil {
		s.phaseDone.Add(n)
	}
}

// Phase returns the step under way and its parts done and in all.
func (s *Stats) Phase() (name string, done, parts int64) {
	if p := s.phase.Load(); p != nil {
		name = *p
	}
	return name, s.phaseDone.Load(), s.phaseTotal.Load()
}

// CountingReader passes reads on and adds the bytes read to Stats.Bytes,
// a MiB at a time and the rest at Flush, for progress.
type CountingReader struct {
	r       io.Reader
	stats   *Stats
	pending int64
}

// NewCountingReader counts what is read from r into stats, which may be
// nil.
func NewCountingReader(r io.Reader, stats *Stats) *CountingReader {
	return &CountingReader{r: r, stats: stats}
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.pending += int64(n)
	if c.pending >= 1<<20 {
		c.Flush()
	}
	return n, err
}

// Flush adds the bytes not yet counted.
func (c *CountingReader) Flush() {
	if c.stats != nil {
		c.stats.Bytes.Add(c.pending)
	}
	c.pending = 0
}

// Reject counts a bad record and reports it through opts, or returns it
// when opts.Strict.
func (o Options) Reject(err error) error {
	if o.Strict {
		return err
	}
	if o.Stats != nil {
		o.Stats.Rejected.Add(1)
	}
	if o.Report != nil {
		o.Report(err)
	}
	return nil
}

// DefaultMaxRecord is the longest record a read takes unless told
// otherwise: far above any real post, far below memory.
const DefaultMaxRecord = 16 << 20

// RecordLimit returns o.MaxRecord, or DefaultMaxRecord when unset.
func (o Options) RecordLimit() int {
	if o.MaxRecord <= 0 {
		return DefaultMaxRecord
	}
	return o.MaxRecord
}

// TooLong is the error of a record longer than RecordLimit.
func TooLong(limit int) error {
	return fmt.Errorf("a record longer than %d bytes (max_record raises the limit)", limit)
}

// DefaultEarliestYear begins the dates a post may have unless its source
// says otherwise: the dates before 1980 in real archives are a zero date
// ("Thu Jan  1 00:00:00 1970") or a clock not set, not posts.
const DefaultEarliestYear = 1980

// Dates returns the range of dates a post of the read may have: from
// o.Earliest (1 January DefaultEarliestYear if unset) to a day after now
// (a day allows for a clock a little ahead). A reader works it out once
// and rejects a post outside it as a bad record.
func (o Options) Dates() Dates {
	d := Dates{From: o.Earliest, To: time.Now().Add(24 * time.Hour)}
	if d.From.IsZero() {
		d.From = time.Date(DefaultEarliestYear, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

// Dates is a range of dates, for a reader that checks many posts to work
// it out once.
type Dates struct{ From, To time.Time }

// Check returns an error when t is outside d.
func (d Dates) Check(t time.Time) error {
	switch {
	case t.Before(d.From):
		return fmt.Errorf("%s is before %s (a source's earliest: setting widens the range)", t.UTC().Format(time.DateTime), d.From.Format(time.DateOnly))
	case t.After(d.To):
		return fmt.Errorf("%s is in the future", t.UTC().Format(time.DateTime))
	}
	return nil
}

// Duplicate counts a record dropped because its post was read before.
func (o Options) Duplicate() {
	if o.Stats != nil {
		o.Stats.Duplicates.Add(1)
	}
}

// KeptWithoutAuthor counts a post kept without an author and tells
// opts.Note why.
func (o Options) KeptWithoutAuthor(err error) {
	if o.Stats != nil {
		o.Stats.NoAuthor.Add(1)
	}
	if o.Note != nil {
		o.Note(err)
	}
}

// ParseError is a bad record: where it is and what is wrong with it. Its
// text has the shape "Posts.xml:48213: bad CreationDate "2008-13-01"".
type ParseError struct {
	File string // the file's name as the user knows it
	Line int64  // 1-based line, or article number; 0 if unknown
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Produce runs fill on a goroutine of its own and returns its batches as a
// RecordReader of Schema, so that parsing goes on while the consumer loads
// the previous batch. fill sends each batch with emit, which takes
// ownership of it; emit fails once the reader is released. fill's error
// ends the stream and is the reader's Err.
func Produce(ctx context.Context, fill func(ctx context.Context, emit func(arrow.RecordBatch) error) error) array.RecordReader {
	ctx, cancel := context.WithCancel(ctx)
	r := &stream{
		schema: Schema(),
		ch:     make(chan arrow.RecordBatch, 2),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	r.refs.Store(1)
	go func() {
		defer close(r.done)
		emit := func(rec arrow.RecordBatch) error {
			select {
			case r.ch <- rec:
				return nil
			case <-ctx.Done():
				rec.Release()
				return ctx.Err()
			}
		}
		r.err = fill(ctx, emit)
		close(r.ch) // after r.err is set: Next sees the close, then Err the error
	}()
	return r
}

// stream is the RecordReader that Produce returns.
type stream struct {
	schema *arrow.Schema
	ch     chan arrow.RecordBatch
	cancel context.CancelFunc
	done   chan struct{}
	err    error // fill's result, set before ch is closed
	ended  bool  // Next has seen ch closed
	cur    arrow.RecordBatch
	refs   atomic.Int64
	once   sync.Once
}

func (r *stream) Retain() { r.refs.Add(1) }

func (r *stream) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	r.once.Do(func() {
		r.cancel()
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		for rec := range r.ch {
			rec.Release()
		}
		<-r.done
	})
}

func (r *stream) Schema() *arrow.Schema { return r.schema }

func (r *stream) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	rec, ok := <-r.ch
	if !ok {
		r.ended = true
		return false
	}
	r.cur = rec
	return true
}

func (r *stream) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: use RecordBatch.
func (r *stream) Record() arrow.RecordBatch { return r.cur }

// Err returns the error that ended the stream, once Next has returned false.
func (r *stream) Err() error {
	if !r.ended {
		return nil
	}
	return r.err
}
