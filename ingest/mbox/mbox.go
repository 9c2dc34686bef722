// Package mbox reads mail archives in the mbox formats (mboxo, mboxrd) and
// Mailman's pipermail monthly archives (YYYY-Month.txt, .txt.gz), plain or
// gzip-compressed, into posts.
//
// A line starting "From " begins a new message only when it really is a
// separator: it follows a blank line (or opens the file), the rest of it
// is a sender and a date, and the line after it is a header field. A
// body line such as "From the manual:" therefore stays in its message,
// whether or not the archive escaped it as ">From ".
package mbox

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/message"
)

// Platform is the platform column of mbox posts.
const Platform = "mbox"

// Archive is one or more mbox files, or folders holding them.
type Archive struct {
	Paths []string
}

// New returns the archive made of paths: files (read whatever their name)
// and folders (read for their .mbox, .mbx and .txt files, gzipped or not,
// in name order, subfolders included).
func New(paths ...string) *Archive { return &Archive{Paths: paths} }

// Platform returns "mbox".
func (a *Archive) Platform() string { return Platform }

// Input returns the paths, separated by spaces.
func (a *Archive) Input() string { return strings.Join(a.Paths, " ") }

// Read streams the archive's messages as posts. A message's date is its
// Date header, else its separator's (a line is a separator only with a
// readable date, so every message has one); a file that does not begin
// with a separator is a bad record. A message whose Message-ID was met
// before is dropped and counted in opts.Stats.Duplicates. A message without a Message-ID gets one
// derived from its header and size (message.DerivedID). The list's name,
// the posts' area when a message names no list (List-Id, X-List) and no
// newsgroups, is the source's name.
func (a *Archive) Read(ctx context.Context, opts ingest.Options) (array.RecordReader, error) {
	files, total, err := expand(a.Paths)
	if err != nil {
		return nil, err
	}
	if opts.Stats != nil {
		opts.Stats.Total.Store(total)
	}
	return ingest.Produce(ctx, func(ctx context.Context, emit func(arrow.RecordBatch) error) error {
		r := &reader{opts: opts, c: message.NewCollector(opts, Platform, opts.Source, emit)}
		defer r.c.Release()
		for _, f := range files {
			if err := r.readFile(ctx, f); err != nil {
				return err
			}
		}
		return r.c.Flush()
	}), nil
}

// expand lists the files of paths and their total size.
func expand(paths []string) ([]string, int64, error) {
	if len(paths) == 0 {
		return nil, 0, errors.New("mbox: no file or folder given")
	}
	var files []string
	var total int64
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, 0, err
		}
		if !st.IsDir() {
			files = append(files, p)
			total += st.Size()
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") || !isArchiveName(d.Name()) {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			found = append(found, path)
			total += info.Size()
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
		if len(found) == 0 {
			return nil, 0, fmt.Errorf("%s: no .mbox, .mbx or .txt files (gzipped or not) in it", p)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, total, nil
}

func isArchiveName(name string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".gz")
	for _, ext := range []string{".mbox", ".mbx", ".txt"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// reader holds the state of one Read.
type reader struct {
	opts ingest.Options
	c    *message.Collector
}

// msg is the message being read: where it began, its envelope date, its
// header block and the size of its body so far.
type msg struct {
	line     int64
	envelope time.Time
	header   []byte
	inHeader bool
	tooLong  bool // the header passed the read's limit: the message is a bad record
	body     int64
	scratch  []byte // a copy of a line that looked like a separator
}

// readFile reads one mbox file, gzipped or not.
func (r *reader) readFile(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	counted := ingest.NewCountingReader(f, r.opts.Stats)
	defer counted.Flush()
	br := bufio.NewReaderSize(counted, 1<<20)
	var in io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		in = zr
	}
	return r.scan(ctx, filepath.Base(path), bufio.NewReaderSize(in, 1<<20))
}

// scan splits one file's text into messages.
func (r *reader) scan(ctx context.Context, name string, br *bufio.Reader) error {
	var (
		m         msg
		started   bool
		lineNo    int64
		prevBlank = true
		blankLen  int64
		midLine   bool // the last slice read ended without a newline
		chunks    int64
	)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		startOfLine := !midLine
		midLine = errors.Is(err, bufio.ErrBufferFull)
		if startOfLine {
			lineNo++
		}
		if chunks++; chunks&4095 == 0 { // by pieces read, not lines: a line may never end
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if startOfLine && prevBlank && bytes.HasPrefix(line, []byte("From ")) {
			env, ok := envelopeDate(line)
			if ok {
				// Peeking at the next line moves the buffer line points into.
				line = append(m.scratch[:0], line...)
				m.scratch = line
			}
			if ok && nextIsHeader(br) {
				if started {
					m.body -= blankLen // the blank line before a separator is the format's
					if err := r.finish(name, &m); err != nil {
						return err
					}
				}
				started = true
				m = msg{line: lineNo, envelope: env, header: m.header[:0], scratch: m.scratch, inHeader: true}
				prevBlank = false
				continue
			}
		}
		if !started {
			err := fmt.Errorf("not an mbox file: it does not begin with a \"From \" line")
			return r.opts.Reject(&ingest.ParseError{File: name, Line: lineNo, Err: err})
		}
		blank := startOfLine && !midLine && isBlank(line)
		switch {
		case m.inHeader && blank:
			m.inHeader = false
		case m.inHeader && len(m.header)+len(line) > r.opts.RecordLimit():
			m.tooLong = true
		case m.inHeader:
			m.header = append(m.header, line...)
		default:
			m.body += int64(len(line))
		}
		if !midLine {
			prevBlank = blank
			blankLen = int64(len(line))
		}
	}
	if started {
		return r.finish(name, &m)
	}
	return nil
}

// finish turns a message read into a post.
func (r *reader) finish(name string, m *msg) error {
	if m.tooLong {
		return r.opts.Reject(&ingest.ParseError{File: name, Line: m.line, Err: ingest.TooLong(r.opts.RecordLimit())})
	}
	return r.c.Add(name, m.line, m.header, m.body, m.envelope)
}

// envelopeDate reads the date of a separator line, "From SENDER DATE",
// where SENDER may be munged with spaces ("user at example.org") and DATE
// begins with a weekday (asctime: "Sat Mar  5 19:29:27 2005").
func envelopeDate(line []byte) (time.Time, bool) {
	fields := strings.Fields(string(line[len("From "):]))
	for i := 1; i < len(fields); i++ {
		if !message.IsWeekday(fields[i]) {
			continue
		}
		t, err := message.ParseDate(strings.Join(fields[i:], " "))
		return t, err == nil
	}
	return time.Time{}, false
}

// nextIsHeader reports whether the next line is a header field ("Name:"),
// or the input ends.
func nextIsHeader(br *bufio.Reader) bool {
	next, _ := br.Peek(80)
	if len(next) == 0 {
		return true
	}
	for i, c := range next {
		switch {
		case c == ':':
			return i > 0
		case c <= ' ' || c > '~':
			return false
		}
	}
	return false
}

func isBlank(line []byte) bool {
	return len(line) == 1 && line[0] == '\n' || len(line) == 2 && line[0] == '\r' && line[1] == '\n'
}
