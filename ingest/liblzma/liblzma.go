// Package liblzma decodes the LZMA and LZMA2 streams that .7z archives
// hold, with liblzma, the C library of xz (Debian's liblzma-dev), through
// cgo. A published Stack Exchange dump is one such stream; the pure-Go
// decoder reads it at about a quarter of liblzma's speed, slower than the
// dump's parser reads the XML, so it was the ingest's bottleneck.
//
// The decoders have the signature of github.com/bodgit/sevenzip's
// Decompressor, which the Stack Exchange reader registers them as.
package liblzma

/*
#cgo LDFLAGS: -llzma
#include <lzma.h>
#include <stdlib.h>

// raw_decoder starts a raw decoder of one filter (LZMA1 or LZMA2) whose
// properties are as a .7z archive stores them.
static lzma_ret raw_decoder(lzma_stream *s, lzma_vli id, const uint8_t *props, size_t n) {
	lzma_filter filters[2];
	filters[0].id = id;
	filters[0].options = NULL;
	lzma_ret r = lzma_properties_decode(&filters[0], NULL, props, n);
	if (r != LZMA_OK) {
		return r;
	}
	filters[1].id = LZMA_VLI_UNKNOWN;
	filters[1].options = NULL;
	r = lzma_raw_decoder(s, filters);
	free(filters[0].options);
	return r;
}

static lzma_stream *new_stream(void) {
	lzma_stream *s = calloc(1, sizeof(lzma_stream));
	lzma_stream init = LZMA_STREAM_INIT;
	if (s != NULL) {
		*s = init;
	}
	return s;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"unsafe"
)

// bufSize is the size of each of a decoder's two buffers (compressed in,
// decoded out), held in C memory: liblzma keeps pointers into them from
// one call to the next, which Go memory must not be given to.
const bufSize = 1 << 20

// LZMA2 returns a reader of the LZMA2 stream in readers[0] whose
// properties (one byte, the dictionary size) are props and whose decoded
// size is size.
func LZMA2(props []byte, size uint64, readers []io.ReadCloser) (io.ReadCloser, error) {
	return newReader(C.LZMA_FILTER_LZMA2, props, size, readers)
}

// LZMA returns a reader of the LZMA stream in readers[0] whose properties
// (five bytes) are props and whose decoded size is size: a .7z's LZMA
// stream may have no end marker, so it ends after size bytes.
func LZMA(props []byte, size uint64, readers []io.ReadCloser) (io.ReadCloser, error) {
	return newReader(C.LZMA_FILTER_LZMA1, props, size, readers)
}

// reader decodes a raw LZMA or LZMA2 stream.
type reader struct {
	src     io.ReadCloser
	s       *C.lzma_stream
	in, out unsafe.Pointer // C buffers of bufSize
	pending []byte         // decoded and not read yet: a part of out
	left    uint64         // bytes still to decode
	srcEOF  bool
	err     error
}

func newReader(id C.lzma_vli, props []byte, size uint64, readers []io.ReadCloser) (io.ReadCloser, error) {
	if len(readers) != 1 {
		return nil, errors.New("liblzma: need exactly one stream")
	}
	if len(props) == 0 {
		return nil, errors.New("liblzma: no properties")
	}
	r := &reader{src: readers[0], left: size}
	r.s = C.new_stream()
	r.in = C.malloc(bufSize)
	r.out = C.malloc(bufSize)
	if r.s == nil || r.in == nil || r.out == nil {
		r.free()
		return nil, errors.New("liblzma: out of memory")
	}
	cprops := C.CBytes(props)
	defer C.free(cprops)
	if ret := C.raw_decoder(r.s, id, (*C.uint8_t)(cprops), C.size_t(len(props))); ret != C.LZMA_OK {
		r.free()
		return nil, fmt.Errorf("liblzma: cannot start the decoder: %s", message(ret))
	}
	return r, nil
}

func (r *reader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.decode()
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// decode decodes the next part of the stream into out, reading more of
// the source when liblzma has used what it had; it sets err at the end.
func (r *reader) decode() {
	if r.left == 0 {
		r.err = io.EOF
		return
	}
	if r.s.avail_in == 0 && !r.srcEOF {
		in := unsafe.Slice((*byte)(r.in), bufSize)
		n, err := io.ReadFull(r.src, in)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			r.srcEOF = true
		} else if err != nil {
			r.err = err
			return
		}
		r.s.next_in = (*C.uint8_t)(r.in)
		r.s.avail_in = C.size_t(n)
	}
	want := uint64(bufSize)
	if r.left < want {
		want = r.left
	}
	r.s.next_out = (*C.uint8_t)(r.out)
	r.s.avail_out = C.size_t(want)
	action := C.lzma_action(C.LZMA_RUN)
	if r.srcEOF {
		action = C.LZMA_FINISH
	}
	ret := C.lzma_code(r.s, action)
	n := want - uint64(r.s.avail_out)
	r.pending = unsafe.Slice((*byte)(r.out), n)
	r.left -= n
	switch {
	case ret == C.LZMA_STREAM_END:
		if r.left > 0 {
			r.err = io.ErrUnexpectedEOF
		} else {
			r.err = io.EOF
		}
	case ret != C.LZMA_OK:
		r.err = fmt.Errorf("liblzma: %s", message(ret))
	case n == 0 && r.srcEOF && r.s.avail_in == 0:
		r.err = io.ErrUnexpectedEOF
	}
}

func (r *reader) Close() error {
	r.free()
	return r.src.Close()
}

func (r *reader) free() {
	if r.s != nil {
		C.lzma_end(r.s)
		C.free(unsafe.Pointer(r.s))
		r.s = nil
	}
	C.free(r.in)
	C.free(r.out)
	r.in, r.out, r.pending = nil, nil, nil
	if r.err == nil {
		r.err = errors.New("liblzma: read after close")
	}
}

func message(ret C.lzma_ret) string {
	switch ret {
	case C.LZMA_MEM_ERROR:
		return "out of memory"
	case C.LZMA_OPTIONS_ERROR:
		return "unsupported options"
	case C.LZMA_DATA_ERROR:
		return "corrupt data"
	case C.LZMA_BUF_ERROR:
		return "the stream is cut short"
	default:
		return fmt.Sprintf("error %d", int(ret))
	}
}
