package stackexchange

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bodgit/sevenzip"

	"github.com/calvinslist/calvin/ingest/liblzma"
)

// init has liblzma (ingest/liblzma) decode the archives' LZMA and LZMA2
// streams, in place of the pure-Go decoders of github.com/bodgit/sevenzip,
// which looks its decoders up in a table of its own by 7z method id.
func init() {
	sevenzip.RegisterDecompressor([]byte{0x21}, liblzma.LZMA2)
	sevenzip.RegisterDecompressor([]byte{0x03, 0x01, 0x01}, liblzma.LZMA)
}

// archive is a dump packed as a .7z archive, as the dumps are published.
// Its files are found by base name, wherever they sit in the archive.
//
// A published archive is one solid stream, its files in name order
// (Badges, Comments, PostHistory, PostLinks, Posts, Tags, Users, Votes),
// and the reader wants Users.xml and Votes.xml first, then Posts.xml and
// Comments.xml. Opening a file of a solid stream decodes the stream from
// its start, so the archive decodes it once, in the order it is stored:
// a file the reader will want later (dumpFiles) met on the way to the one
// it wants now is unpacked into a temporary folder, which Close removes.
// The others are left to github.com/bodgit/sevenzip, which keeps a
// stream's decoder where the last file read from it ended and decodes on
// from there (and starts no stream the reader does not want).
type archive struct {
	rc    *sevenzip.ReadCloser
	path  string
	bytes int64

	next    int               // the first file of rc.File not decoded yet
	spool   string            // the temporary folder, once made
	spooled map[string]string // file name -> its unpacked copy in spool
}

// dumpFiles are the files of a dump the reader reads, in its order.
func dumpFiles() []string {
	return []string{"Users.xml", "Votes.xml", "Posts.xml", "Comments.xml"}
}

func open7z(p string) (*archive, error) {
	rc, err := sevenzip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	var n int64
	if fi, err := os.Stat(p); err == nil {
		n = fi.Size()
	}
	return &archive{rc: rc, path: p, bytes: n, spooled: map[string]string{}}, nil
}

// index returns the position in the archive of the file named name, -1
// when there is none.
func (a *archive) index(name string) int {
	for i, f := range a.rc.File {
		if strings.EqualFold(path.Base(f.Name), name) {
			return i
		}
	}
	return -1
}

func (a *archive) has(name string) bool { return a.index(name) >= 0 }

// wanted reports whether the reader will open the file f.
func wanted(f *sevenzip.File) bool {
	for _, name := range dumpFiles() {
		if strings.EqualFold(path.Base(f.Name), name) {
			return true
		}
	}
	return false
}

// open returns the file named name: its unpacked copy if one was made;
// otherwise the archive's stream, decoded from where the last open left
// it, on a goroutine of its own ahead of the parser (decoding a .7z and
// parsing it then run on two cores).
func (a *archive) open(name string) (io.ReadCloser, error) {
	if p, ok := a.spooled[strings.ToLower(name)]; ok {
		return os.Open(p)
	}
	i := a.index(name)
	if i < 0 {
		return nil, fmt.Errorf("%s: no %s in the archive", a.path, name)
	}
	for ; a.next < i; a.next++ {
		if err := a.pass(a.rc.File[a.next]); err != nil {
			return nil, err
		}
	}
	a.next = max(a.next, i+1)
	rc, err := a.rc.File[i].Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", a.path, name, err)
	}
	return newReadAhead(rc), nil
}

// pass unpacks a file met on the way to another into the temporary
// folder, if the reader will want it.
func (a *archive) pass(f *sevenzip.File) error {
	if !wanted(f) {
		return nil
	}
	name := path.Base(f.Name)
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%s: %s: %w", a.path, name, err)
	}
	defer rc.Close()
	if a.spool == "" {
		if a.spool, err = os.MkdirTemp("", "calvin-7z-"); err != nil {
			return fmt.Errorf("%s: unpacking %s: %w", a.path, name, err)
		}
	}
	p := filepath.Join(a.spool, strings.ToLower(name))
	out, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("%s: unpacking %s: %w", a.path, name, err)
	}
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return fmt.Errorf("%s: unpacking %s into %s: %w", a.path, name, a.spool, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("%s: unpacking %s into %s: %w", a.path, name, a.spool, err)
	}
	a.spooled[strings.ToLower(name)] = p
	return nil
}

// size returns the size of the uncompressed XML files that are read.
func (a *archive) size() int64 {
	var n int64
	for _, name := range dumpFiles() {
		if i := a.index(name); i >= 0 {
			n += int64(a.rc.File[i].UncompressedSize)
		}
	}
	if n == 0 {
		return a.bytes
	}
	return n
}

// Close closes the archive and removes the files unpacked from it.
func (a *archive) Close() error {
	err := a.rc.Close()
	if a.spool != "" {
		err = errors.Join(err, os.RemoveAll(a.spool))
	}
	return err
}

// readAhead reads its source on a goroutine into a few chunks, so that the
// source's work (decompression) overlaps the reader's.
type readAhead struct {
	src  io.ReadCloser
	full chan []byte // chunks read, in order
	free chan []byte // chunks to read into
	done chan struct{}
	err  error  // the source's error, set before full is closed
	buf  []byte // the chunk being read from
	cur  []byte // its unread part
}

const (
	readAheadChunk  = 1 << 20
	readAheadChunks = 4
)

func newReadAhead(src io.ReadCloser) *readAhead {
	ra := &readAhead{
		src:  src,
		full: make(chan []byte, readAheadChunks),
		free: make(chan []byte, readAheadChunks),
		done: make(chan struct{}),
	}
	for range readAheadChunks {
		ra.free <- make([]byte, readAheadChunk)
	}
	go ra.fill()
	return ra
}

func (ra *readAhead) fill() {
	defer close(ra.full)
	for {
		select {
		case <-ra.done:
			return
		default:
		}
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.done:
			return
		}
		n, err := io.ReadFull(ra.src, buf[:cap(buf)])
		if n > 0 {
			ra.full <- buf[:n]
		}
		if err != nil {
			if err != io.EOF && err != io.ErrUnexpectedEOF {
				ra.err = err
			}
			return
		}
	}
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		buf, ok := <-ra.full
		if !ok {
			if ra.err != nil {
				return 0, ra.err
			}
			return 0, io.EOF
		}
		ra.buf, ra.cur = buf, buf
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	if len(ra.cur) == 0 {
		ra.free <- ra.buf[:cap(ra.buf)]
	}
	return n, nil
}

// Close stops the read-ahead and closes the source.
func (ra *readAhead) Close() error {
	close(ra.done)
	for range ra.full { // let fill finish its current read and exit
	}
	return ra.src.Close()
}
