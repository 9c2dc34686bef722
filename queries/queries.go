// Package queries holds the named SQL behind every table, refresh and report
// of Calvin, one query a file (a refresh or the schema may be several
// statements run in order, parameters bound to the last). A file's leading
// comment documents it: what it returns and the parameters ($name) it
// takes. The files are plain DuckDB SQL, readable and runnable outside
// Calvin.
package queries

import (
	"database/sql"
	"embed"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed *.sql reports/*.sql
var files embed.FS

// Get returns the text of the named query, the file NAME.sql.
func Get(name string) (string, error) {
	b, err := files.ReadFile(name + ".sql")
	if err != nil {
		return "", fmt.Errorf("no query named %q", name)
	}
	return string(b), nil
}

// MustGet returns the text of a query the program itself ships and relies
// on; a missing one is a build mistake, so it panics.
func MustGet(name string) string {
	q, err := Get(name)
	if err != nil {
		panic(err)
	}
	return q
}

// Metrics returns the names of the per-month metrics the engine computes
// (engine/metrics.go), in the order of the monthly_metrics table's columns.
func Metrics() []string {
	return []string{
		"posts", "comments", "questions", "answers", "topics", "received",
		"accepted", "reach", "helped", "first_responses", "audience", "active_days",
	}
}

// Report is a named query users run by name (calvin query): a file of
// reports/, its leading comment saying what it returns and its parameters.
type Report struct {
	Name    string
	Summary string // the comment's first paragraph
	Params  []Param
	SQL     string
}

// Param is a report's parameter, documented in its comment's Parameters
// block as "$name  what it is (required)", "(optional)" (null when not
// given) or "(default: VALUE)".
type Param struct {
	Name     string
	Doc      string
	Required bool
	Default  *string // nil: none (null) unless Required
	// Type is what the SQL casts the parameter to (CAST($limit AS
	// INTEGER)): INTEGER, BIGINT, DOUBLE or DATE, checked by Bind; ""
	// for text.
	Type string
}

// castParam finds a report's casts of its parameters.
var castParam = regexp.MustCompile(`(?i)CAST\(\$([a-z_]+) AS (INTEGER|BIGINT|DOUBLE|DATE)\)`)

// Reports returns the reports, by name.
func Reports() ([]Report, error) {
	entries, err := files.ReadDir("reports")
	if err != nil {
		return nil, err
	}
	var out []Report
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok {
			continue
		}
		r, err := GetReport(name)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// GetReport returns the named report.
func GetReport(name string) (Report, error) {
	b, err := files.ReadFile("reports/" + name + ".sql")
	if err != nil || strings.ContainsAny(name, "/.") {
		return Report{}, fmt.Errorf("no report named %q (calvin query --list lists them)", name)
	}
	r := Report{Name: name, SQL: string(b)}
	var summary []string
	inParams, inSummary := false, true
	for line := range strings.Lines(r.SQL) {
		text, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "--")
		if !ok {
			break
		}
		text = strings.TrimSpace(text)
		switch {
		case text == "":
			inSummary = false
		case strings.HasPrefix(text, "Parameters:"):
			inParams, inSummary = true, false
		case inSummary:
			summary = append(summary, text)
		case inParams && strings.HasPrefix(text, "$"):
			p, err := param(text)
			if err != nil {
				return Report{}, fmt.Errorf("reports/%s.sql: %w", name, err)
			}
			r.Params = append(r.Params, p)
		}
	}
	r.Summary = strings.TrimPrefix(strings.Join(summary, " "), name+": ")
	for _, m := range castParam.FindAllStringSubmatch(r.SQL, -1) {
		for i := range r.Params {
			if r.Params[i].Name == m[1] {
				r.Params[i].Type = strings.ToUpper(m[2])
			}
		}
	}
	return r, nil
}

// param reads one line of a Parameters block.
func param(text string) (Param, error) {
	name, doc, _ := strings.Cut(text[1:], " ")
	p := Param{Name: name, Doc: strings.TrimSpace(doc)}
	switch {
	case strings.HasSuffix(p.Doc, "(required)"):
		p.Required = true
	case strings.Contains(p.Doc, "(optional"):
	default:
		i := strings.LastIndex(p.Doc, "(default: ")
		if i < 0 || !strings.HasSuffix(p.Doc, ")") {
			return p, fmt.Errorf("$%s: say (required), (optional) or (default: VALUE)", name)
		}
		v := p.Doc[i+len("(default: ") : len(p.Doc)-1]
		p.Default = &v
	}
	return p, nil
}

// check reports whether v is a value of the parameter's type.
func (p Param) check(v string) error {
	var err error
	want := ""
	switch p.Type {
	case "INTEGER":
		_, err = strconv.ParseInt(v, 10, 32)
		want = "a whole number"
	case "BIGINT":
		_, err = strconv.ParseInt(v, 10, 64)
		want = "a whole number"
	case "DOUBLE":
		_, err = strconv.ParseFloat(v, 64)
		want = "a number"
	case "DATE":
		_, err = time.Parse(time.DateOnly, v)
		want = "a date, YYYY-MM-DD"
	}
	if err != nil {
		return fmt.Errorf("wants %s, got %q", want, v)
	}
	return nil
}

// Bind matches given parameters (name to value) to the report's: it
// returns the arguments to run its SQL with, a default or NULL for each
// optional one not given, or an error naming a required parameter
// missing, one the report does not take, or a value not of its type.
func (r Report) Bind(given map[string]string) ([]any, error) {
	var bind []any
	used := 0
	for _, p := range r.Params {
		v, ok := given[p.Name]
		switch {
		case ok:
			used++
			if err := p.check(v); err != nil {
				return nil, fmt.Errorf("%s: parameter %s %w", r.Name, p.Name, err)
			}
			bind = append(bind, sql.Named(p.Name, v))
		case p.Required:
			return nil, fmt.Errorf("%s needs parameter %s: %s", r.Name, p.Name, p.Doc)
		case p.Default != nil:
			bind = append(bind, sql.Named(p.Name, *p.Default))
		default:
			bind = append(bind, sql.Named(p.Name, nil))
		}
	}
	if used < len(given) {
		for _, name := range slices.Sorted(maps.Keys(given)) {
			if !slices.ContainsFunc(r.Params, func(p Param) bool { return p.Name == name }) {
				return nil, fmt.Errorf("%s takes no parameter %q", r.Name, name)
			}
		}
	}
	return bind, nil
}
