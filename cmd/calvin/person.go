package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/report"
)

const personUsage = `Usage: calvin person NAME [--profile P] [--format FORMAT]

Shows one person month by month: their rank on each month's board (every
source, by the profile), score and metrics, their top area that month and
the share of their posts in it, then their focus over all their posts.
NAME is a configured person's name, an account's name or id, or a
person's key (person:NAME, mail:ADDRESS, account:SOURCE/AUTHOR) when a
name finds several. Areas are the configuration's, else the posts' own
tags, newsgroups and categories.
`

func runPerson(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "person", personUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	memory := memoryFlag(fs, otherMemory)
	profileName := fs.String("profile", "calvin", "the scoring `profile` of the ranks")
	format := fs.String("format", "table", "output `format`: table, markdown, csv or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("want one name, got %d arguments", len(pos))
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	profiles := engine.Profiles(e.cfg)
	weights, ok := profiles[*profileName]
	if !ok {
		return usageError("unknown profile %q: use one of %s", *profileName, strings.Join(slices.Sorted(maps.Keys(profiles)), ", "))
	}
	store, board, p, err := openPerson(ctx, e, dbPath(e, fs, *db), *memory, pos[0])
	if err != nil {
		return err
	}
	defer store.Close()
	var areas map[string][]string
	if e.cfg != nil && len(e.cfg.Areas) > 0 {
		areas = e.cfg.Areas
	}
	board.Profile = engine.Profile{Name: *profileName, Weights: weights}
	history, err := store.History(ctx, board, p, areas)
	if err != nil {
		return err
	}
	t := &report.Table{Columns: []string{"month", "rank", "score", "posts", "comments", "received", "accepted",
		"reach", "helped", "first_responses", "active_days", "top_area", "focus"}}
	for _, pm := range history.Months {
		en := pm.Entry
		var rank any
		switch {
		case en.Excluded != "":
			rank = "excluded: " + en.Excluded
		case en.Rank > 0:
			rank = int64(en.Rank)
		}
		mt := en.Metrics
		t.Rows = append(t.Rows, []any{pm.Month.Format("2006-01"), rank, en.Score, mt.Posts, mt.Comments, mt.Received, mt.Accepted,
			mt.Reach, mt.Helped, mt.FirstResponses, mt.ActiveDays, orNil(pm.TopArea), percent(pm.Share)})
	}
	human := *format == "table" || *format == "markdown"
	if human {
		var accts []string
		for _, a := range p.Accounts {
			accts = append(accts, a[0]+"/"+a[1])
		}
		fmt.Fprintf(e.stdout, "%s (%s): %s\n\n", p.Name, p.Key, strings.Join(accts, ", "))
	}
	if err := report.Write(e.stdout, *format, t); err != nil {
		return err
	}
	if human && history.TopArea != "" {
		fmt.Fprintf(e.stdout, "\nFocus: %s, %s of %d posts.\n", history.TopArea, percent(history.Share), history.Posts)
	}
	return nil
}

// orNil is s, or nil (an empty cell) when s is "".
func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func percent(share float64) any {
	if share == 0 {
		return nil
	}
	return fmt.Sprintf("%.0f%%", share*100)
}

// openPerson opens the database read-only under DuckDB's cap memory and
// finds the one person name names; board carries the configuration's
// people and exclusions.
func openPerson(ctx context.Context, e *env, path, memory, name string) (*engine.Store, engine.Board, engine.Found, error) {
	var board engine.Board
	board.Configure(e.cfg)
	store, err := openRead(ctx, path, memory)
	if err != nil {
		return nil, board, engine.Found{}, err
	}
	p, err := store.FindPerson(ctx, name, board.People)
	if err != nil {
		store.Close()
		return nil, board, engine.Found{}, err
	}
	return store, board, p, nil
}
