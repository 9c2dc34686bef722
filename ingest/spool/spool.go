// Package spool reads a news spool: a folder of articles, one file each,
// named by article number inside a folder per group. Both layouts are
// read: INN's tradspool, where comp.lang.go's articles are in
// comp/lang/go/, and the flat one, comp.lang.go/.
package spool

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/message"
)

// Platform is the platform column of spool posts: the articles are news
// articles, as a news server would serve them.
const Platform = "nntp"

// Spool is a news spool folder.
type Spool struct {
	Dir string
}

// New returns the spool in dir.
func New(dir string) *Spool { return &Spool{Dir: dir} }

// Platform returns "nntp".
func (s *Spool) Platform() string { return Platform }

// Input returns the folder.
func (s *Spool) Input() string { return s.Dir }

// Read streams the spool's articles as posts, group by group in name
// order and by number within a group. Files whose name is not a number
// (INN's .overview, say) are not articles and are passed over. A
// crossposted article, filed in each of its groups, is stored once. An
// article's areas are its Newsgroups, else the group of the folder it was
// found in. An article without a readable Date is a bad record, reported
// as GROUP/NUMBER.
func (s *Spool) Read(ctx context.Context, opts ingest.Options) (array.RecordReader, error) {
	arts, total, err := list(s.Dir)
	if err != nil {
		return nil, err
	}
	if opts.Stats != nil {
		opts.Stats.Total.Store(total)
	}
	return ingest.Produce(ctx, func(ctx context.Context, emit func(arrow.RecordBatch) error) error {
		c := message.NewCollector(opts, Platform, "", emit)
		defer c.Release()
		br := bufio.NewReaderSize(nil, 64<<10)
		var header []byte
		for i, a := range arts {
			if i&255 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			c.SetList(a.group)
			var err error
			header, err = readHeader(filepath.Join(s.Dir, a.path), br, header[:0], opts.RecordLimit())
			if errors.Is(err, errTooLong) {
				if err := opts.Reject(&ingest.ParseError{File: a.name(), Err: ingest.TooLong(opts.RecordLimit())}); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			body := max(a.size-int64(len(header))-1, 0) // less the blank line
			if err := c.Add(a.name(), 0, header, body, time.Time{}); err != nil {
				return err
			}
			if opts.Stats != nil {
				opts.Stats.Bytes.Add(a.size)
			}
		}
		return c.Flush()
	}), nil
}

// spooled is one article file.
type spooled struct {
	path  string // relative to the spool, slash-separated
	group string
	num   int64
	size  int64
}

// name is how an article is named in errors: its group and number.
func (a spooled) name() string { return a.group + "/" + strconv.FormatInt(a.num, 10) }

// list finds the spool's articles, in order, and their total size.
func list(dir string) ([]spooled, int64, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, 0, err
	}
	if !st.IsDir() {
		return nil, 0, fmt.Errorf("%s: not a folder: a spool is a folder of groups", dir)
	}
	var arts []spooled
	var total int64
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		num, err := strconv.ParseInt(d.Name(), 10, 64)
		if err != nil || num <= 0 {
			return nil
		}
		rel, err := filepath.Rel(dir, filepath.Dir(path))
		if err != nil || rel == "." {
			return nil // an article must be in a group's folder
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		group := strings.ReplaceAll(filepath.ToSlash(rel), "/", ".")
		arts = append(arts, spooled{path: filepath.ToSlash(filepath.Join(rel, d.Name())), group: group, num: num, size: info.Size()})
		total += info.Size()
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if len(arts) == 0 {
		return nil, 0, fmt.Errorf("%s: no articles: a spool holds GROUP/NUMBER files", dir)
	}
	slices.SortFunc(arts, func(a, b spooled) int {
		if c := strings.Compare(a.group, b.group); c != 0 {
			return c
		}
		return cmp.Compare(a.num, b.num)
	})
	return arts, total, nil
}

// errTooLong is the error of a header longer than the read's limit.
var errTooLong = errors.New("header too long")

// readHeader appends the header of the article in path to buf: its lines
// up to the blank line, which is not included; one longer than max bytes
// is errTooLong.
func readHeader(path string, br *bufio.Reader, buf []byte, max int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return buf, err
	}
	defer f.Close()
	br.Reset(f)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 && (line[0] == '\n' || (line[0] == '\r' && len(line) > 1 && line[1] == '\n')) {
			return buf, nil
		}
		if len(buf)+len(line) > max {
			return buf, errTooLong
		}
		buf = append(buf, line...)
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return buf, fmt.Errorf("%s: %w", path, err)
		}
	}
}
