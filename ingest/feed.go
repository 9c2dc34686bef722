package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// A Feed is a live source read in steps, such as a news server: each
// step's posts are stored together with the marks the step reached, in one
// transaction, so that a pull that is cut off resumes after the last step
// stored and never reads an article twice.
type Feed interface {
	// Platform and Input are as for a Source.
	Platform() string
	Input() string

	// Pull reads the posts after marks (those of earlier pulls; the feed
	// ignores marks of other servers) and calls store with each step's
	// posts, as a stream of record batches of Schema, and the marks the
	// step reached. store's error ends the pull. Bad records are handled
	// as Source.Read handles them.
	Pull(ctx context.Context, opts Options, marks []Mark, store func(posts array.RecordReader, reached []Mark) error) error
}

// A Mark is how far a feed has been read: the last article stored of one
// group of one server.
type Mark struct {
	Server string // the server's address, as news://host:port
	Group  string
	Last   int64
}

// RetryLater is the error of a pull that the source asked to come back to
// later (a forum's 429 with a Retry-After longer than a pull waits in
// place): the steps done are stored, and the next pull should not begin
// before After has passed.
type RetryLater struct {
	After time.Duration
	Err   error
}

func (e *RetryLater) Error() string {
	return fmt.Sprintf("%v; asked to come back in %s", e.Err, e.After.Round(time.Second))
}

func (e *RetryLater) Unwrap() error { return e.Err }
