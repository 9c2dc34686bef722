package stackexchange

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339, or "" for a bad time
	}{
		{"2010-08-25T19:50:51.187", "2010-08-25T19:50:51.187Z"},
		{"2010-08-25T19:50:51", "2010-08-25T19:50:51Z"},
		{"2010-08-25T19:50:51.1", "2010-08-25T19:50:51.1Z"},
		{"2010-08-25T19:50:51.123456", "2010-08-25T19:50:51.123456Z"},
		{"1969-12-31T23:59:59.000", "1969-12-31T23:59:59Z"},
		{"2000-02-29T00:00:00.000", "2000-02-29T00:00:00Z"},
		{"1900-02-29T00:00:00.000", ""},
		{"2008-13-01T00:00:00.000", ""},
		{"2008-00-01T00:00:00.000", ""},
		{"2008-04-31T00:00:00.000", ""},
		{"2008-01-01T24:00:00.000", ""},
		{"2008-01-01 00:00:00.000", ""},
		{"2008-01-01T00:00:00.", ""},
		{"2008-01-01T00:00:00Z", ""},
		{"2008-01-01", ""},
		{"", ""},
	}
	for _, tt := range tests {
		us, ok := parseTime([]byte(tt.in))
		got := ""
		if ok {
			got = time.UnixMicro(us).UTC().Format(time.RFC3339Nano)
		}
		if got != tt.want {
			t.Errorf("parseTime(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzUnescapedLen checks that measuring a body agrees with decoding it.
func FuzzUnescapedLen(f *testing.F) {
	for _, s := range []string{
		"", "plain", "&lt;p&gt;", "&amp;&quot;&apos;", "&#xA;&#xD;&#233;&#x1F600;",
		"a &amp b", "&", "&l", "&lt", "trailing &amp;", "&#xZZ;", "&unknown;", "&#;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dec, err := unescape(nil, []byte(s))
		if err != nil {
			return // only well-formed values have a size to agree on
		}
		if got := unescapedLen([]byte(s)); got != int64(len(dec)) {
			t.Errorf("unescapedLen(%q) = %d, want %d (%q)", s, got, len(dec), dec)
		}
	})
}

func TestSplitTags(t *testing.T) {
	tests := map[string]string{
		"&lt;c++&gt;&lt;c#&gt;": "c++ c#",
		"|a|b-c|":               "a b-c",
		"":                      "",
		"&lt;unclosed":          "",
	}
	for in, want := range tests {
		var got []string
		for _, tag := range splitTags(nil, []byte(in)) {
			got = append(got, string(tag))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("splitTags(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLineReaderLongLines(t *testing.T) {
	long := strings.Repeat("x", 3<<20) // longer than the initial buffer
	lr := newLineReader(strings.NewReader("a\r\n"+long+"\nb"), 16<<20)
	var got []int
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		got = append(got, len(line))
	}
	if len(got) != 3 || got[0] != 1 || got[1] != len(long) || got[2] != 1 || lr.line != 3 {
		t.Errorf("line lengths %v after %d lines, want [1 %d 1] after 3", got, lr.line, len(long))
	}
}

// TestLineReaderBounded: a line longer than the reader's max is passed
// over (nil, tooLong) with its number, the buffer never past max+1, and
// the lines after it read; a line of exactly max is kept. An input that
// never ends its line (/dev/zero) is read through in bounded memory.
func TestLineReaderBounded(t *testing.T) {
	const max = 1000
	in := "a\n" + strings.Repeat("y", max) + "\n" + strings.Repeat("x", 5*max) + "\n" + strings.Repeat("z", max+1) + "\nb"
	lr := newLineReader(strings.NewReader(in), max)
	var got []string
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if lr.tooLong {
			got = append(got, fmt.Sprintf("%d:long", lr.line))
		} else {
			got = append(got, fmt.Sprintf("%d:%d", lr.line, len(line)))
		}
		if len(lr.buf) > max+1 {
			t.Fatalf("buffer of %d bytes, over max+1", len(lr.buf))
		}
	}
	if want := "1:1 2:1000 3:long 4:long 5:1"; strings.Join(got, " ") != want || lr.bytes != int64(len(in)) {
		t.Errorf("got %s (%d bytes), want %s (%d)", strings.Join(got, " "), lr.bytes, want, len(in))
	}

	zeros := io.LimitReader(zeroReader{}, 50<<20) // 50 MB without a newline
	lr = newLineReader(zeros, 1<<20)
	n, long := 0, 0
	for _, ok := lr.next(); ok; _, ok = lr.next() {
		n++
		if lr.tooLong {
			long++
		}
	}
	if n != 1 || long != 1 || len(lr.buf) > 1<<20+1 || lr.bytes != 50<<20 {
		t.Errorf("/dev/zero: %d lines, %d too long, buffer %d bytes, %d read", n, long, len(lr.buf), lr.bytes)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestLineReaderInterrupted: a line that never ends (/dev/zero) is left
// when the read is interrupted, rather than read forever.
func TestLineReaderInterrupted(t *testing.T) {
	lr := newLineReader(zeroReader{}, 1<<20)
	chunks := 0
	lr.done = func() error {
		if chunks++; chunks == 10 {
			return context.Canceled
		}
		return nil
	}
	for _, ok := lr.next(); ok; _, ok = lr.next() {
	}
	if !errors.Is(lr.err, context.Canceled) {
		t.Errorf("err %v, want the interrupt", lr.err)
	}
}
