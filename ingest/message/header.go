// Package message reads mail and news messages (RFC 5322, RFC 1036) into
// posts of the canonical schema. The mbox, NNTP and spool ingestors share
// it: they find where each message's header is, and this package reads the
// fields Calvin keeps.
package message

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// Header holds the fields of a message's header that Calvin keeps, decoded
// to UTF-8.
type Header struct {
	MessageID  string   // without angle brackets; "" when the header has none
	InReplyTo  string   // the first message id of In-Reply-To
	References []string // the message ids of References, in order
	From       string   // the sender's normalised address; "" when the From header holds none
	Name       string   // the name shown for the sender
	FromText   string   // the From header as written (decoded), for the report of one without an address
	HasFrom    bool     // the header has a From field
	Date       string   // the Date header as written; parsed by ParseDate
	Subject    string
	Newsgroups []string
	ListID     string // List-Id's id ("linux-mips.linux-mips.org"), or X-List's value
}

// ParseHeader reads a header block: the lines before the blank line that
// ends it, with or without that line, LF or CRLF. Folded lines are
// unfolded; fields Calvin does not keep are passed over. A field name seen
// twice keeps its first value.
func ParseHeader(block []byte) Header {
	var h Header
	var have uint16
	for len(block) > 0 {
		line, rest := nextLine(block)
		block = rest
		if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			continue // the blank end, or a continuation of a field passed over
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		f := fieldOf(line[:colon])
		if f == 0 || have&(1<<f) != 0 {
			continue
		}
		have |= 1 << f
		value := line[colon+1:]
		for len(block) > 0 && (block[0] == ' ' || block[0] == '\t') {
			cont, rest := nextLine(block)
			block = rest
			value = append(append(value[:len(value):len(value)], ' '), bytes.TrimLeft(cont, " \t")...)
		}
		v := strings.TrimSpace(string(value))
		switch f {
		case fieldMessageID:
			if ids := msgIDs(v); len(ids) > 0 {
				h.MessageID = ids[0]
			} else if v != "" && !strings.ContainsAny(v, " \t") {
				h.MessageID = v
			}
		case fieldInReplyTo:
			if ids := msgIDs(v); len(ids) > 0 {
				h.InReplyTo = ids[0]
			}
		case fieldReferences:
			h.References = msgIDs(v)
		case fieldFrom:
			h.FromText = decodeText(v)
			h.HasFrom = true
			h.From, h.Name = ParseFrom(h.FromText)
		case fieldDate:
			h.Date = v
		case fieldSubject:
			h.Subject = strings.Join(strings.Fields(decodeText(v)), " ")
		case fieldNewsgroups:
			for _, g := range strings.Split(v, ",") {
				if g = lowerASCII(strings.TrimSpace(g)); g != "" {
					h.Newsgroups = append(h.Newsgroups, g)
				}
			}
		case fieldListID:
			if ids := msgIDs(v); len(ids) > 0 {
				h.ListID = lowerASCII(ids[0])
			} else {
				h.ListID = lowerASCII(strings.TrimSpace(v))
			}
		case fieldXList:
			if h.ListID == "" {
				h.ListID = lowerASCII(v)
			}
		}
	}
	return h
}

// The fields ParseHeader keeps.
const (
	fieldNone = iota
	fieldMessageID
	fieldInReplyTo
	fieldReferences
	fieldFrom
	fieldDate
	fieldSubject
	fieldNewsgroups
	fieldListID
	fieldXList
)

// fieldOf names a field, case-insensitively, without allocating.
func fieldOf(name []byte) int {
	switch len(name) {
	case 4:
		switch {
		case bytes.EqualFold(name, []byte("From")):
			return fieldFrom
		case bytes.EqualFold(name, []byte("Date")):
			return fieldDate
		}
	case 6:
		if bytes.EqualFold(name, []byte("X-List")) {
			return fieldXList
		}
	case 7:
		switch {
		case bytes.EqualFold(name, []byte("Subject")):
			return fieldSubject
		case bytes.EqualFold(name, []byte("List-Id")):
			return fieldListID
		}
	case 10:
		switch {
		case bytes.EqualFold(name, []byte("Message-ID")):
			return fieldMessageID
		case bytes.EqualFold(name, []byte("References")):
			return fieldReferences
		case bytes.EqualFold(name, []byte("Newsgroups")):
			return fieldNewsgroups
		}
	case 11:
		if bytes.EqualFold(name, []byte("In-Reply-To")) {
			return fieldInReplyTo
		}
	}
	return fieldNone
}

// lowerASCII lower-cases the ASCII letters of a name (a newsgroup's, a
// list's) and keeps every other byte: strings.ToLower would turn bytes that
// are not UTF-8 into U+FFFD, making two names one.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// nextLine splits off the first line, without its LF or CRLF.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	line, rest = b[:i], b[i+1:]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}

// msgIDs returns the ids between angle brackets in v, without them, with
// pipermail's "user at host" turned back into user@host. Each id is the
// innermost well-formed <id>: a token left open ("<C5MxrF. <id@host>",
// "<Message-ID: <id@host>") gives the id inside it, not nothing.
func msgIDs(v string) []string {
	var ids []string
	for {
		gt := strings.IndexByte(v, '>')
		if gt < 0 {
			return ids
		}
		if lt := strings.LastIndexByte(v[:gt], '<'); lt >= 0 {
			id := strings.TrimSpace(v[lt+1 : gt])
			if !strings.Contains(id, "@") {
				id = strings.Replace(id, " at ", "@", 1) // pipermail munges ids too
			}
			if id != "" && !strings.ContainsAny(id, " \t") {
				ids = append(ids, id)
			}
		}
		v = v[gt+1:]
	}
}

// decodeText decodes RFC 2047 encoded words in any charset the WHATWG
// encoding standard names; raw 8-bit text that is not UTF-8 is read as
// Windows-1252, the charset such headers were nearly always in.
func decodeText(v string) string {
	if strings.Contains(v, "=?") {
		dec := mime.WordDecoder{CharsetReader: charsetReader}
		if d, err := dec.DecodeHeader(v); err == nil {
			v = d
		}
	}
	if !utf8.ValidString(v) {
		if d, err := charmap.Windows1252.NewDecoder().String(v); err == nil {
			v = d
		}
	}
	return v
}

// charsetReader decodes the charsets the WHATWG encoding standard names.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", charset)
	}
	return enc.NewDecoder().Reader(r), nil
}

// Time returns the message's date: the Date header's if it can be read
// and check (the read's range of dates, ingest.Options.Dates) takes
// it, else fallback's (an mbox separator's; zero when there is none) if
// check takes that. The error says why neither would do.
func (h *Header) Time(fallback time.Time, check func(time.Time) error) (time.Time, error) {
	var err error
	if h.Date == "" {
		err = fmt.Errorf("no Date")
	} else {
		var t time.Time
		if t, err = ParseDate(h.Date); err == nil {
			if err = check(t); err == nil {
				return t, nil
			}
			err = fmt.Errorf("Date %q: %w", h.Date, err)
		}
	}
	if fallback.IsZero() {
		return time.Time{}, err
	}
	if ferr := check(fallback); ferr != nil {
		return time.Time{}, fmt.Errorf("%w, nor the separator's date: %w", err, ferr)
	}
	return fallback, nil
}
