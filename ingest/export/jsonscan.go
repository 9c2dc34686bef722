package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// A JSON Lines row is read by a small scanner, not encoding/json: it finds
// the spans of an object's members, and only the values a mapping names
// are ever converted, so a row costs no map and no allocation per member
// (encoding/json into a map read 0.4 M narrow rows a second, most of it
// allocating).

// member is one member of a JSON object: its key, unquoted, and its value
// as written.
type member struct {
	key []byte
	val []byte
}

// scanObject splits a JSON object into its members, appending them to
// ms. It checks the object's syntax down to its members' values, which
// it only skips over (a string's escapes, nested brackets).
func scanObject(b []byte, ms []member) ([]member, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return ms, errors.New("not a JSON object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return ms, trailing(b, i+1)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return ms, syntaxError(b, i, "a key in quotes")
		}
		end, err := skipString(b, i)
		if err != nil {
			return ms, err
		}
		key := b[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var s string
			if err := json.Unmarshal(b[i:end], &s); err != nil {
				return ms, err
			}
			key = []byte(s)
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return ms, syntaxError(b, i, "':'")
		}
		i = skipSpace(b, i+1)
		end, err = skipValue(b, i)
		if err != nil {
			return ms, err
		}
		ms = append(ms, member{key: key, val: b[i:end]})
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return ms, trailing(b, i+1)
		}
		return ms, syntaxError(b, i, "',' or '}'")
	}
}

func trailing(b []byte, i int) error {
	if i = skipSpace(b, i); i < len(b) {
		return syntaxError(b, i, "the end of the line")
	}
	return nil
}

func syntaxError(b []byte, i int, want string) error {
	if i >= len(b) {
		return fmt.Errorf("the line ends where %s should be", want)
	}
	return fmt.Errorf("%q at column %d where %s should be", b[i], i+1, want)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// skipString returns the end of the string starting at b[i], a quote.
func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errors.New("a string without its closing quote")
}

// skipValue returns the end of the value starting at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, syntaxError(b, i, "a value")
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '{' || c == '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := skipString(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errors.New("an object or list without its end")
	case c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n':
		j := i
		for j < len(b) && (b[j] == '-' || b[j] == '+' || b[j] == '.' || (b[j] >= '0' && b[j] <= '9') || (b[j] >= 'a' && b[j] <= 'z') || b[j] == 'E') {
			j++
		}
		switch lit := string(b[i:j]); {
		case lit == "true", lit == "false", lit == "null", c == '-' || (c >= '0' && c <= '9'):
			return j, nil
		}
		return 0, syntaxError(b, i, "a value")
	}
	return 0, syntaxError(b, i, "a value")
}

// appendValue appends the text of a JSON value to out: a string unquoted,
// a number or a boolean as written, each item of a list; null adds
// nothing, and an object its JSON.
func appendValue(out []string, v []byte) ([]string, error) {
	if len(v) == 0 {
		return out, nil
	}
	switch v[0] {
	case '"':
		if bytes.IndexByte(v, '\\') < 0 {
			if len(v) > 2 {
				out = append(out, string(v[1:len(v)-1]))
			}
			return out, nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return out, err
		}
		if s != "" {
			out = append(out, s)
		}
		return out, nil
	case '[':
		i := skipSpace(v, 1)
		for i < len(v) && v[i] != ']' {
			end, err := skipValue(v, i)
			if err != nil {
				return out, err
			}
			if out, err = appendValue(out, v[i:end]); err != nil {
				return out, err
			}
			i = skipSpace(v, end)
			if i < len(v) && v[i] == ',' {
				i = skipSpace(v, i+1)
			}
		}
		return out, nil
	case 'n':
		return out, nil
	}
	return append(out, string(v)), nil
}
