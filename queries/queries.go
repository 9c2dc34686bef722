// Package queries holds the named SQL behind every table, refresh and report
// of Calvin, one query a file (a refresh or the schema may be several
// statements run in order, parameters bound to the last). A file's leading
// comment documents it: what it returns and the parameters ($name) it
// takes. The files are plain DuckDB SQL, readable and runnable outside
// Calvin; the metrics refresh also reads the DuckDB variable calvin_scratch,
// the folder for its intermediate Parquet files (SET VARIABLE
// calvin_scratch = '/tmp/x' before running it by hand).
package queries

import (
	"embed"
	"fmt"
)

//go:embed *.sql
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

// Metrics returns the names of the per-month metrics refresh_monthly_metrics
// computes, in the order of the monthly_metrics table's columns.
func Metrics() []string {
	return []string{
		"posts", "comments", "questions", "answers", "topics", "received",
		"accepted", "reach", "helped", "first_responses", "audience", "active_days",
	}
}
