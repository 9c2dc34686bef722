package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/report"
)

const explainUsage = `Usage: calvin explain NAME --month YYYY-MM [--window W] [--format FORMAT]

Lists the posts behind one person's numbers over a month (or the window
ending with it): each post they sent and whom it answers, each reply they
received and from whom, their answers accepted, the threads they gave the
first response to; then the counts, and the others they replied to or
were replied to by.
NAME is as for calvin person.
`

func runExplain(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "explain", explainUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	memory := memoryFlag(fs, boardMemory)
	month := fs.String("month", "", "the month, `YYYY-MM` (required)")
	window := fs.String("window", "month", "the `window` ending with the month: month, quarter, 12m or 90d")
	format := fs.String("format", "table", "output `format`: table, markdown, csv or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("want one name, got %d arguments", len(pos))
	}
	m, err := parseMonth(*month)
	if err != nil {
		return err
	}
	first, last, err := engine.Span(*window, m)
	if err != nil {
		return usageError("%v", err)
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	store, _, p, err := openPerson(ctx, e, dbPath(e, fs, *db), *memory, pos[0])
	if err != nil {
		return err
	}
	defer store.Close()
	whys, err := store.Explain(ctx, p.Accounts, first, last.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	t := &report.Table{Columns: []string{"metric", "source", "post_id", "kind", "at", "other", "thread"}}
	count := map[string]int{}
	reach := map[string]bool{}
	for _, w := range whys {
		t.Rows = append(t.Rows, []any{w.Metric, w.Source, w.PostID, w.Kind, w.At.Format("2006-01-02 15:04"), w.Other, w.Thread})
		count[w.Metric]++
		if (w.Metric == "sent" || w.Metric == "received") && w.Other != "" && !strings.HasSuffix(w.Other, " (deleted)") && w.Other != p.Name {
			reach[w.Other] = true
		}
	}
	human := *format == "table" || *format == "markdown"
	if human {
		fmt.Fprintf(e.stdout, "%s (%s), %s..%s:\n\n", p.Name, p.Key, first.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	if err := report.Write(e.stdout, *format, t); err != nil {
		return err
	}
	if human {
		fmt.Fprintf(e.stdout, "\nsent %d, received %d, accepted %d, first responses %d; others replied to or by: %s\n",
			count["sent"], count["received"], count["accepted"], count["first_response"], strings.Join(slices.Sorted(maps.Keys(reach)), ", "))
	}
	return nil
}
