package discourse

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
)

// Dir is a folder of saved topics: one /t/{id}.json response a file, named
// ID.json, in the folder or its topics/ subfolder.
type Dir struct {
	Path string
	// Categories names the topics' categories; saved topics carry only
	// their ids. Read from a categories.json in the folder (the
	// /categories.json response) when there is one.
	Categories Categories
}

// NewDir returns the saved topics in path.
func NewDir(path string) *Dir { return &Dir{Path: path} }

// Platform returns "discourse".
func (d *Dir) Platform() string { return Platform }

// Input returns the folder.
func (d *Dir) Input() string { return d.Path }

// Read streams the topics' posts, topic by topic in id order. A file that
// is not a topic's JSON is a bad record, reported with its name. The posts
// of a long topic beyond those its file holds (the first chunk, 20) are
// not there to read.
func (d *Dir) Read(ctx context.Context, opts ingest.Options) (array.RecordReader, error) {
	files, total, err := topicFiles(d.Path)
	if err != nil {
		return nil, err
	}
	cats := d.Categories
	if cats == nil {
		if cats, err = readCategories(filepath.Join(d.Path, "categories.json")); err != nil {
			return nil, err
		}
	}
	if opts.Stats != nil {
		opts.Stats.Total.Store(total)
	}
	return ingest.Produce(ctx, func(ctx context.Context, emit func(arrow.RecordBatch) error) error {
		b := ingest.NewBuilder(opts, Platform)
		defer b.Release()
		var p ingest.Post
		keep := newFilter(opts)
		var file string // the topic's file, for a bad post's report
		add := func(p *ingest.Post) error {
			if ok, err := keep.keep(p, file); !ok {
				return err
			}
			b.Append(p)
			if opts.Stats != nil {
				opts.Stats.Read.Add(1)
			}
			if b.Full() {
				return emit(b.NewBatch())
			}
			return nil
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			if f.size > int64(opts.RecordLimit()) {
				if err := opts.Reject(&ingest.ParseError{File: f.name, Err: ingest.TooLong(opts.RecordLimit())}); err != nil {
					return err
				}
				continue
			}
			data, err := os.ReadFile(f.path)
			if err != nil {
				return err
			}
			if opts.Stats != nil {
				opts.Stats.Bytes.Add(int64(len(data)))
			}
			var t Topic
			if err := json.Unmarshal(data, &t); err != nil || t.ID == 0 {
				if err == nil {
					err = fmt.Errorf("not a topic: no id")
				}
				if err := opts.Reject(&ingest.ParseError{File: f.name, Err: err}); err != nil {
					return err
				}
				continue
			}
			if !utf8.Valid(data) && opts.Note != nil {
				// encoding/json reads each bad byte as U+FFFD: names and
				// titles keep their meaning, but two usernames that differ
				// only there would be one account.
				opts.Note(&ingest.ParseError{File: f.name, Err: errors.New("not valid UTF-8: its bad bytes are read as U+FFFD")})
			}
			file = f.name
			if err := t.posts(cats, opts.Facts, &p, add); err != nil {
				return err
			}
		}
		if b.Len() > 0 {
			return emit(b.NewBatch())
		}
		return nil
	}), nil
}

type topicFile struct {
	path, name string
	id, size   int64
}

// topicFiles lists the ID.json files of a folder (or of its topics/
// subfolder), in id order, and their total size.
func topicFiles(dir string) ([]topicFile, int64, error) {
	if st, err := os.Stat(filepath.Join(dir, "topics")); err == nil && st.IsDir() {
		dir = filepath.Join(dir, "topics")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, err
	}
	var files []topicFile
	var total int64
	for _, e := range entries {
		id, err := strconv.ParseInt(strings.TrimSuffix(e.Name(), ".json"), 10, 64)
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || err != nil {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, 0, err
		}
		files = append(files, topicFile{path: filepath.Join(dir, e.Name()), name: e.Name(), id: id, size: info.Size()})
		total += info.Size()
	}
	if len(files) == 0 {
		return nil, 0, fmt.Errorf("%s: no saved topics (ID.json files)", dir)
	}
	slices.SortFunc(files, func(a, b topicFile) int { return cmp.Compare(a.id, b.id) })
	return files, total, nil
}

// readCategories reads a /categories.json response, if the file exists.
func readCategories(path string) (Categories, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return Categories{}, nil
	}
	if err != nil {
		return nil, err
	}
	cats, err := parseCategories(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cats, nil
}

// parseCategories reads the category list of /categories.json, with the
// subcategories it holds.
func parseCategories(data []byte) (Categories, error) {
	var r struct {
		CategoryList struct {
			Categories []category `json:"categories"`
		} `json:"category_list"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	cats := Categories{}
	var walk func([]category)
	walk = func(cs []category) {
		for _, c := range cs {
			cats[c.ID] = c.Name
			walk(c.Subcategories)
		}
	}
	walk(r.CategoryList.Categories)
	return cats, nil
}

type category struct {
	ID            int64      `json:"id"`
	Name          string     `json:"name"`
	Subcategories []category `json:"subcategory_list"`
}
