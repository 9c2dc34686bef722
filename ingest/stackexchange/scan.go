package stackexchange

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// lineReader yields the lines of a dump file without copying them: a line
// is valid until the next call. Dump files hold one <row .../> per line;
// newlines inside values are escaped as &#xA;, so a line is a record.
type lineReader struct {
	r     io.Reader
	done  func() error // an interrupt, checked as a long line is passed over; nil: none
	max   int          // the longest line kept; a longer one is passed over (tooLong)
	buf   []byte
	start int // first unread byte in buf
	end   int // end of the read bytes in buf
	eof   bool
	// tooLong: the line last returned was longer than max, passed over
	tooLong bool
	line    int64 // number of the line last returned, 1-based
	bytes   int64 // bytes consumed, for progress
	err     error
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: r, max: max, buf: make([]byte, min(1<<20, max+1))}
}

// next returns the next line without its line ending, or false at the end
// of input or on a read error (then err is set). A line longer than the
// reader's max is returned as nil with tooLong set, its bytes dropped as
// they are read: memory stays bounded by max whatever the input.
func (lr *lineReader) next() (line []byte, ok bool) {
	lr.tooLong = false
	for {
		if i := bytes.IndexByte(lr.buf[lr.start:lr.end], '\n'); i >= 0 {
			line := lr.buf[lr.start : lr.start+i]
			if i > lr.max {
				lr.start += i + 1
				lr.bytes += int64(i + 1)
				lr.line++
				lr.tooLong = true
				return nil, true
			}
			lr.start += i + 1
			lr.bytes += int64(i + 1)
			lr.line++
			return bytes.TrimSuffix(line, []byte{'\r'}), true
		}
		if lr.end-lr.start > lr.max {
			lr.skipLine()
			return nil, true
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

// skipLine drops the rest of a line longer than max, up to and including
// its newline, and counts it.
func (lr *lineReader) skipLine() {
	lr.tooLong = true
	lr.line++
	for {
		if i := bytes.IndexByte(lr.buf[lr.start:lr.end], '\n'); i >= 0 {
			lr.start += i + 1
			lr.bytes += int64(i + 1)
			return
		}
		lr.bytes += int64(lr.end - lr.start)
		lr.start, lr.end = 0, 0
		if lr.eof {
			return
		}
		if lr.done != nil {
			if err := lr.done(); err != nil {
				lr.err, lr.eof = err, true // a line that never ends (/dev/zero) is left when interrupted
				return
			}
		}
		lr.fill()
	}
}

// fill moves the unread bytes to the front, grows the buffer if one line
// fills it (up to one byte more than max), and reads more.
func (lr *lineReader) fill() {
	if lr.start > 0 {
		lr.end = copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.start = 0
	}
	if lr.end == len(lr.buf) {
		grown := make([]byte, min(2*len(lr.buf), lr.max+1))
		if len(grown) == len(lr.buf) {
			return // a line of max+1 bytes: next passes it over
		}
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
	// Names are short: a loop finds their end faster than a search call.
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	start := i
	for i < len(s) && s[i] != '=' {
		i++
	}
	if i == len(s) {
		if t := bytes.TrimSpace(s[start:]); len(t) == 0 || bytes.Equal(t, []byte("/>")) {
			return nil, nil, nil, false, nil
		}
		return nil, nil, nil, false, fmt.Errorf("malformed row: %q", clip(s[start:]))
	}
	name = s[start:i]
	for len(name) > 0 && (name[len(name)-1] == ' ' || name[len(name)-1] == '\t') {
		name = name[:len(name)-1]
	}
	if i+1 >= len(s) || s[i+1] != '"' {
		return nil, nil, nil, false, fmt.Errorf("malformed attribute %s: value not quoted", clip(name))
	}
	end := bytes.IndexByte(s[i+2:], '"')
	if end < 0 {
		return nil, nil, nil, false, fmt.Errorf("malformed attribute %s: unterminated value", clip(name))
	}
	value = s[i+2 : i+2+end]
	return name, value, s[i+2+end+1:], true, nil
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
//
// Entities stand a few bytes apart in a body, too close for a search call
// per entity to pay. The loop takes eight bytes at a time, marks the
// ampersands among them, and sizes each entity from the eight bytes that
// start with it; no entity holds an ampersand, so each mark is a start.
func unescapedLen(v []byte) int64 {
	const (
		lows  = 0x7f7f7f7f7f7f7f7f
		highs = 0x8080808080808080
		amps  = 0x2626262626262626
	)
	n := int64(len(v))
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := binary.LittleEndian.Uint64(v[i:]) ^ amps // zero bytes where v has '&'
		marks := ^(((x & lows) + lows) | x | lows)    // the high bit of each zero byte
		for marks != 0 {
			n -= entitySavings(v, i+bits.TrailingZeros64(marks)/8)
			marks &= marks - 1
		}
	}
	for ; i < len(v); i++ {
		if v[i] == '&' {
			n -= entitySavings(v, i)
		}
	}
	return n
}

// entitySavings returns how many bytes shorter the entity at v[i] is once
// unescaped, or 0 if it is not one.
func entitySavings(v []byte, i int) int64 {
	if i+8 <= len(v) {
		w := binary.LittleEndian.Uint64(v[i:])
		switch {
		case w&0xffffffff == 0x3b746c26, w&0xffffffff == 0x3b746726: // &lt; &gt;
			return 3
		case w&0xffffffffff == 0x3b41782326, w&0xffffffffff == 0x3b44782326: // &#xA; &#xD;
			return 4
		case w&0xffffffffffff == 0x3b746f757126: // &quot;
			return 5
		case w&0xffffffffff == 0x3b706d6126: // &amp;
			return 4
		}
	}
	rest := v[i+1:]
	if len(rest) < 3 {
		return 0
	}
	semi := 0 // where a named entity's ';' must be
	switch rest[0] {
	case 'l', 'g':
		semi = 2
	case 'q':
		semi = 4
	case 'a':
		semi = 3 // &amp;
		if rest[1] == 'p' {
			semi = 4 // &apos;
		}
	case '#':
		if r, size, ok := numRef(rest[1:]); ok {
			return int64(size+2) - int64(utf8.RuneLen(r))
		}
		return 0
	default:
		return 0
	}
	if semi < len(rest) && rest[semi] == ';' {
		return int64(semi + 1)
	}
	return 0
}

// numRef reads the digits and semicolon of a numeric character reference
// after its "&#" ("xE9;", "233;"): the character and the bytes read.
func numRef(v []byte) (r rune, size int, ok bool) {
	base, i := rune(10), 0
	if len(v) > 0 && (v[0] == 'x' || v[0] == 'X') {
		base, i = 16, 1
	}
	start := i
	for ; i < len(v) && i < 9; i++ {
		c := v[i]
		var d rune
		switch {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		case c == ';' && i > start:
			if r > utf8.MaxRune {
				return 0, 0, false
			}
			return r, i + 1, true
		default:
			return 0, 0, false
		}
		r = r*base + d
	}
	return 0, 0, false
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
