package ingest

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// DuckDB refuses a string that is not valid UTF-8, and with it the whole
// load: one bad byte in a Message-ID lost a Mailman archive of 9,600
// messages. Every text a reader emits is made valid on its way into a
// batch (Builder.Append, Facts.Add), in one of two ways.

// AppendKey appends k to dst as valid UTF-8, for a text that names
// something (a post's id, an account, an area): each byte of an invalid
// sequence is written \xNN (two lower-case hex digits) and the rest is
// kept as it is, so that the same bytes always give the same key (a reply
// still finds its parent) and two different keys stay different (unless
// one of them held the escape's own text, "\xea", where the other held the
// byte).
func AppendKey(dst, k []byte) []byte {
	const hex = "0123456789abcdef"
	for len(k) > 0 {
		r, n := utf8.DecodeRune(k)
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, '\\', 'x', hex[k[0]>>4], hex[k[0]&15])
		} else {
			dst = append(dst, k[:n]...)
		}
		k = k[n:]
	}
	return dst
}

// AppendText appends t to dst as valid UTF-8, for a text read by people (a
// title, a name): each byte of an invalid sequence is read as
// Windows-1252, the charset such text was nearly always in ("J\xf6rg" is
// Jörg), and the rest is kept.
func AppendText(dst, t []byte) []byte {
	for len(t) > 0 {
		r, n := utf8.DecodeRune(t)
		if r == utf8.RuneError && n == 1 {
			dst = utf8.AppendRune(dst, charmap.Windows1252.DecodeByte(t[0]))
		} else {
			dst = append(dst, t[:n]...)
		}
		t = t[n:]
	}
	return dst
}

// Key returns s as AppendKey makes it, s itself when it is valid.
func Key(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string(AppendKey(nil, []byte(s)))
}
