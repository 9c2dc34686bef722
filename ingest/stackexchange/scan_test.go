package stackexchange

import (
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
	lr := newLineReader(strings.NewReader("a\r\n" + long + "\nb"))
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
