package liblzma

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/bodgit/sevenzip"
	"github.com/ulikunitz/xz/lzma"
)

// TestArchives reads .7z archives of the Stack Exchange reader's basic
// dump with these decoders in place of the pure-Go ones: LZMA2 in one
// solid stream and in a stream per file, and LZMA. Every file is the
// file that was packed.
func TestArchives(t *testing.T) {
	sevenzip.RegisterDecompressor([]byte{0x21}, LZMA2)
	sevenzip.RegisterDecompressor([]byte{0x03, 0x01, 0x01}, LZMA)
	for _, archive := range []string{"../stackexchange/testdata/basic.7z", "testdata/basic-blocks.7z", "testdata/basic-lzma.7z"} {
		rc, err := sevenzip.OpenReader(archive)
		if err != nil {
			t.Fatal(err)
		}
		if len(rc.File) != 4 {
			t.Errorf("%s: %d files, want 4", archive, len(rc.File))
		}
		for _, f := range rc.File {
			want, err := os.ReadFile(filepath.Join("../stackexchange/testdata/basic", f.Name))
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.Open()
			if err != nil {
				t.Fatal(archive, f.Name, err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				t.Errorf("%s: %s: %v", archive, f.Name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: %s: %d bytes decoded, not the %d packed", archive, f.Name, len(got), len(want))
			}
		}
		rc.Close()
	}
}

// lzma2Stream packs data as a raw LZMA2 stream with a 1 MiB dictionary,
// whose 7z property byte is 16.
func lzma2Stream(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := lzma.Writer2Config{DictCap: 1 << 20}.NewWriter2(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// text is n bytes of words, compressible as the dumps are, larger than the
// decoder's buffers.
func text(n int) []byte {
	words := []string{"bike ", "brake ", "wheel ", "&amp; ", "<row Id=\"", "\" />\n", "chain ", "road "}
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.Bytes()[:n]
}

func decodeAll(packed []byte, size uint64) ([]byte, error) {
	r, err := LZMA2([]byte{16}, size, []io.ReadCloser{io.NopCloser(bytes.NewReader(packed))})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// TestStream decodes a stream of 5 MB, several of the decoder's buffers.
func TestStream(t *testing.T) {
	data := text(5 << 20)
	got, err := decodeAll(lzma2Stream(t, data), uint64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("%d bytes decoded, not the %d packed", len(got), len(data))
	}
}

// TestBadStreams: a stream cut short and a damaged one are errors, not
// short reads that look complete.
func TestBadStreams(t *testing.T) {
	data := text(3 << 20)
	packed := lzma2Stream(t, data)
	if _, err := decodeAll(packed[:len(packed)/2], uint64(len(data))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a stream cut in half: %v, want %v", err, io.ErrUnexpectedEOF)
	}
	damaged := bytes.Clone(packed)
	for i := 0; i < 64; i++ {
		damaged[len(damaged)/3+i] ^= 0x5a
	}
	got, err := decodeAll(damaged, uint64(len(data)))
	if err == nil && bytes.Equal(got, data) {
		t.Fatal("a damaged stream decoded as the original")
	}
	if err == nil {
		t.Errorf("a damaged stream: no error, %d bytes", len(got))
	}
	if _, err := LZMA2([]byte{200}, 10, []io.ReadCloser{io.NopCloser(bytes.NewReader(packed))}); err == nil {
		t.Error("a dictionary size out of range: no error")
	}
}
