package stackexchange

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// lineReader yields the lines of a dump file without copying them: a line
// is valid until the next call. Dump files hold one <row .../> per line;
// newlines inside values are escaped as &#xA;, so a line is a record.
type lineReader struct {
	r     io.Reader
	buf   []byte
	start int // first unread byte in buf
	end   int // end of the read bytes in buf
	eof   bool
	line  int64 // number of the line last returned, 1-based
	bytes int64 // bytes consumed, for progress
	err   error
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, buf: make([]byte, 1<<20)}
}

// next returns the next line without its line ending, or false at the end
// of input or on a read error (then err is set).
func (lr *lineReader) next() ([]byte, bool) {
	for {
		if i := bytes.IndexByte(lr.buf[lr.start:lr.end], '\n'); i >= 0 {
			line := lr.buf[lr.start : lr.start+i]
			lr.start += i + 1
			lr.bytes += int64(i + 1)
			lr.line++
			return bytes.TrimSuffix(line, []byte{'\r'}), true
		}
		if lr.eof {
			if lr.start == lr.end {
				return nil, false
			}
			line := lr.buf[lr.start:lr.end]
			lr.bytes += int64(lr.end - lr.start)
			lr.start = lr.end
			lr.line++
			return bytes.TrimSuffix(line, []byte{'\r'}), true
		}
		lr.fill()
	}
}

// fill moves the unread bytes to the front, grows the buffer if one line
// fills it, and reads more.
func (lr *lineReader) fill() {
	if lr.start > 0 {
		lr.end = copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.start = 0
	}
	if lr.end == len(lr.buf) {
		grown := make([]byte, 2*len(lr.buf))
		copy(grown, lr.buf[:lr.end])
		lr.buf = grown
	}
	n, err := io.ReadAtLeast(lr.r, lr.buf[lr.end:], 1)
	lr.end += n
	if err != nil {
		lr.eof = true
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			lr.err = err
		}
	}
}

// rowAttrs returns the attribute text of a line holding a <row .../>
// element, or false for any other line (the XML declaration, the root
// element's tags, blank lines).
func rowAttrs(line []byte) ([]byte, bool) {
	line = bytes.TrimLeft(line, " \t\ufeff")
	if !bytes.HasPrefix(line, []byte("<row")) {
		return nil, false
	}
	return line[len("<row"):], true
}

// nextAttr scans the attribute at the start of s and returns its name, its
// still-escaped value and the rest of s. ok is false when no attribute is
// left; err is set when the text is not a well-formed attribute.
func nextAttr(s []byte) (name, value, rest []byte, ok bool, err error) {
	eq := bytes.IndexByte(s, '=')
	if eq < 0 {
		if t := bytes.TrimSpace(s); len(t) == 0 || bytes.Equal(t, []byte("/>")) {
			return nil, nil, nil, false, nil
		}
		return nil, nil, nil, false, fmt.Errorf("malformed row: %q", clip(s))
	}
	name = bytes.TrimSpace(s[:eq])
	if eq+1 >= len(s) || s[eq+1] != '"' {
		return nil, nil, nil, false, fmt.Errorf("malformed attribute %s: value not quoted", clip(name))
	}
	end := bytes.IndexByte(s[eq+2:], '"')
	if end < 0 {
		return nil, nil, nil, false, fmt.Errorf("malformed attribute %s: unterminated value", clip(name))
	}
	value = s[eq+2 : eq+2+end]
	return name, value, s[eq+2+end+1:], true, nil
}

// clip shortens text quoted in an error message.
func clip(b []byte) []byte {
	if len(b) > 40 {
		return append(append([]byte{}, b[:40]...), "..."...)
	}
	return b
}

// unescape appends the text of an XML attribute value to dst, replacing the
// five named entities and numeric character references.
func unescape(dst, v []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(v, '&')
		if i < 0 {
			return append(dst, v...), nil
		}
		dst = append(dst, v[:i]...)
		v = v[i:]
		semi := bytes.IndexByte(v, ';')
		if semi < 0 {
			return dst, fmt.Errorf("unterminated entity %q", clip(v))
		}
		ent := v[1:semi]
		switch string(ent) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ent)
			if !ok {
				return dst, fmt.Errorf("unknown entity &%s;", clip(ent))
			}
			dst = utf8.AppendRune(dst, r)
		}
		v = v[semi+1:]
	}
}

// charRef decodes the inside of a numeric character reference, "#65" or
// "#x41".
func charRef(ent []byte) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if ent[1] == 'x' || ent[1] == 'X' {
		n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
	}
	if err != nil || n > utf8.MaxRune {
		return 0, false
	}
	return rune(n), true
}

// unescapedLen returns the length in bytes of v once unescaped, without
// unescaping it: the size of a body that is not kept. An entity it cannot
// read counts as written.
func unescapedLen(v []byte) int64 {
	n := int64(len(v))
	for {
		i := bytes.IndexByte(v, '&')
		if i < 0 || i+3 >= len(v) {
			return n
		}
		v = v[i+1:]
		switch {
		case (v[0] == 'l' || v[0] == 'g') && v[2] == ';': // &lt; &gt;
			n -= 3
			v = v[3:]
			continue
		case v[0] == 'a' && len(v) > 3 && v[3] == ';': // &amp;
			n -= 4
			v = v[4:]
			continue
		case (v[0] == 'q' || v[0] == 'a') && len(v) > 4 && v[4] == ';': // &quot; &apos;
			n -= 5
			v = v[5:]
			continue
		}
		semi := bytes.IndexByte(v, ';')
		if semi < 0 || semi > 10 {
			continue
		}
		if r, ok := charRef(v[:semi]); ok {
			n -= int64(semi+2) - int64(utf8.RuneLen(r))
		}
		v = v[semi+1:]
	}
}

// parseInt reads a decimal integer attribute value.
func parseInt(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 19 {
		return 0, false
	}
	neg := false
	if v[0] == '-' {
		neg = true
		v = v[1:]
		if len(v) == 0 {
			return 0, false
		}
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseTime reads a dump timestamp, "2010-08-25T19:50:51.187" (the
// fraction may be missing or of any length), as microseconds since
// 1970-01-01 UTC. The dumps' times are UTC.
func parseTime(v []byte) (int64, bool) {
	if len(v) < 19 || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':' {
		return 0, false
	}
	year, ok1 := digits(v[0:4])
	month, ok2 := digits(v[5:7])
	day, ok3 := digits(v[8:10])
	hour, ok4 := digits(v[11:13])
	minute, ok5 := digits(v[14:16])
	sec, ok6 := digits(v[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour > 23 || minute > 59 || sec > 60 {
		return 0, false
	}
	var micros int64
	if rest := v[19:]; len(rest) > 0 {
		if rest[0] != '.' || len(rest) < 2 {
			return 0, false
		}
		scale := int64(100000)
		for _, c := range rest[1:] {
			if c < '0' || c > '9' {
				return 0, false
			}
			micros += int64(c-'0') * scale
			scale /= 10
		}
	}
	days := daysFromCivil(year, month, day)
	return ((days*24+hour)*60+minute)*60_000_000 + sec*1_000_000 + micros, true
}

func digits(v []byte) (int64, bool) {
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func daysIn(year, month int64) int64 {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
