// Package export reads a forum's export, a CSV or JSON Lines file, into
// posts through a mapping the user writes in YAML: which column holds each
// field of the canonical post, how times are written, constant values,
// and what to do when a field is missing.
package export

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zone names (America/Los_Angeles) on machines without a zone database

	"gopkg.in/yaml.v3"

	"github.com/calvinslist/calvin/config"
	"github.com/calvinslist/calvin/ingest"
)

// Mapping says how an export's rows become posts. See configs/ for
// examples and the README for every key.
type Mapping struct {
	File string // the mapping's file, for errors

	Format string // "csv" or "jsonl"; "" to go by the data file's extension

	// CSV: whether the first row names the columns, the delimiter, and
	// the names of the columns of a file without a header.
	Header    bool
	Delimiter rune
	Columns   []string

	// Time: how created_at and accepted_at are written, a Go layout
	// ("02-Jan-2006 03:04 PM MST") or rfc3339, unix, unix_ms; and the zone
	// of times written without an offset (a zone abbreviation, PST, is read
	// in that zone too).
	Layout string
	Zone   *time.Location

	// Fields names the column (CSV) or key (JSON, dotted for nested
	// objects) of each field; areas may have several. Values gives fields
	// a constant. AreasSplit, if set, splits each areas value ("go;sql").
	Fields     map[string][]string
	Values     map[string][]string
	AreasSplit string

	// What to do when a field is missing: a row without a post id gets one
	// derived from its content ("derive") or is rejected ("reject", the
	// default); a reply without a parent answers its thread's first post
	// ("first") or nothing ("none", the default); a post without a thread
	// starts one per title ("title") or takes its parent's ("parent", the
	// default; a post without either starts its own).
	MissingPostID, MissingParent, MissingThread string
}

// The fields a mapping can name, those of the canonical post; body is a
// column whose length is the body's size.
var fieldNames = []string{"post_id", "thread_id", "parent_id", "kind", "title", "author", "author_name",
	"created_at", "areas", "score", "views", "accepted_at", "body", "body_bytes"}

// LoadMapping reads a mapping file. Every error names the file, the line
// and the key.
func LoadMapping(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMapping(path, data)
}

// ParseMapping reads a mapping from data; name is its file's name.
func ParseMapping(name string, data []byte) (*Mapping, error) {
	m := &Mapping{File: name, Header: true, Delimiter: ',', Zone: time.UTC, Layout: "rfc3339",
		Fields: map[string][]string{}, Values: map[string][]string{},
		MissingPostID: "reject", MissingParent: "none", MissingThread: "parent"}
	root, p, err := config.Document(name, data)
	if err != nil {
		return nil, err
	}
	p.Map(root, "", func(key string, v *yaml.Node) {
		switch key {
		case "format":
			m.Format = p.OneOf(v, key, "csv", "jsonl")
		case "csv":
			p.Map(v, key, func(k string, v *yaml.Node) {
				switch k {
				case "header":
					m.Header = p.Bool(v, "csv.header")
				case "delimiter":
					d := p.Str(v, "csv.delimiter")
					if d == `\t` {
						d = "\t"
					}
					if r := []rune(d); len(r) == 1 && r[0] != '"' && r[0] != '\n' && r[0] != '\r' {
						m.Delimiter = r[0]
					} else {
						p.Fail(v, "csv.delimiter", "want one character other than a quote or a line end, got %q", d)
					}
				case "columns":
					m.Columns = p.Strs(v, "csv.columns")
				default:
					p.Unknown(v, "csv."+k, "header", "delimiter", "columns")
				}
			})
		case "time":
			p.Map(v, key, func(k string, v *yaml.Node) {
				switch k {
				case "layout":
					m.Layout = p.Str(v, "time.layout")
				case "zone":
					z := p.Str(v, "time.zone")
					loc, err := time.LoadLocation(z)
					if err != nil {
						p.Fail(v, "time.zone", "unknown zone %q (write it as Area/City, America/Los_Angeles)", z)
					}
					m.Zone = loc
				default:
					p.Unknown(v, "time."+k, "layout", "zone")
				}
			})
		case "fields", "values":
			into := m.Fields
			if key == "values" {
				into = m.Values
			}
			p.Map(v, key, func(k string, v *yaml.Node) {
				if !slices.Contains(fieldNames, k) {
					hint := ""
					if near := config.Nearest(k, fieldNames); near != "" {
						hint = ": did you mean " + near + "?"
					}
					p.Fail(v, key+"."+k, "unknown field%s (known: %s)", hint, strings.Join(fieldNames, ", "))
					return
				}
				vals := p.Strs(v, key+"."+k)
				if len(vals) > 1 && k != "areas" {
					p.Fail(v, key+"."+k, "one value only (areas alone may have several)")
				}
				into[k] = vals
			})
		case "areas_split":
			m.AreasSplit = p.Str(v, key)
		case "missing":
			p.Map(v, key, func(k string, v *yaml.Node) {
				switch k {
				case "post_id":
					m.MissingPostID = p.OneOf(v, "missing.post_id", "derive", "reject")
				case "parent":
					m.MissingParent = p.OneOf(v, "missing.parent", "first", "none")
				case "thread":
					m.MissingThread = p.OneOf(v, "missing.thread", "title", "parent")
				default:
					p.Unknown(v, "missing."+k, "post_id", "parent", "thread")
				}
			})
		default:
			p.Unknown(v, key, "format", "csv", "time", "fields", "values", "areas_split", "missing")
		}
	})
	if err := p.Err(); err != nil {
		return nil, err
	}
	return m, m.check(root)
}

// check reports what a mapping lacks or contradicts, at the line of the
// mapping's start.
func (m *Mapping) check(root *yaml.Node) error {
	fail := func(key, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s: %s", m.File, root.Line, key, fmt.Sprintf(format, args...))
	}
	for f := range m.Fields {
		if _, both := m.Values[f]; both && f != "areas" { // areas: the columns' and the constants
			return fail("fields."+f, "set in values too: one or the other")
		}
	}
	if _, ok := m.Fields["created_at"]; !ok {
		return fail("fields.created_at", "required: the column of the posts' times")
	}
	if _, ok := m.Fields["author"]; !ok {
		if _, ok := m.Values["author"]; !ok {
			return fail("fields.author", "required: the column of the posts' authors")
		}
	}
	if _, ok := m.Fields["post_id"]; !ok && m.MissingPostID != "derive" {
		return fail("fields.post_id", "required, unless missing.post_id is derive")
	}
	if _, ok := m.Fields["title"]; !ok && m.MissingThread == "title" {
		return fail("missing.thread", "title needs fields.title")
	}
	if k, ok := m.Values["kind"]; ok && !validKind(k[0]) {
		return fail("values.kind", "unknown kind %q (question, answer, comment, topic, reply)", k[0])
	}
	if !m.Header && m.Format != "jsonl" && len(m.Columns) == 0 {
		for f, cols := range m.Fields {
			for _, c := range cols {
				if _, err := strconv.Atoi(c); err != nil {
					return fail("fields."+f, "the file has no header: name csv.columns, or give column numbers (from 1)")
				}
			}
		}
	}
	switch m.Layout {
	case "rfc3339", "unix", "unix_ms":
	default:
		if !strings.ContainsAny(m.Layout, "0123456789") {
			return fail("time.layout", "%q is no Go layout (write the reference time as your file does, 02-Jan-2006 03:04 PM MST) nor rfc3339, unix, unix_ms", m.Layout)
		}
	}
	return nil
}

func validKind(k string) bool {
	switch k {
	case ingest.KindQuestion, ingest.KindAnswer, ingest.KindComment, ingest.KindTopic, ingest.KindReply:
		return true
	}
	return false
}

// parseTime reads a time as the mapping says times are written.
func (m *Mapping) parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch m.Layout {
	case "unix", "unix_ms":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, errors.New("not a number of seconds")
		}
		if m.Layout == "unix_ms" {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	case "rfc3339":
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, nil
		}
		return time.ParseInLocation("2006-01-02T15:04:05.999999999", s, m.Zone)
	}
	return time.ParseInLocation(m.Layout, s, m.Zone)
}
