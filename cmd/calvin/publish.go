package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/report"
)

const publishUsage = `Usage: calvin publish --month YYYY-MM [--top N]

Freezes the month's boards as they stand: for every scoring profile (the
configuration's, or calvin and mvp), every window ending with the month
(month, quarter, 12m, 90d) and every post or each of the configuration's
areas, the top N people of every source together.
Later, calvin leaderboard shows a published board as it was published
(--live for the board as it stands now), and calvin published --diff
says what a recomputation would change, and why. Publishing a month again
replaces its boards.
`

func runPublish(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "publish", publishUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	month := fs.String("month", "", "the month, `YYYY-MM` (required)")
	top := fs.Int("top", 10, "how many people each board keeps")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %q", pos[0])
	}
	m, err := parseMonth(*month)
	if err != nil {
		return err
	}
	boards := engine.ConfiguredBoards(e.cfg, m, *top)
	store, err := engine.Open(ctx, dbPath(e, fs, *db), engine.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	at, err := store.Publish(ctx, boards)
	if err != nil {
		return err
	}
	var names []string
	for _, b := range boards {
		names = append(names, boardName(b.Window, b.Profile.Name, b.AreaName))
	}
	fmt.Fprintf(e.stdout, "Published %d boards of %s at %s UTC: %s\n", len(boards), m.Format("2006-01"), at.Format("2006-01-02 15:04:05"), strings.Join(names, ", "))
	return nil
}

// boardName names a board: window/profile, and /area for an area's.
func boardName(window, profile, area string) string {
	if area == "" {
		return window + "/" + profile
	}
	return window + "/" + profile + "/" + area
}

const publishedUsage = `Usage: calvin published --month YYYY-MM [--window W] [--profile P] [--area A] [--diff]

Lists the boards published for a month; with --diff, what recomputing
each now would change (rank, value) and why: late data, a merge of
accounts, an exclusion, or others moving.
`

func runPublished(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "published", publishedUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	memory := memoryFlag(fs, boardMemory)
	month := fs.String("month", "", "the month, `YYYY-MM` (required)")
	window := fs.String("window", "", "only this `window`")
	profile := fs.String("profile", "", "only this `profile`")
	area := fs.String("area", "", "only this `area`")
	diff := fs.Bool("diff", false, "say what a recomputation would change, and why")
	format := fs.String("format", "table", "output `format`: table, markdown, csv or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %q", pos[0])
	}
	m, err := parseMonth(*month)
	if err != nil {
		return err
	}
	store, err := openRead(ctx, dbPath(e, fs, *db), *memory)
	if err != nil {
		return err
	}
	defer store.Close()
	boards, err := store.PublishedBoards(ctx, m)
	if err != nil {
		return err
	}
	profiles := engine.Profiles(e.cfg)
	t := &report.Table{Columns: []string{"window", "profile", "area", "published_at"}}
	if *diff {
		t.Columns = []string{"window", "profile", "area", "name", "then", "then_value", "now", "now_value", "cause"}
	}
	for _, wp := range boards {
		if (*window != "" && wp[0] != *window) || (*profile != "" && wp[1] != *profile) || (*area != "" && wp[2] != *area) {
			continue
		}
		then, _, err := store.Published(ctx, m, wp[0], wp[1], wp[2])
		if err != nil {
			return err
		}
		if !*diff {
			t.Rows = append(t.Rows, []any{wp[0], wp[1], wp[2], then.At.Format("2006-01-02 15:04:05")})
			continue
		}
		weights, ok := profiles[wp[1]]
		if !ok {
			return fmt.Errorf("board %s/%s: the configuration has no profile %q now", wp[0], wp[1], wp[1])
		}
		b := engine.Board{Month: m, Window: wp[0], Profile: engine.Profile{Name: wp[1], Weights: weights}}
		b.Configure(e.cfg)
		if wp[2] != "" {
			if err := b.SetArea(e.cfg, wp[2]); err != nil {
				return fmt.Errorf("board %s: %w now", boardName(wp[0], wp[1], wp[2]), err)
			}
		}
		changes, err := store.Changes(ctx, b, then)
		if err != nil {
			return err
		}
		for _, c := range changes {
			t.Rows = append(t.Rows, []any{wp[0], wp[1], wp[2], c.Name, rankOrNil(c.Then), c.ThenValue, rankOrNil(c.Now), c.NowValue, c.Cause})
		}
	}
	if len(boards) == 0 {
		fmt.Fprintf(e.stdout, "Nothing published for %s.\n", m.Format("2006-01"))
		return nil
	}
	if *diff && len(t.Rows) == 0 && (*format == "table" || *format == "markdown") {
		fmt.Fprintf(e.stdout, "The published boards of %s stand as published.\n", m.Format("2006-01"))
		return nil
	}
	return report.Write(e.stdout, *format, t)
}

func rankOrNil(r int) any {
	if r == 0 {
		return nil
	}
	return int64(r)
}
