package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
)

// ErrNotRead is the error of a statement ReadQuery refuses: one that would
// write a file, attach another database, install or load an extension,
// change a setting, or anything else that is not a read.
type ErrNotRead struct{ Kind string }

func (e *ErrNotRead) Error() string {
	return fmt.Sprintf("%s is not a query that only reads: without --write, one SELECT or EXPLAIN runs", e.Kind)
}

// explain matches a leading EXPLAIN (group 2: ANALYZE, which runs what it
// explains); firstWord a statement's first word, for an error.
var (
	explain   = regexp.MustCompile(`(?is)^\s*EXPLAIN(\s+ANALY[SZ]E)?\b`)
	firstWord = regexp.MustCompile(`^\s*\(?\s*(\w+)`)
	readWords = regexp.MustCompile(`(?i)^(SELECT|WITH|FROM|VALUES|TABLE|DESCRIBE|SHOW|SUMMARIZE)$`)
)

// ReadQuery runs one statement that only reads, on a connection of its
// own, and returns its rows; done closes them and the connection.
//
// A file opened read-only keeps its tables as they are, but DuckDB would
// still write elsewhere: COPY ... TO a file, EXPORT DATABASE (preparing
// it makes its folder), ATTACH of another database (or of this one under
// another name) for writing, INSTALL, an extension fetched to read a URL,
// a setting that writes a profile. So the statement is parsed first, and
// nothing runs, nothing is even prepared, unless it is one SELECT (FROM,
// WITH, DESCRIBE, SHOW, SUMMARIZE are SELECTs) or EXPLAIN of one (not
// EXPLAIN ANALYZE, which runs it); extensions are neither installed nor
// loaded on their own. Reading local files stays allowed.
func (s *Store) ReadQuery(ctx context.Context, query string) (rows *sql.Rows, done func(), err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*sql.Rows, func(), error) {
		conn.Close()
		return nil, nil, err
	}
	for _, set := range []string{"SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false"} {
		if _, err := conn.ExecContext(ctx, set); err != nil {
			return fail(err)
		}
	}
	selectOnly := query
	if m := explain.FindStringSubmatchIndex(query); m != nil {
		if m[2] >= 0 {
			return fail(&ErrNotRead{Kind: "EXPLAIN ANALYZE"})
		}
		selectOnly = query[m[1]:]
	}
	// json_serialize_sql parses without binding and takes SELECTs only.
	var failed bool
	var errType, errMsg sql.NullString
	var statements sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(CAST(j->>'error' AS BOOLEAN), true), j->>'error_type', j->>'error_message',
		json_array_length(j, '$.statements') FROM (SELECT json_serialize_sql(CAST(? AS VARCHAR)) AS j)`, selectOnly).
		Scan(&failed, &errType, &errMsg, &statements); err != nil {
		return fail(err)
	}
	switch {
	case failed && errType.String == "not implemented":
		kind := "this statement"
		if m := firstWord.FindStringSubmatch(selectOnly); m != nil {
			kind = m[1]
			if readWords.MatchString(kind) {
				// A SELECT that the serializer refuses is followed by
				// another statement.
				kind = "more than one statement"
			} else if selectOnly != query {
				kind = "EXPLAIN " + kind
			}
		}
		return fail(&ErrNotRead{Kind: kind})
	case failed:
		return fail(errors.New(errMsg.String)) // the parser's own words
	case statements.Int64 != 1:
		return fail(&ErrNotRead{Kind: "more than one statement"})
	}
	rows, err = conn.QueryContext(ctx, query)
	if err != nil {
		return fail(err)
	}
	return rows, func() { rows.Close(); conn.Close() }, nil
}
