// Package stackexchange reads a Stack Exchange data dump, a folder of XML
// files or the site's .7z archive as published, into canonical posts:
// questions and answers from Posts.xml, comments from Comments.xml, display
// names from Users.xml and acceptance dates from Votes.xml.
//
// It scans the XML by hand, one <row .../> per line, and unescapes only the
// attributes it keeps: bodies are measured, never decoded.
package stackexchange

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
)

// Platform is the platform column of Stack Exchange posts.
const Platform = "stackexchange"

// isFabricated reports whether id is one of the two posts that recent dumps
// plant as a watermark; they are not real posts and are dropped, with their
// comments and votes.
func isFabricated(id int64) bool {
	return id == 1000000001 || id == 1000000010
}

// Dump is a Stack Exchange data dump at Path: a folder holding Posts.xml
// and, optionally, Comments.xml, Users.xml and Votes.xml; or a .7z archive
// holding them.
type Dump struct {
	Path string
}

// New returns the dump at path.
func New(path string) *Dump { return &Dump{Path: path} }

// Platform returns "stackexchange".
func (d *Dump) Platform() string { return Platform }

// Input returns the dump's path.
func (d *Dump) Input() string { return d.Path }

// Read streams the dump's posts. Users.xml and Votes.xml are read first,
// into maps (display name by user id, acceptance date by answer id); then
// Posts.xml and Comments.xml are streamed. Only Posts.xml is required.
func (d *Dump) Read(ctx context.Context, opts ingest.Options) (array.RecordReader, error) {
	fs, err := openFiles(d.Path)
	if err != nil {
		return nil, err
	}
	if !fs.has("Posts.xml") {
		fs.Close()
		return nil, fmt.Errorf("%s: no Posts.xml: not a Stack Exchange dump", d.Path)
	}
	if opts.Stats != nil {
		opts.Stats.Total.Store(fs.size())
	}
	return ingest.Produce(ctx, func(ctx context.Context, emit func(arrow.RecordBatch) error) error {
		defer fs.Close()
		r := &reader{
			opts:    opts,
			dates:   opts.Dates(),
			fs:      fs,
			skipped: make(map[int64]struct{}),
			b:       ingest.NewBuilder(opts, Platform),
			emit:    emit,
		}
		defer r.b.Release()
		return r.run(ctx)
	}), nil
}

// reader holds the state of one Read.
type reader struct {
	opts  ingest.Options
	dates ingest.Dates // the dates a post may have
	fs    files

	// The ids of the posts and comments read: a row met twice (a dump
	// with a row repeated) is dropped and counted, not stored twice.
	postIDs, commentIDs idSet

	names    nameTable          // user id -> display name
	accepted acceptances        // the accepted answers, and when
	skipped  map[int64]struct{} // ids of rows of Posts.xml that are not questions or answers
	threads  threadIndex        // the question of every answer, for comments' threads

	b       *ingest.Builder
	emit    func(arrow.RecordBatch) error
	scratch []byte
	post    ingest.Post
	areas   [][]byte
	num     [4][]byte // formatted ids: post, parent, author, thread
}

func (r *reader) run(ctx context.Context) error {
	steps := []struct {
		name     string
		required bool
		row      func(attrs []byte) error
	}{
		{"Users.xml", false, r.userRow},
		{"Votes.xml", false, r.voteRow},
		{"Posts.xml", true, r.postRow},
		{"Comments.xml", false, r.commentRow},
	}
	for _, s := range steps {
		if !s.required && !r.fs.has(s.name) {
			continue
		}
		if err := r.scan(ctx, s.name, s.row); err != nil {
			return err
		}
	}
	if r.b.Len() > 0 {
		return r.emit(r.b.NewBatch())
	}
	return nil
}

// scan reads one file of the dump, calling row for each <row> element. A
// row error becomes a ParseError with the file and line, and is skipped or,
// in strict mode, returned.
func (r *reader) scan(ctx context.Context, name string, row func(attrs []byte) error) error {
	rc, err := r.fs.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	lr := newLineReader(rc, r.opts.RecordLimit())
	lr.done = ctx.Err
	var reported int64
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if lr.line&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			r.addBytes(lr.bytes - reported)
			reported = lr.bytes
		}
		if lr.tooLong {
			if err := r.opts.Reject(&ingest.ParseError{File: name, Line: lr.line, Err: ingest.TooLong(lr.max)}); err != nil {
				return err
			}
			continue
		}
		attrs, ok := rowAttrs(line)
		if !ok {
			continue
		}
		if err := row(attrs); err != nil {
			if err := r.opts.Reject(&ingest.ParseError{File: name, Line: lr.line, Err: err}); err != nil {
				return err
			}
			continue
		}
		if r.b.Full() {
			if err := r.emit(r.b.NewBatch()); err != nil {
				return err
			}
		}
	}
	r.addBytes(lr.bytes - reported)
	if lr.err != nil {
		return fmt.Errorf("%s: %w", name, lr.err)
	}
	return nil
}

func (r *reader) addBytes(n int64) {
	if r.opts.Stats != nil {
		r.opts.Stats.Bytes.Add(n)
	}
}

func (r *reader) countRead() {
	if r.opts.Stats != nil {
		r.opts.Stats.Read.Add(1)
	}
}

// userRow keeps a user's display name.
func (r *reader) userRow(attrs []byte) error {
	var id int64
	var hasID bool
	var name, account []byte
	for {
		k, v, rest, ok, err := nextAttr(attrs)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		attrs = rest
		switch string(k) {
		case "Id":
			if id, hasID = parseInt(v); !hasID {
				return fmt.Errorf("bad Id %q", clip(v))
			}
		case "DisplayName":
			name = v
		case "AccountId":
			account = v
		}
	}
	if !hasID {
		return errors.New("missing Id")
	}
	// The network account joins a person's users across sites; the
	// Community user (-1) is every site's and no one.
	if acc, ok := parseInt(account); ok && id > 0 {
		r.opts.Facts.Add(strconv.FormatInt(id, 10), "se_account", strconv.FormatInt(acc, 10))
	}
	s, err := unescape(r.scratch[:0], name)
	if err != nil {
		return fmt.Errorf("bad DisplayName: %w", err)
	}
	r.scratch = s
	r.names.set(id, s)
	return nil
}

// voteRow keeps the date of an acceptance vote (VoteTypeId 1).
func (r *reader) voteRow(attrs []byte) error {
	var postID, when int64
	var isAccept, hasPost, hasDate bool
	for {
		k, v, rest, ok, err := nextAttr(attrs)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		attrs = rest
		switch string(k) {
		case "VoteTypeId":
			isAccept = string(v) == "1"
		case "PostId":
			if postID, hasPost = parseInt(v); !hasPost {
				return fmt.Errorf("bad PostId %q", clip(v))
			}
		case "CreationDate":
			if when, hasDate = parseTime(v); !hasDate {
				return fmt.Errorf("bad CreationDate %q", clip(v))
			}
		}
	}
	if !isAccept {
		return nil
	}
	if !hasPost {
		return errors.New("missing PostId")
	}
	if !hasDate {
		return errors.New("missing CreationDate")
	}
	if err := r.dates.Check(time.UnixMicro(when)); err != nil {
		return fmt.Errorf("CreationDate: %w", err)
	}
	r.accepted.vote(postID, when)
	return nil
}

// postRow turns a question or an answer into a post; other post types (tag
// wikis, moderator nominations, ...) are skipped.
func (r *reader) postRow(attrs []byte) error {
	p := &r.post
	*p = ingest.Post{Areas: r.areas[:0]}
	var id, typ, parent, acceptedID, owner int64
	var hasID, hasType, hasParent, hasCreated, hasOwner bool
	var title, ownerName []byte
	for {
		k, v, rest, ok, err := nextAttr(attrs)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		attrs = rest
		switch string(k) {
		case "Id":
			if id, hasID = parseInt(v); !hasID {
				return fmt.Errorf("bad Id %q", clip(v))
			}
		case "PostTypeId":
			if typ, hasType = parseInt(v); !hasType {
				return fmt.Errorf("bad PostTypeId %q", clip(v))
			}
		case "ParentId":
			if parent, hasParent = parseInt(v); !hasParent {
				return fmt.Errorf("bad ParentId %q", clip(v))
			}
		case "AcceptedAnswerId":
			var ok bool
			if acceptedID, ok = parseInt(v); !ok {
				return fmt.Errorf("bad AcceptedAnswerId %q", clip(v))
			}
		case "CreationDate":
			if p.CreatedAt, hasCreated = parseTime(v); !hasCreated {
				return fmt.Errorf("bad CreationDate %q", clip(v))
			}
			if err := r.dates.Check(time.UnixMicro(p.CreatedAt)); err != nil {
				return fmt.Errorf("CreationDate: %w", err)
			}
		case "Score":
			var ok bool
			if p.Score, ok = parseInt(v); !ok {
				return fmt.Errorf("bad Score %q", clip(v))
			}
		case "ViewCount":
			if p.Views, p.HasViews = parseInt(v); !p.HasViews {
				return fmt.Errorf("bad ViewCount %q", clip(v))
			}
		case "Body":
			p.BodyBytes = unescapedLen(v)
		case "OwnerUserId":
			if owner, hasOwner = parseInt(v); !hasOwner {
				return fmt.Errorf("bad OwnerUserId %q", clip(v))
			}
		case "OwnerDisplayName":
			ownerName = v
		case "Title":
			title = v
		case "Tags":
			p.Areas = splitTags(p.Areas, v)
		}
	}
	switch {
	case !hasID:
		return errors.New("missing Id")
	case !hasType:
		return errors.New("missing PostTypeId")
	case !hasCreated:
		return errors.New("missing CreationDate")
	}
	if isFabricated(id) {
		return nil
	}
	if !r.postIDs.add(id) {
		r.opts.Duplicate()
		return nil
	}
	switch typ {
	case 1:
		p.Kind = ingest.KindQuestion
		p.PostID = r.formatID(0, id)
		p.ThreadID = p.PostID
		if acceptedID != 0 {
			r.accepted.named(acceptedID)
		}
	case 2:
		if !hasParent {
			return errors.New("answer without ParentId")
		}
		p.Kind = ingest.KindAnswer
		p.PostID = r.formatID(0, id)
		p.ParentID = r.formatID(1, parent)
		p.ThreadID = p.ParentID
		p.HasViews = false // views belong to the thread starter
		r.threads.add(id, parent)
		if when, ok := r.accepted.lookup(id); ok {
			p.Accepted = true
			p.AcceptedAt = when
			if when == 0 { // only the fact is known: the answer's own date
				p.AcceptedAt = p.CreatedAt
			}
		}
	default:
		r.skipped[id] = struct{}{}
		return nil
	}
	r.areas = p.Areas
	if err := r.setAuthor(p, hasOwner, owner, ownerName); err != nil {
		return err
	}
	if title != nil {
		start := len(r.scratch)
		s, err := unescape(r.scratch, title)
		if err != nil {
			return fmt.Errorf("bad Title: %w", err)
		}
		r.scratch = s
		p.Title = s[start:]
	}
	r.b.Append(p)
	r.scratch = r.scratch[:0]
	r.countRead()
	return nil
}

// commentRow turns a comment into a post of kind comment whose parent is
// the commented post. Comment ids are prefixed with "c": they are numbered
// apart from posts.
func (r *reader) commentRow(attrs []byte) error {
	p := &r.post
	*p = ingest.Post{Kind: ingest.KindComment, Areas: r.areas[:0]}
	var id, postID, user int64
	var hasID, hasPost, hasCreated, hasUser bool
	var userName []byte
	for {
		k, v, rest, ok, err := nextAttr(attrs)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		attrs = rest
		switch string(k) {
		case "Id":
			if id, hasID = parseInt(v); !hasID {
				return fmt.Errorf("bad Id %q", clip(v))
			}
		case "PostId":
			if postID, hasPost = parseInt(v); !hasPost {
				return fmt.Errorf("bad PostId %q", clip(v))
			}
		case "CreationDate":
			if p.CreatedAt, hasCreated = parseTime(v); !hasCreated {
				return fmt.Errorf("bad CreationDate %q", clip(v))
			}
			if err := r.dates.Check(time.UnixMicro(p.CreatedAt)); err != nil {
				return fmt.Errorf("CreationDate: %w", err)
			}
		case "Score":
			var ok bool
			if p.Score, ok = parseInt(v); !ok {
				return fmt.Errorf("bad Score %q", clip(v))
			}
		case "Text":
			p.BodyBytes = unescapedLen(v)
		case "UserId":
			if user, hasUser = parseInt(v); !hasUser {
				return fmt.Errorf("bad UserId %q", clip(v))
			}
		case "UserDisplayName":
			userName = v
		}
	}
	switch {
	case !hasID:
		return errors.New("missing Id")
	case !hasPost:
		return errors.New("missing PostId")
	case !hasCreated:
		return errors.New("missing CreationDate")
	}
	if isFabricated(postID) {
		return nil
	}
	if _, ok := r.skipped[postID]; ok {
		// A comment on a tag wiki or another page that is not a question
		// or an answer: not a message in a thread.
		return nil
	}
	if !r.commentIDs.add(id) {
		r.opts.Duplicate()
		return nil
	}
	r.num[0] = append(append(r.num[0][:0], 'c'), strconv.AppendInt(nil, id, 10)...)
	p.PostID = r.num[0]
	p.ParentID = r.formatID(1, postID)
	// The thread is the question: the post's own, or the one it answers.
	// A post that is not in the dump (deleted) is taken as a question.
	p.ThreadID = p.ParentID
	if q, ok := r.threads.question(postID); ok {
		p.ThreadID = r.formatID(3, q)
	}
	if err := r.setAuthor(p, hasUser, user, userName); err != nil {
		return err
	}
	r.b.Append(p)
	r.scratch = r.scratch[:0]
	r.countRead()
	return nil
}

// threadIndex maps answers to their questions. Posts.xml lists posts by
// id, so the answers' ids arrive in order and two sorted slices hold them
// in 8 bytes an answer; the rare answer out of order, or an id past 32
// bits, goes to a map.
type threadIndex struct {
	answers, questions []uint32
	late               map[int64]int64
}

func (t *threadIndex) add(answer, question int64) {
	n := len(t.answers)
	if answer >= 0 && answer < 1<<32 && question >= 0 && question < 1<<32 && (n == 0 || t.answers[n-1] < uint32(answer)) {
		t.answers = append(t.answers, uint32(answer))
		t.questions = append(t.questions, uint32(question))
		return
	}
	if t.late == nil {
		t.late = make(map[int64]int64)
	}
	t.late[answer] = question
}

// question returns the question that answer answers, if it is an answer.
func (t *threadIndex) question(answer int64) (int64, bool) {
	if q, ok := t.late[answer]; ok {
		return q, true
	}
	if answer < 0 || answer >= 1<<32 {
		return 0, false
	}
	if i, ok := slices.BinarySearch(t.answers, uint32(answer)); ok {
		return int64(t.questions[i]), true
	}
	return 0, false
}

// setAuthor fills the author columns: the user id and its display name, or,
// for a deleted user, no account and the name the row kept.
func (r *reader) setAuthor(p *ingest.Post, hasUser bool, user int64, rowName []byte) error {
	if hasUser {
		p.Author = r.formatID(2, user)
		if name, ok := r.names.get(user); ok {
			p.AuthorName = name
			return nil
		}
	}
	if rowName != nil {
		start := len(r.scratch)
		s, err := unescape(r.scratch, rowName)
		if err != nil {
			return fmt.Errorf("bad display name: %w", err)
		}
		r.scratch = s
		p.AuthorName = s[start:]
	}
	return nil
}

// formatID formats id into the i-th scratch number buffer.
func (r *reader) formatID(i int, id int64) []byte {
	r.num[i] = strconv.AppendInt(r.num[i][:0], id, 10)
	return r.num[i]
}

// splitTags appends the tags of a Tags attribute to dst: the escaped form
// "&lt;a&gt;&lt;b&gt;" of older dumps, or "|a|b|" of newer ones.
func splitTags(dst [][]byte, v []byte) [][]byte {
	if len(v) > 0 && v[0] == '|' {
		for len(v) > 0 {
			end := bytes.IndexByte(v, '|')
			if end < 0 {
				end = len(v)
			}
			if end > 0 {
				dst = append(dst, v[:end])
			}
			v = v[min(end+1, len(v)):]
		}
		return dst
	}
	for len(v) > 0 {
		open := bytes.Index(v, []byte("&lt;"))
		if open < 0 {
			break
		}
		v = v[open+4:]
		end := bytes.Index(v, []byte("&gt;"))
		if end < 0 {
			break
		}
		dst = append(dst, v[:end])
		v = v[end+4:]
	}
	return dst
}

// files is the set of XML files of a dump, in a folder or an archive.
type files interface {
	has(name string) bool
	open(name string) (io.ReadCloser, error)
	size() int64
	Close() error
}

// openFiles opens a dump folder or .7z archive.
func openFiles(path string) (files, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return dirFiles(path), nil
	}
	if strings.EqualFold(filepath.Ext(path), ".7z") {
		return open7z(path)
	}
	return nil, fmt.Errorf("%s: not a dump folder or a .7z archive", path)
}

// dirFiles is a dump in a folder: its XML files unpacked, or each packed
// in a .7z archive of its own, as Stack Overflow's dump is published
// (stackoverflow.com-Posts.7z holding Posts.xml, and so on; an archive
// named after the file alone, Posts.7z, is found too). An archive is
// opened when its file is, and decoded once, ahead of the parser.
type dirFiles string

// archiveOf returns the archive in the folder that holds the file name,
// "" when there is none.
func (d dirFiles) archiveOf(name string) string {
	table := strings.ToLower(strings.TrimSuffix(name, filepath.Ext(name)))
	entries, err := os.ReadDir(string(d))
	if err != nil {
		return ""
	}
	for _, e := range entries {
		n := strings.ToLower(e.Name())
		if !e.IsDir() && (n == table+".7z" || strings.HasSuffix(n, "-"+table+".7z")) {
			return filepath.Join(string(d), e.Name())
		}
	}
	return ""
}

func (d dirFiles) has(name string) bool {
	_, err := os.Stat(filepath.Join(string(d), name))
	return err == nil || d.archiveOf(name) != ""
}

func (d dirFiles) open(name string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(string(d), name))
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return f, err
	}
	p := d.archiveOf(name)
	if p == "" {
		return nil, err
	}
	a, err := open7z(p)
	if err != nil {
		return nil, err
	}
	rc, err := a.open(name)
	if err != nil {
		a.Close()
		return nil, err
	}
	return archivedFile{rc, a}, nil
}

// size returns the size of the XML files that are read (the uncompressed
// size of those in archives).
func (d dirFiles) size() int64 {
	var n int64
	for _, name := range dumpFiles() {
		if fi, err := os.Stat(filepath.Join(string(d), name)); err == nil {
			n += fi.Size()
		} else if p := d.archiveOf(name); p != "" {
			if a, err := open7z(p); err == nil {
				n += a.size()
				a.Close()
			}
		}
	}
	return n
}

// archivedFile is a file read from an archive of its own: closing it
// closes the archive.
type archivedFile struct {
	io.ReadCloser
	archive *archive
}

func (f archivedFile) Close() error { return errors.Join(f.ReadCloser.Close(), f.archive.Close()) }

func (d dirFiles) Close() error { return nil }

// idSet remembers numeric ids: a bit each below 1<<28 (32 MiB at most,
// for a dump of a quarter of a billion posts), a map entry above.
type idSet struct {
	bits []uint64
	big  map[int64]struct{}
}

// add records id and reports whether it is new.
func (s *idSet) add(id int64) bool {
	if id < 0 || id >= 1<<28 {
		if _, ok := s.big[id]; ok {
			return false
		}
		if s.big == nil {
			s.big = map[int64]struct{}{}
		}
		s.big[id] = struct{}{}
		return true
	}
	w, bit := int(id/64), uint64(1)<<(id%64)
	if w >= len(s.bits) {
		s.bits = append(s.bits, make([]uint64, max(w+1-len(s.bits), len(s.bits)))...)
	}
	if s.bits[w]&bit != 0 {
		return false
	}
	s.bits[w] |= bit
	return true
}

// has reports whether id was added.
func (s *idSet) has(id int64) bool {
	if id < 0 || id >= 1<<28 {
		_, ok := s.big[id]
		return ok
	}
	w := int(id / 64)
	return w < len(s.bits) && s.bits[w]&(uint64(1)<<(id%64)) != 0
}
