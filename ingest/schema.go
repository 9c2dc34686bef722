// Package ingest defines what every ingestor produces: the canonical post
// schema as an Arrow schema, the Source contract (a stream of record batches
// of that schema), and the ParseError that reports a bad record with its
// file and line.
//
// One folder below this one per platform (stackexchange, ...) holds the
// ingestor itself.
package ingest

import (
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The kinds of post, the values of the kind column.
const (
	KindQuestion = "question"
	KindAnswer   = "answer"
	KindComment  = "comment"
	KindTopic    = "topic"
	KindReply    = "reply"
)

// Column positions in Schema, in order.
const (
	ColSource = iota
	ColPlatform
	ColPostID
	ColThreadID
	ColParentID
	ColKind
	ColTitle
	ColAuthor
	ColAuthorName
	ColCreatedAt
	ColAreas
	ColScore
	ColViews
	ColAcceptedAt
	ColBodyBytes
	numCols
)

// BatchRows is the number of rows an ingestor puts in a full batch: one
// DuckDB row group, which loads fastest.
const BatchRows = 122880

// Schema returns the canonical post schema of DESIGN.md, one row per
// message. Timestamps are microseconds in UTC, without a zone attached, so
// that they arrive in DuckDB as TIMESTAMP. thread_id may be null: the engine
// resolves it from the parent when an ingestor cannot know it.
func Schema() *arrow.Schema {
	ts := &arrow.TimestampType{Unit: arrow.Microsecond}
	return arrow.NewSchema([]arrow.Field{
		{Name: "source", Type: arrow.BinaryTypes.String},
		{Name: "platform", Type: arrow.BinaryTypes.String},
		{Name: "post_id", Type: arrow.BinaryTypes.String},
		{Name: "thread_id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "parent_id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "kind", Type: arrow.BinaryTypes.String},
		{Name: "title", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "author", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "author_name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "created_at", Type: ts},
		{Name: "areas", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "score", Type: arrow.PrimitiveTypes.Int64},
		{Name: "views", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "accepted_at", Type: ts, Nullable: true},
		{Name: "body_bytes", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
}

// Post is one row of the canonical schema as an ingestor fills it. Text
// fields are byte slices so that a parser can point into its read buffer:
// Builder.Append copies them. A nil slice is a null where the column allows
// one.
type Post struct {
	PostID     []byte
	ThreadID   []byte // nil: resolved by the engine from the parent
	ParentID   []byte
	Kind       string
	Title      []byte
	Author     []byte // nil: no account (a deleted user); never ranked
	AuthorName []byte
	CreatedAt  int64 // microseconds since 1970-01-01 UTC
	Areas      [][]byte
	Score      int64
	Views      int64
	HasViews   bool
	AcceptedAt int64 // microseconds since 1970-01-01 UTC, when Accepted
	Accepted   bool
	BodyBytes  int64
}

// Builder accumulates posts of one source into record batches of Schema.
type Builder struct {
	source, platform string
	stats            *Stats
	fix              []byte // the repaired text of the field being appended

	rb         *array.RecordBuilder
	sourceB    *array.StringBuilder
	platformB  *array.StringBuilder
	postID     *array.StringBuilder
	threadID   *array.StringBuilder
	parentID   *array.StringBuilder
	kind       *array.StringBuilder
	title      *array.StringBuilder
	author     *array.StringBuilder
	authorName *array.StringBuilder
	createdAt  *array.TimestampBuilder
	areas      *array.ListBuilder
	area       *array.StringBuilder
	score      *array.Int64Builder
	views      *array.Int64Builder
	acceptedAt *array.TimestampBuilder
	bodyBytes  *array.Int64Builder
	rows       int
}

// NewBuilder returns a Builder for a read with opts: its rows carry
// opts.Source and the platform's name, in batches from opts' allocator,
// and the posts it repairs are counted in opts.Stats. The caller releases
// it.
func NewBuilder(opts Options, platform string) *Builder {
	rb := array.NewRecordBuilder(opts.Allocator(), Schema())
	areas := rb.Field(ColAreas).(*array.ListBuilder)
	b := &Builder{
		source:     opts.Source,
		platform:   platform,
		stats:      opts.Stats,
		rb:         rb,
		sourceB:    rb.Field(ColSource).(*array.StringBuilder),
		platformB:  rb.Field(ColPlatform).(*array.StringBuilder),
		postID:     rb.Field(ColPostID).(*array.StringBuilder),
		threadID:   rb.Field(ColThreadID).(*array.StringBuilder),
		parentID:   rb.Field(ColParentID).(*array.StringBuilder),
		kind:       rb.Field(ColKind).(*array.StringBuilder),
		title:      rb.Field(ColTitle).(*array.StringBuilder),
		author:     rb.Field(ColAuthor).(*array.StringBuilder),
		authorName: rb.Field(ColAuthorName).(*array.StringBuilder),
		createdAt:  rb.Field(ColCreatedAt).(*array.TimestampBuilder),
		areas:      areas,
		area:       areas.ValueBuilder().(*array.StringBuilder),
		score:      rb.Field(ColScore).(*array.Int64Builder),
		views:      rb.Field(ColViews).(*array.Int64Builder),
		acceptedAt: rb.Field(ColAcceptedAt).(*array.TimestampBuilder),
		bodyBytes:  rb.Field(ColBodyBytes).(*array.Int64Builder),
	}
	rb.Reserve(BatchRows)
	return b
}

// Append adds one post. It copies every byte slice of p. Text that is not
// valid UTF-8 is repaired on the way (see AppendKey and AppendText): the
// ids, the author and the areas as keys, the title and the author's name
// as text. A post so repaired is counted in Stats.Repaired.
func (b *Builder) Append(p *Post) {
	repaired := false
	key := func(v []byte) []byte {
		if v == nil || utf8.Valid(v) {
			return v
		}
		repaired = true
		b.fix = AppendKey(b.fix[:0], v)
		return b.fix
	}
	text := func(v []byte) []byte {
		if v == nil || utf8.Valid(v) {
			return v
		}
		repaired = true
		b.fix = AppendText(b.fix[:0], v)
		return b.fix
	}
	b.sourceB.AppendString(b.source)
	b.platformB.AppendString(b.platform)
	b.postID.BinaryBuilder.Append(key(p.PostID))
	appendNullable(b.threadID, key(p.ThreadID))
	appendNullable(b.parentID, key(p.ParentID))
	b.kind.AppendString(p.Kind)
	appendNullable(b.title, text(p.Title))
	appendNullable(b.author, key(p.Author))
	appendNullable(b.authorName, text(p.AuthorName))
	b.createdAt.Append(arrow.Timestamp(p.CreatedAt))
	b.areas.Append(true)
	for _, a := range p.Areas {
		b.area.BinaryBuilder.Append(key(a))
	}
	if repaired && b.stats != nil {
		b.stats.Repaired.Add(1)
	}
	b.score.Append(p.Score)
	if p.HasViews {
		b.views.Append(p.Views)
	} else {
		b.views.AppendNull()
	}
	if p.Accepted {
		b.acceptedAt.Append(arrow.Timestamp(p.AcceptedAt))
	} else {
		b.acceptedAt.AppendNull()
	}
	b.bodyBytes.Append(p.BodyBytes)
	b.rows++
}

func appendNullable(sb *array.StringBuilder, v []byte) {
	if v == nil {
		sb.AppendNull()
		return
	}
	sb.BinaryBuilder.Append(v)
}

// Len returns the number of posts appended since the last batch.
func (b *Builder) Len() int { return b.rows }

// Full reports whether the pending rows make a full batch.
func (b *Builder) Full() bool { return b.rows >= BatchRows }

// NewBatch returns the pending rows as a record batch, owned by the caller,
// and starts a new one.
func (b *Builder) NewBatch() arrow.RecordBatch {
	rec := b.rb.NewRecordBatch()
	b.rows = 0
	b.rb.Reserve(BatchRows)
	return rec
}

// Release releases the builder's memory.
func (b *Builder) Release() { b.rb.Release() }

// Posts reads a batch of Schema back into posts, the inverse of Append
// (its source and platform columns aside): null strings become nil
// slices, and every slice is a copy. For tests and tools that look at
// what an ingestor produced.
func Posts(rec arrow.RecordBatch) []Post {
	str := func(col, i int) []byte {
		c := rec.Column(col).(*array.String)
		if c.IsNull(i) {
			return nil
		}
		return []byte(c.Value(i))
	}
	areas := rec.Column(ColAreas).(*array.List)
	values := areas.ListValues().(*array.String)
	views := rec.Column(ColViews).(*array.Int64)
	accepted := rec.Column(ColAcceptedAt).(*array.Timestamp)
	posts := make([]Post, rec.NumRows())
	for i := range posts {
		p := &posts[i]
		p.PostID = str(ColPostID, i)
		p.ThreadID = str(ColThreadID, i)
		p.ParentID = str(ColParentID, i)
		p.Kind = rec.Column(ColKind).(*array.String).Value(i)
		p.Title = str(ColTitle, i)
		p.Author = str(ColAuthor, i)
		p.AuthorName = str(ColAuthorName, i)
		p.CreatedAt = int64(rec.Column(ColCreatedAt).(*array.Timestamp).Value(i))
		start, end := areas.ValueOffsets(i)
		for j := start; j < end; j++ {
			p.Areas = append(p.Areas, []byte(values.Value(int(j))))
		}
		p.Score = rec.Column(ColScore).(*array.Int64).Value(i)
		if p.HasViews = views.IsValid(i); p.HasViews {
			p.Views = views.Value(i)
		}
		if p.Accepted = accepted.IsValid(i); p.Accepted {
			p.AcceptedAt = int64(accepted.Value(i))
		}
		p.BodyBytes = rec.Column(ColBodyBytes).(*array.Int64).Value(i)
	}
	return posts
}
