package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Reader walks the YAML of one of Calvin's files (calvin.yaml, an export's
// mapping), keeping the first error, written "file:line: key: what".
type Reader struct {
	File string
	err  error
}

// Document parses data, the text of file, and returns its top node and a
// Reader for it.
func Document(file string, data []byte) (*yaml.Node, *Reader, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil, fmt.Errorf("%s: empty file", file)
	}
	return doc.Content[0], &Reader{File: file}, nil
}

// Err returns the first error met.
func (r *Reader) Err() error { return r.err }

// Fail records an error at n's line about key.
func (r *Reader) Fail(n *yaml.Node, key, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%s:%d: %s: %s", r.File, n.Line, key, fmt.Sprintf(format, args...))
	}
}

// Unknown records that key is not one the file may have.
func (r *Reader) Unknown(n *yaml.Node, key string, known ...string) {
	name := key[strings.LastIndexByte(key, '.')+1:]
	if near := Nearest(name, known); near != "" {
		r.Fail(n, key, "unknown key: did you mean %s?", near)
		return
	}
	r.Fail(n, key, "unknown key")
}

// Map calls fn with each key of a mapping node and its value; key is the
// node's own key, for the error when it is not a mapping. A key given
// twice is an error (YAML would keep the last silently).
func (r *Reader) Map(n *yaml.Node, key string, fn func(string, *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		if key == "" {
			key = "file"
		}
		r.Fail(n, key, "want keys and values")
		return
	}
	seen := map[string]int{} // key -> its line
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if line, ok := seen[k.Value]; ok {
			full := k.Value
			if key != "" {
				full = key + "." + k.Value
			}
			r.Fail(k, full, "given twice (first on line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		fn(k.Value, n.Content[i+1])
	}
}

// List calls fn with each item of a sequence node.
func (r *Reader) List(n *yaml.Node, key string, fn func(int, *yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		r.Fail(n, key, "want a list")
		return
	}
	for i, c := range n.Content {
		fn(i, c)
	}
}

// Str reads a single value.
func (r *Reader) Str(n *yaml.Node, key string) string {
	if n.Kind != yaml.ScalarNode {
		r.Fail(n, key, "want a single value")
		return ""
	}
	return n.Value
}

// Strs reads a value or a list of values.
func (r *Reader) Strs(n *yaml.Node, key string) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		r.Fail(n, key, "want a value or a list")
		return nil
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, r.Str(c, key))
	}
	return out
}

// Bool reads true or false.
func (r *Reader) Bool(n *yaml.Node, key string) bool {
	var b bool
	if err := n.Decode(&b); err != nil {
		r.Fail(n, key, "want true or false, got %q", n.Value)
	}
	return b
}

// Int reads a whole number.
func (r *Reader) Int(n *yaml.Node, key string) int64 {
	v, err := strconv.ParseInt(r.Str(n, key), 10, 64)
	if err != nil {
		r.Fail(n, key, "want a whole number, got %q", n.Value)
	}
	return v
}

// Float reads a number.
func (r *Reader) Float(n *yaml.Node, key string) float64 {
	v, err := strconv.ParseFloat(r.Str(n, key), 64)
	if err != nil {
		r.Fail(n, key, "want a number, got %q", n.Value)
	}
	return v
}

// OneOf reads a value that must be one of allowed.
func (r *Reader) OneOf(n *yaml.Node, key string, allowed ...string) string {
	v := r.Str(n, key)
	if !slices.Contains(allowed, v) {
		r.Fail(n, key, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
	return v
}

// Nearest returns the name of known nearest to a mistyped word (a key, a
// command, a flag), for a "did you mean" hint, or "" when none is near:
// within two edits (one for words of four letters or fewer), letters
// compared without case.
func Nearest(word string, known []string) string {
	limit := 2
	if len(word) <= 4 {
		limit = 1
	}
	best, bestD := "", limit+1
	for _, k := range known {
		if d := editDistance(strings.ToLower(word), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the number of edits between a and b, in bytes: a byte
// inserted, deleted or changed, or two next to each other swapped
// ("mya" is one from "may").
func editDistance(a, b string) int {
	pp, prev, cur := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], pp[j-2]+1)
			}
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(b)]
}
