package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/report"
)

const sqlUsage = `Usage: calvin sql "QUERY" [--format FORMAT] [--write]

Runs one SQL query on the database and prints its result. The tables
(posts, accounts, monthly_metrics, ingest_runs, account_facts,
pull_marks, published) are described in README.md. The database is
opened read-only unless --write is given, and then only one SELECT or
EXPLAIN runs: nothing is written anywhere (no COPY ... TO, EXPORT,
ATTACH, INSTALL), though local files may be read. With --write the
owner may run anything. calvin query runs the named reports.
`

func runSQL(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sql", sqlUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	format := fs.String("format", "table", "output `format`: table, markdown, csv or json")
	write := fs.Bool("write", false, "open the database for writing")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("want one query, got %d arguments", len(pos))
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	store, err := engine.Open(ctx, dbPath(e, fs, *db), engine.Options{ReadOnly: !*write})
	if err != nil {
		return err
	}
	defer store.Close()
	var rows *sql.Rows
	if *write {
		if rows, err = store.DB().QueryContext(ctx, pos[0]); err != nil {
			return err
		}
		defer rows.Close()
	} else {
		var done func()
		rows, done, err = store.ReadQuery(ctx, pos[0])
		var notRead *engine.ErrNotRead
		switch {
		case errors.As(err, &notRead):
			return fmt.Errorf("%w: add --write to run it", err)
		case err != nil:
			return err
		}
		defer done()
	}
	t, err := report.FromRows(rows)
	if err != nil {
		return err
	}
	return report.Write(e.stdout, *format, t)
}
