package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/queries"
	"github.com/calvinslist/calvin/report"
)

const queryUsage = `Usage: calvin query NAME [--param NAME=VALUE]... [--format FORMAT]
       calvin query --list

Runs a named report, a file of queries/reports/ whose leading comment
says what it returns and which parameters it takes; --list shows them.
The database is opened read-only. calvin sql runs any other query.
`

// params collects repeated --param NAME=VALUE flags.
type params map[string]string

func (p params) String() string { return "" }

func (p params) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", v)
	}
	p[strings.TrimPrefix(name, "$")] = value
	return nil
}

func runQuery(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "query", queryUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	memory := memoryFlag(fs, otherMemory)
	format := fs.String("format", "table", "output `format`: table, markdown, csv or json")
	list := fs.Bool("list", false, "list the reports and their parameters")
	given := params{}
	fs.Var(given, "param", "a parameter, `NAME=VALUE` (repeat for each)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *list {
		return listReports(e)
	}
	if len(pos) != 1 {
		return usageError("want one report's name, got %d arguments (calvin query --list lists them)", len(pos))
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	r, err := queries.GetReport(pos[0])
	if err != nil {
		return usageError("%v", err)
	}
	bind, err := r.Bind(given)
	if err != nil {
		return usageError("%v (calvin query --list)", err)
	}
	store, err := openRead(ctx, dbPath(e, fs, *db), *memory)
	if err != nil {
		return err
	}
	defer store.Close()
	rows, err := store.DB().QueryContext(ctx, r.SQL, bind...)
	if err != nil {
		return fmt.Errorf("%s: %w", r.Name, err)
	}
	defer rows.Close()
	t, err := report.FromRows(rows)
	if err != nil {
		return err
	}
	return report.Write(e.stdout, *format, t)
}

func listReports(e *env) error {
	reports, err := queries.Reports()
	if err != nil {
		return err
	}
	for _, r := range reports {
		fmt.Fprintf(e.stdout, "%s\n    %s\n", r.Name, r.Summary)
		for _, p := range r.Params {
			fmt.Fprintf(e.stdout, "    --param %s=...  %s\n", p.Name, p.Doc)
		}
	}
	return nil
}
