package export

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
)

// File is an export read through a mapping.
type File struct {
	Path    string
	Mapping *Mapping
}

// New returns the export in path, read as m says.
func New(path string, m *Mapping) *File { return &File{Path: path, Mapping: m} }

// Platform returns the export's format, "csv" or "jsonl".
func (f *File) Platform() string {
	format, _ := f.format()
	return format
}

// Input returns the file's path.
func (f *File) Input() string { return f.Path }

// format is the mapping's format, else the one the file's extension says.
func (f *File) format() (string, error) {
	if f.Mapping.Format != "" {
		return f.Mapping.Format, nil
	}
	switch strings.ToLower(filepath.Ext(f.Path)) {
	case ".csv", ".tsv", ".txt":
		return "csv", nil
	case ".jsonl", ".ndjson", ".json":
		return "jsonl", nil
	}
	return "", fmt.Errorf("%s: set format (csv or jsonl) in the mapping: the file's name does not say", f.Path)
}

// Read streams the export's rows as posts. A row that cannot be read (a
// time, a number) is a bad record, reported with its line. A row whose
// post id was met before is dropped and counted in opts.Stats.Duplicates.
func (f *File) Read(ctx context.Context, opts ingest.Options) (array.RecordReader, error) {
	format, err := f.format()
	if err != nil {
		return nil, err
	}
	in, err := os.Open(f.Path)
	if err != nil {
		return nil, err
	}
	if st, err := in.Stat(); err == nil && opts.Stats != nil {
		opts.Stats.Total.Store(st.Size())
	}
	counted := ingest.NewCountingReader(in, opts.Stats)
	var rows rowReader
	if format == "csv" {
		rows, err = newCSVRows(counted, f.Mapping, filepath.Base(f.Path), opts.RecordLimit())
	} else {
		j := newJSONRows(counted, f.Mapping, opts.RecordLimit())
		j.done = ctx.Err
		rows = j
	}
	if err != nil {
		in.Close()
		return nil, err
	}
	return ingest.Produce(ctx, func(ctx context.Context, emit func(arrow.RecordBatch) error) error {
		defer in.Close()
		c := &converter{m: f.Mapping, opts: opts, dates: opts.Dates(), name: filepath.Base(f.Path), seen: ingest.NewSeen(), threads: map[string]string{},
			b: ingest.NewBuilder(opts, format)}
		for i, name := range fieldNames {
			c.consts[i] = f.Mapping.Values[name]
		}
		defer c.b.Release()
		for n := 0; ; n++ {
			if n&4095 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			ok, err := rows.next()
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if !ok {
				break
			}
			if err := c.add(rows); err != nil {
				return err
			}
			if c.b.Full() {
				if err := emit(c.b.NewBatch()); err != nil {
					return err
				}
			}
		}
		counted.Flush()
		if c.b.Len() > 0 {
			return emit(c.b.NewBatch())
		}
		return nil
	}), nil
}

// field is a field of the canonical post, its index in fieldNames.
type field int

const (
	fPostID field = iota
	fThreadID
	fParentID
	fKind
	fTitle
	fAuthor
	fAuthorName
	fCreatedAt
	fAreas
	fScore
	fViews
	fAcceptedAt
	fBody
	fBodyBytes
	numFields
)

// rowReader gives an export's rows one at a time.
type rowReader interface {
	next() (bool, error)
	line() int64             // the row's first line
	values(f field) []string // the row's values for a field; nil when it has none
	raw() []byte             // the row as written, for a derived id
	bad() error              // why the row cannot be read at all, if it cannot
}

// converter turns rows into posts.
type converter struct {
	m       *Mapping
	opts    ingest.Options
	dates   ingest.Dates // the dates a post may have
	name    string
	b       *ingest.Builder
	seen    *ingest.Seen
	threads map[string]string // title -> its thread's first post, for missing.thread: title
	consts  [numFields][]string
	post    ingest.Post
	areas   [][]byte
}

// get returns a field's first value, or its constant; "" when there is
// neither.
func (c *converter) get(rows rowReader, f field) string {
	if v := rows.values(f); len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	if v := c.consts[f]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c *converter) reject(rows rowReader, format string, args ...any) error {
	return c.opts.Reject(&ingest.ParseError{File: c.name, Line: rows.line(), Err: fmt.Errorf(format, args...)})
}

// add turns the current row into a post.
func (c *converter) add(rows rowReader) error {
	m := c.m
	if err := rows.bad(); err != nil {
		return c.reject(rows, "%v", err)
	}
	created := c.get(rows, fCreatedAt)
	if created == "" {
		return c.reject(rows, "no created_at")
	}
	at, err := m.parseTime(created)
	if err != nil {
		return c.reject(rows, "bad created_at %q: %v", created, err)
	}
	if err := c.dates.Check(at); err != nil {
		return c.reject(rows, "created_at %q: %v", created, err)
	}
	id := c.get(rows, fPostID)
	if id == "" {
		if m.MissingPostID != "derive" {
			return c.reject(rows, "no post_id")
		}
		sum := sha256.Sum256(rows.raw())
		id = "calvin-" + hex.EncodeToString(sum[:12])
	}
	if !c.seen.Add(id) {
		c.opts.Duplicate()
		return nil
	}
	p := &c.post
	*p = ingest.Post{PostID: []byte(id), CreatedAt: at.UnixMicro(), Areas: c.areas[:0]}

	title := c.get(rows, fTitle)
	thread := c.get(rows, fThreadID)
	if thread == "" && m.MissingThread == "title" && title != "" {
		first, ok := c.threads[title]
		if !ok {
			first = id
			c.threads[title] = id
		}
		thread = first
	}
	parent := c.get(rows, fParentID)
	if parent == "" && m.MissingParent == "first" && thread != "" && thread != id {
		parent = thread
	}
	if thread != "" {
		p.ThreadID = []byte(thread)
	}
	kind := c.get(rows, fKind)
	switch {
	case kind == "" && parent == "":
		kind = ingest.KindTopic
	case kind == "":
		kind = ingest.KindReply
	case !validKind(kind):
		return c.reject(rows, "unknown kind %q", kind)
	}
	p.Kind = kind
	if parent != "" && parent != id {
		p.ParentID = []byte(parent)
	}
	if p.ParentID == nil && title != "" {
		p.Title = []byte(title)
	}
	if a := c.get(rows, fAuthor); a != "" {
		p.Author = []byte(a)
		p.AuthorName = p.Author
		if n := c.get(rows, fAuthorName); n != "" {
			p.AuthorName = []byte(n)
		}
	}
	for _, v := range append(rows.values(fAreas), c.consts[fAreas]...) {
		for _, a := range split(v, m.AreasSplit) {
			if a = strings.TrimSpace(a); a != "" {
				p.Areas = append(p.Areas, []byte(a))
			}
		}
	}
	c.areas = p.Areas
	for _, n := range []struct {
		field field
		into  *int64
		set   *bool
	}{{fScore, &p.Score, nil}, {fViews, &p.Views, &p.HasViews}, {fBodyBytes, &p.BodyBytes, nil}} {
		v := c.get(rows, n.field)
		if v == "" {
			continue
		}
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return c.reject(rows, "bad %s %q: not a whole number", fieldNames[n.field], v)
		}
		*n.into = x
		if n.set != nil {
			*n.set = true
		}
	}
	if p.ParentID != nil {
		p.HasViews, p.Views = false, 0 // views belong to a thread's first post
	}
	if body := rows.values(fBody); len(body) > 0 {
		p.BodyBytes = int64(len(body[0]))
	}
	if v := c.get(rows, fAcceptedAt); v != "" {
		t, err := m.parseTime(v)
		if err != nil {
			return c.reject(rows, "bad accepted_at %q: %v", v, err)
		}
		p.AcceptedAt, p.Accepted = t.UnixMicro(), true
	}
	c.b.Append(p)
	if c.opts.Stats != nil {
		c.opts.Stats.Read.Add(1)
	}
	return nil
}

func split(v, sep string) []string {
	if sep == "" {
		return []string{v}
	}
	return strings.Split(v, sep)
}

// csvRows reads CSV rows.
type csvRows struct {
	r      *csv.Reader
	bound  *bounded // the input, failing once a record runs past the limit
	limit  int      // the longest row
	last   int      // the line of the last record read (its last field's)
	rec    []string
	cols   [numFields][]int // each field's column indexes
	vals   []string
	rawBuf []byte
}

func newCSVRows(in io.Reader, m *Mapping, name string, limit int) (*csvRows, error) {
	// encoding/csv keeps a record whole, however long: the input is
	// bounded instead, by the bytes read past the record's start (plus
	// what the buffers read ahead).
	bound := &bounded{r: in, max: int64(limit) + 2<<20}
	br := bufio.NewReaderSize(bound, 1<<20)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		br.Discard(3) // a byte-order mark, as spreadsheet programs write
	}
	r := csv.NewReader(br)
	r.Comma = m.Delimiter
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	names := m.Columns
	if m.Header {
		header, err := r.Read()
		if err != nil {
			return nil, fmt.Errorf("%s: no header row: %w", name, err)
		}
		names = append([]string(nil), header...)
	}
	rows := &csvRows{r: r, bound: bound, limit: limit}
	if m.Header {
		rows.last = 1
	}
	for f, field := range fieldNames {
		for _, col := range m.Fields[field] {
			i := indexOf(names, col)
			if i < 0 && len(names) == 0 {
				if n, err := strconv.Atoi(col); err == nil && n >= 1 {
					i = n - 1
				}
			}
			if i < 0 {
				return nil, fmt.Errorf("%s: fields.%s: no column %q in %s (its columns: %s)", m.File, field, col, name, strings.Join(names, ", "))
			}
			rows.cols[f] = append(rows.cols[f], i)
		}
	}
	return rows, nil
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if strings.TrimSpace(n) == name {
			return i
		}
	}
	return -1
}

func (c *csvRows) next() (bool, error) {
	c.bound.mark = c.r.InputOffset()
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if errors.Is(err, errTooLong) {
		return false, fmt.Errorf("the row after line %d: %w", c.last, ingest.TooLong(c.limit))
	}
	if err != nil {
		return false, err
	}
	c.rec = rec
	c.last, _ = c.r.FieldPos(len(rec) - 1)
	return true, nil
}

// errTooLong is bounded's error.
var errTooLong = errors.New("record too long")

// bounded passes reads on until more than max bytes have been read past
// mark (the offset where the record being read began), then fails.
type bounded struct {
	r         io.Reader
	max       int64
	pos, mark int64
}

func (b *bounded) Read(p []byte) (int, error) {
	if b.pos-b.mark > b.max {
		return 0, errTooLong
	}
	n, err := b.r.Read(p)
	b.pos += int64(n)
	return n, err
}

func (c *csvRows) line() int64 {
	line, _ := c.r.FieldPos(0)
	return int64(line)
}

func (c *csvRows) values(f field) []string {
	idx := c.cols[f]
	if len(idx) == 0 {
		return nil
	}
	c.vals = c.vals[:0]
	for _, i := range idx {
		if i < len(c.rec) && c.rec[i] != "" {
			c.vals = append(c.vals, c.rec[i])
		}
	}
	return c.vals
}

func (c *csvRows) bad() error { return nil }

func (c *csvRows) raw() []byte {
	c.rawBuf = c.rawBuf[:0]
	for _, v := range c.rec {
		c.rawBuf = append(append(c.rawBuf, v...), 0x1f)
	}
	return c.rawBuf
}

// jsonRows reads JSON Lines: one object a line; blank lines are passed
// over. See jsonscan.go for how a line is read.
type jsonRows struct {
	keys    [numFields][][]byte // each field's keys, split at the dots
	br      *bufio.Reader
	lineNo  int64
	start   int64
	text    []byte
	members []member
	nested  []member
	vals    []string
	err     error        // why the current line is not a JSON object, or too long
	max     int          // the longest line read
	done    func() error // an interrupt, checked while a long line is read
}

func newJSONRows(in io.Reader, m *Mapping, limit int) *jsonRows {
	j := &jsonRows{br: bufio.NewReaderSize(in, 1<<20), max: limit}
	for f, name := range fieldNames {
		for _, key := range m.Fields[name] {
			j.keys[f] = append(j.keys[f], []byte(key))
		}
	}
	return j
}

func (j *jsonRows) next() (bool, error) {
	for {
		line, err := j.br.ReadSlice('\n')
		tooLong := false
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: pieced together, up to the
			// limit; past it, passed over and reported.
			long := append([]byte(nil), line...)
			for pieces := 1; errors.Is(err, bufio.ErrBufferFull); pieces++ {
				if pieces&63 == 0 && j.done != nil {
					if err := j.done(); err != nil {
						return false, err // a line that never ends is left when interrupted
					}
				}
				line, err = j.br.ReadSlice('\n')
				if len(long)+len(line) > j.max {
					tooLong, long = true, long[:0]
				}
				if !tooLong {
					long = append(long, line...)
				}
			}
			line = long
		}
		if len(line) > j.max {
			tooLong = true
		}
		if len(line) == 0 && !tooLong && errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return false, err
		}
		j.lineNo++
		if tooLong {
			j.start, j.text, j.members = j.lineNo, nil, j.members[:0]
			j.err = ingest.TooLong(j.max)
			return true, nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		j.start, j.text = j.lineNo, line
		j.members, j.err = scanObject(line, j.members[:0])
		if j.err != nil {
			j.err = fmt.Errorf("bad JSON: %v", j.err)
		}
		return true, nil
	}
}

func (j *jsonRows) line() int64 { return j.start }

func (j *jsonRows) raw() []byte { return j.text }

func (j *jsonRows) bad() error { return j.err }

// values finds a field's keys in the object, a dotted key in nested
// objects; a list gives each of its items.
func (j *jsonRows) values(f field) []string {
	j.vals = j.vals[:0]
	for _, key := range j.keys[f] {
		v := lookup(j.members, key) // a key with a dot in its own name first
		if v == nil && bytes.IndexByte(key, '.') >= 0 {
			v = j.nestedValue(key)
		}
		j.vals, _ = appendValue(j.vals, v)
	}
	return j.vals
}

// nestedValue finds a dotted key, user.name, in nested objects.
func (j *jsonRows) nestedValue(key []byte) []byte {
	ms := j.members
	for {
		dot := bytes.IndexByte(key, '.')
		if dot < 0 {
			return lookup(ms, key)
		}
		obj := lookup(ms, key[:dot])
		if obj == nil || obj[0] != '{' {
			return nil
		}
		var err error
		if j.nested, err = scanObject(obj, j.nested[:0]); err != nil {
			return nil
		}
		ms = append([]member(nil), j.nested...)
		key = key[dot+1:]
	}
}

// lookup returns the value of key among ms, nil when it is not there.
func lookup(ms []member, key []byte) []byte {
	for _, m := range ms {
		if bytes.Equal(m.key, key) {
			return m.val
		}
	}
	return nil
}
