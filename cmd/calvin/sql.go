package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/report"
)

const sqlUsage = `Usage: calvin sql "QUERY" [--format FORMAT] [--write]

Runs one SQL query on the database and prints its result. The tables
(posts, accounts, monthly_metrics, ingest_runs, account_facts,
pull_marks, published) are described in README.md. The database is
opened read-only unless --write is given. calvin query runs the named
reports.
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
	rows, err := store.DB().QueryContext(ctx, pos[0])
	if err != nil {
		if !*write && strings.Contains(err.Error(), "read-only mode") {
			return fmt.Errorf("the database is opened read-only: add --write to change it (%w)", err)
		}
		return err
	}
	defer rows.Close()
	t, err := report.FromRows(rows)
	if err != nil {
		return err
	}
	return report.Write(e.stdout, *format, t)
}
