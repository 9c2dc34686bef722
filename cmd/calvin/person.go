package main

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

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
	profiles := profilesOf(e)
	weights, ok := profiles[*profileName]
	if !ok {
		return usageError("unknown profile %q: use one of %s", *profileName, strings.Join(slices.Sorted(maps.Keys(profiles)), ", "))
	}
	store, board, p, err := openPerson(ctx, e, dbPath(e, fs, *db), pos[0])
	if err != nil {
		return err
	}
	defer store.Close()
	posts, err := store.PersonPosts(ctx, p.Accounts)
	if err != nil {
		return err
	}
	var areas map[string][]string
	if e.cfg != nil && len(e.cfg.Areas) > 0 {
		areas = e.cfg.Areas
	}
	byMonth := map[time.Time][]engine.PostAreas{}
	for _, pa := range posts {
		byMonth[pa.Month] = append(byMonth[pa.Month], pa)
	}
	months, err := store.PersonMonths(ctx, p.Accounts)
	if err != nil {
		return err
	}
	t := &report.Table{Columns: []string{"month", "rank", "score", "posts", "comments", "received", "accepted",
		"reach", "helped", "first_responses", "active_days", "top_area", "focus"}}
	for _, m := range months {
		b := board
		b.Month, b.Only, b.ListExcluded = m, []string{p.Key}, true
		b.Profile = engine.Profile{Name: *profileName, Weights: weights}
		entries, err := store.Leaderboard(ctx, b)
		if err != nil {
			return err
		}
		var en engine.Entry
		if len(entries) > 0 {
			en = entries[0]
		}
		var rank any
		switch {
		case en.Excluded != "":
			rank = "excluded: " + en.Excluded
		case en.Rank > 0:
			rank = int64(en.Rank)
		}
		top, share := focus(byMonth[m], areas)
		mt := en.Metrics
		t.Rows = append(t.Rows, []any{m.Format("2006-01"), rank, en.Score, mt.Posts, mt.Comments, mt.Received, mt.Accepted,
			mt.Reach, mt.Helped, mt.FirstResponses, mt.ActiveDays, top, percent(share)})
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
	if human {
		top, share := focus(posts, areas)
		if top != nil {
			fmt.Fprintf(e.stdout, "\nFocus: %s, %s of %d posts.\n", top, percent(share), len(posts))
		}
	}
	return nil
}

// focus returns the area holding most of posts and the share of posts in
// it: areas are the configured ones (a post is in an area when one of its
// own areas matches one of the area's patterns), or, with none, the posts'
// areas themselves. Ties go to the area first in name order.
func focus(posts []engine.PostAreas, areas map[string][]string) (top any, share float64) {
	if len(posts) == 0 {
		return nil, 0
	}
	count := map[string]int{}
	for _, p := range posts {
		in := map[string]bool{}
		for _, a := range p.Areas {
			if areas == nil {
				in[a] = true
				continue
			}
			for name, patterns := range areas {
				for _, pat := range patterns {
					if ok, _ := path.Match(pat, a); ok {
						in[name] = true
					}
				}
			}
		}
		for a := range in {
			count[a]++
		}
	}
	best := ""
	for _, a := range slices.Sorted(maps.Keys(count)) {
		if count[a] > count[best] || best == "" {
			best = a
		}
	}
	if best == "" {
		return nil, 0
	}
	return best, float64(count[best]) / float64(len(posts))
}

func percent(share float64) any {
	if share == 0 {
		return nil
	}
	return fmt.Sprintf("%.0f%%", share*100)
}

// openPerson opens the database read-only and finds the one person name
// names; board carries the configuration's people and exclusions.
func openPerson(ctx context.Context, e *env, path, name string) (*engine.Store, engine.Board, engine.Found, error) {
	var board engine.Board
	configure(e, &board)
	store, err := engine.Open(ctx, path, engine.Options{ReadOnly: true})
	if err != nil {
		return nil, board, engine.Found{}, err
	}
	p, err := findOne(ctx, store, name, board.People)
	if err != nil {
		store.Close()
		return nil, board, engine.Found{}, err
	}
	return store, board, p, nil
}

// findOne finds the one person a name names, or says why not.
func findOne(ctx context.Context, store *engine.Store, name string, people []engine.Person) (engine.Found, error) {
	found, err := store.FindPeople(ctx, name, people)
	if err != nil {
		return engine.Found{}, err
	}
	switch len(found) {
	case 0:
		return engine.Found{}, fmt.Errorf("nobody is called %q", name)
	case 1:
		return found[0], nil
	}
	var keys []string
	for _, f := range found {
		keys = append(keys, fmt.Sprintf("%s (%s)", f.Key, f.Name))
	}
	return engine.Found{}, fmt.Errorf("%q finds %d people: %s; name one by its key", name, len(found), strings.Join(keys, ", "))
}
