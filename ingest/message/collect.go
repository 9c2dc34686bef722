package message

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/calvinslist/calvin/ingest"
)

// A Collector turns the messages of one read into batches of posts: the
// part the mbox, spool and NNTP readers share once each has found where a
// message is. It drops a message whose id it has met before, counting it
// in the read's Stats.Duplicates, and rejects one without a date.
type Collector struct {
	opts  ingest.Options
	dates ingest.Dates // the dates a post may have
	list  string
	b     *ingest.Builder
	emit  func(arrow.RecordBatch) error
	seen  *ingest.Seen
	post  ingest.Post
}

// NewCollector returns a Collector for a read with opts of a platform's
// messages, sending each full batch to emit. list is the posts' area when
// a message names no newsgroups and no list (see Post). Release it when
// the read ends.
func NewCollector(opts ingest.Options, platform, list string, emit func(arrow.RecordBatch) error) *Collector {
	return &Collector{
		opts:  opts,
		dates: opts.Dates(),
		list:  list,
		b:     ingest.NewBuilder(opts, platform),
		emit:  emit,
		seen:  ingest.NewSeen(),
	}
}

// SetList changes the area given to messages that name none, for the
// messages added from now on (a spool's group, say).
func (c *Collector) SetList(list string) { c.list = list }

// Add reads a message's header block and adds it as a post, its body being
// bodyBytes long. fallback is the date used when the header has none or an
// unreadable one (an mbox separator's; zero when there is none). file and
// line say where the message is, for the error when it is rejected.
func (c *Collector) Add(file string, line int64, header []byte, bodyBytes int64, fallback time.Time) error {
	h := ParseHeader(header)
	return c.AddHeader(file, line, &h, bodyBytes, fallback, header)
}

// AddHeader is Add for a header read already; raw is what a Message-ID is
// derived from when h has none (the header as it came).
func (c *Collector) AddHeader(file string, line int64, h *Header, bodyBytes int64, fallback time.Time, raw []byte) error {
	created, err := h.Time(fallback, c.dates.Check)
	if err != nil {
		return c.opts.Reject(&ingest.ParseError{File: file, Line: line, Err: err})
	}
	id := h.MessageID
	if id == "" {
		id = DerivedID(raw, []byte(strconv.FormatInt(bodyBytes, 10)))
	}
	if !c.seen.Add(id) {
		c.opts.Duplicate()
		return nil
	}
	if h.From == "" {
		why := "no From: kept without an author"
		if h.HasFrom {
			why = fmt.Sprintf("From %q holds no address: kept without an author", h.FromText)
		}
		c.opts.KeptWithoutAuthor(&ingest.ParseError{File: file, Line: line, Err: errors.New(why)})
	}
	Post(&c.post, h, id, created, bodyBytes, c.list)
	c.b.Append(&c.post)
	if c.opts.Stats != nil {
		c.opts.Stats.Read.Add(1)
	}
	if c.b.Full() {
		return c.emit(c.b.NewBatch())
	}
	return nil
}

// Flush sends the pending posts as a last, short batch, if there are any.
func (c *Collector) Flush() error {
	if c.b.Len() == 0 {
		return nil
	}
	return c.emit(c.b.NewBatch())
}

// Release frees the batch being built.
func (c *Collector) Release() { c.b.Release() }
