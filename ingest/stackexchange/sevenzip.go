package stackexchange

import (
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/bodgit/sevenzip"
)

// archive is a dump packed as a .7z archive, as the dumps are published.
// Its files are found by base name, wherever they sit in the archive.
type archive struct {
	rc    *sevenzip.ReadCloser
	path  string
	bytes int64
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
	return &archive{rc: rc, path: p, bytes: n}, nil
}

func (a *archive) file(name string) *sevenzip.File {
	for _, f := range a.rc.File {
		if strings.EqualFold(path.Base(f.Name), name) {
			return f
		}
	}
	return nil
}

func (a *archive) has(name string) bool { return a.file(name) != nil }

// open decompresses one file on a goroutine of its own, ahead of the
// parser: decoding a .7z is slower than parsing it, so the two run on two
// cores.
func (a *archive) open(name string) (io.ReadCloser, error) {
	f := a.file(name)
	if f == nil {
		return nil, fmt.Errorf("%s: no %s in the archive", a.path, name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", a.path, name, err)
	}
	return newReadAhead(rc), nil
}

// size returns the size of the uncompressed XML files that are read.
func (a *archive) size() int64 {
	var n int64
	for _, name := range []string{"Users.xml", "Votes.xml", "Posts.xml", "Comments.xml"} {
		if f := a.file(name); f != nil {
			n += int64(f.UncompressedSize)
		}
	}
	if n == 0 {
		return a.bytes
	}
	return n
}

func (a *archive) Close() error { return a.rc.Close() }

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
