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

const leaderboardUsage = `Usage: calvin leaderboard [--month YYYY-MM] [--window month|quarter|12m] [--source NAME] [--top N] [--profile NAME | --by METRIC] [--format FORMAT]

Ranks the contributors of one calendar month (UTC), or of the window
ending with it: the calendar quarter holding it, the twelve months ending
with it (both the sums of their months' metrics), or the ninety days
ending with its last day (computed from the posts). --area ranks only the
posts of one of the configuration's areas. The rank
is by a scoring profile's score or by one metric. The profiles are calvin
(posts sent + replies received, the default) and mvp (which also weighs
accepted answers x3, first responses x2 and the people helped), or those
--config's file defines. Equal values share a rank (1, 2, 2, 4); ties are
listed by posts, then name. The month defaults to the one before the
current month. Over a window, active_months counts the months with a post
or comment sent, longest_run the longest unbroken run of them.

Metrics: posts, comments, questions, answers, topics, received, accepted,
reach, helped, first_responses, audience, active_days (see README.md).
`

func runLeaderboard(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "leaderboard", leaderboardUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	memory := memoryFlag(fs, boardMemory)
	month := fs.String("month", "", "the month to rank, `YYYY-MM` (default: last month)")
	window := fs.String("window", "month", "the `window` ranked: month, quarter, 12m or 90d")
	area := fs.String("area", "", "rank only the posts of this `area` of --config's")
	source := fs.String("source", "", "rank only this source (default: every source)")
	top := fs.Int("top", 10, "list at most `N` contributors")
	by := fs.String("by", "score", "rank by score or by one `metric`")
	profileName := fs.String("profile", "calvin", "the scoring `profile` of the score")
	listExcluded := fs.Bool("excluded", false, "list apart the accounts --config's exclusions keep off the board, with the reason")
	live := fs.Bool("live", false, "rank as the data stand now, even for a published board")
	movers := fs.Bool("movers", false, "compare with the month before: each rank then, new entries, and who dropped out of the top")
	format := fs.String("format", "table", "output `format`: table, markdown, csv or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %q", pos[0])
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	if *by != "score" && !slices.Contains(engine.MetricNames(), *by) {
		return usageError("unknown metric %q: use score or one of %s", *by, strings.Join(engine.MetricNames(), ", "))
	}
	if *top < 1 {
		return usageError("--top must be at least 1")
	}
	if !slices.Contains(engine.Windows, *window) {
		return usageError("unknown window %q: use one of %s", *window, strings.Join(engine.Windows, ", "))
	}
	profiles := engine.Profiles(e.cfg)
	weights, ok := profiles[*profileName]
	if !ok {
		names := slices.Sorted(maps.Keys(profiles))
		return usageError("unknown profile %q: use one of %s", *profileName, strings.Join(names, ", "))
	}
	m := time.Now().UTC().AddDate(0, -1, 0)
	if *month != "" {
		if m, err = time.Parse("2006-01", *month); err != nil {
			return usageError("bad --month %q: want YYYY-MM", *month)
		}
	}

	store, err := openRead(ctx, dbPath(e, fs, *db), *memory)
	if err != nil {
		return err
	}
	defer store.Close()
	board := engine.Board{Month: m, Window: *window, Source: *source, By: *by, Top: *top, Profile: engine.Profile{Name: *profileName, Weights: weights},
		ListExcluded: *listExcluded}
	board.Configure(e.cfg)
	if *area != "" {
		if err := board.SetArea(e.cfg, *area); err != nil {
			return usageError("%v", err)
		}
	}
	// A published board is read as it was published, unless asked live or
	// for something publishing does not keep (the movers here).
	entries, publishedAt, err := store.ReadBoard(ctx, board, *live || *movers)
	if err != nil {
		return err
	}
	var moves *engine.Moves
	if *movers {
		mv, err := store.Movers(ctx, board, entries)
		if err != nil {
			return err
		}
		moves = &mv
	}
	if len(entries) == 0 && *format == "table" {
		latest, err := store.LatestMonth(ctx, *source)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "No contributors in %s.", label(*window, m))
		if !latest.IsZero() {
			fmt.Fprintf(e.stdout, " The latest month with posts is %s.", latest.Format("2006-01"))
		}
		fmt.Fprintln(e.stdout)
		return nil
	}
	human := *format == "table" || *format == "markdown"
	var apart []engine.Entry
	if human {
		i := slices.IndexFunc(entries, func(en engine.Entry) bool { return en.Excluded != "" })
		if i >= 0 {
			entries, apart = entries[:i], entries[i:]
		}
	}
	if err := report.Write(e.stdout, *format, boardTable(entries, *format, moves, *listExcluded, *window != "month")); err != nil {
		return err
	}
	if len(apart) > 0 {
		fmt.Fprintf(e.stdout, "\nNot ranked, excluded in %s:\n\n", label(*window, m))
		t := &report.Table{Columns: []string{"name", "reason", "score"}}
		for _, en := range apart {
			t.Rows = append(t.Rows, []any{en.Name, en.Excluded, en.Score})
		}
		if err := report.Write(e.stdout, *format, t); err != nil {
			return err
		}
	}
	if !publishedAt.IsZero() && human {
		fmt.Fprintf(e.stdout, "\nAs published %s UTC; --live for the board as the data stand now.\n", publishedAt.Format("2006-01-02 15:04"))
	}
	if moves != nil && len(moves.Dropped) > 0 && (*format == "table" || *format == "markdown") {
		var names []string
		for _, d := range moves.Dropped {
			now := "not ranked"
			if d.Now > 0 {
				now = fmt.Sprintf("now %d", d.Now)
			}
			names = append(names, fmt.Sprintf("%s (%d, %s)", d.Name, d.Rank, now))
		}
		fmt.Fprintf(e.stdout, "\nOut of the top %d since %s: %s\n", *top, label(*window, engine.Previous(*window, m)), strings.Join(names, ", "))
	}
	return nil
}

// boardTable lays out a leaderboard: rank and name, the score, then every
// metric (the one ranked on among them). The machine formats also carry
// the source and the account's id. With moves, the rank before and the
// change follow the rank: "+2" up, "-1" down, "=" the same, "new".
//
// With excluded (machine formats), each row says why its account is not
// ranked, or nothing: the excluded come after the board, rank 0.
//
// A window's board ends with its active months and longest run.
func boardTable(entries []engine.Entry, format string, moves *engine.Moves, excluded, window bool) *report.Table {
	human := format == "table" || format == "markdown"
	cols := []string{"rank"}
	if moves != nil {
		cols = append(cols, "previous", "change")
	}
	cols = append(cols, "name")
	if !human {
		cols = append(cols, "source", "author")
	}
	cols = append(cols, "score")
	cols = append(cols, engine.MetricNames()...)
	if window {
		cols = append(cols, "active_months", "longest_run")
	}
	excluded = excluded && !human
	if excluded {
		cols = append(cols, "excluded")
	}
	t := &report.Table{Columns: cols}
	for _, en := range entries {
		row := []any{int64(en.Rank)}
		if moves != nil {
			prev, change := moves.Change(en)
			var previous any // empty when not ranked before
			if prev > 0 {
				previous = int64(prev)
			}
			row = append(row, previous, orNil(change))
		}
		row = append(row, en.Name)
		if !human {
			row = append(row, en.Source, en.Author)
		}
		row = append(row, en.Score)
		for _, v := range en.Metrics.Values() {
			row = append(row, v)
		}
		if window {
			row = append(row, int64(en.ActiveMonths), int64(en.LongestRun))
		}
		if excluded {
			row = append(row, en.Excluded)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// label names the window of kind ending with (or holding) month m:
// 2021-06, 2021-Q2, 2020-07..2021-06, 2021-04-02..2021-06-30.
func label(window string, m time.Time) string {
	first, last, err := engine.Span(window, m)
	switch {
	case err != nil || window == "month":
		return m.Format("2006-01")
	case window == "quarter":
		return fmt.Sprintf("%d-Q%d", first.Year(), (int(first.Month())-1)/3+1)
	case window == "90d":
		return first.Format(time.DateOnly) + ".." + last.Format(time.DateOnly)
	}
	return first.Format("2006-01") + ".." + last.Format("2006-01")
}
