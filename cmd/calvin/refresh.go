package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/calvinslist/calvin/engine"
)

const refreshUsage = `Usage: calvin refresh [--source NAME]

Recomputes the accounts and the monthly metrics of a source (or of every
source) from its stored posts, as an ingest does after loading: for when
the definitions change, or to check them. With --config, the areas of
the configuration not counted yet are counted, in every source, so that
their boards are read ahead rather than counted from the posts.
`

func runRefresh(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "refresh", refreshUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	source := fs.String("source", "", "only this source")
	memory := memoryFlag(fs, otherMemory)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %q", pos[0])
	}
	store, err := openCapped(ctx, e, dbPath(e, fs, *db), *memory)
	if err != nil {
		return err
	}
	defer store.Close()
	var sources []string
	if *source != "" {
		sources = []string{*source}
	}
	took, err := store.Refresh(ctx, sources...)
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("refresh interrupted: the sources refreshed before it are kept, the one under way is as it was (%w)", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "refreshed in %s (links %s, accounts %s, monthly metrics %s)\n",
		took.Total.Round(time.Millisecond), took.Links.Round(time.Millisecond),
		took.Accounts.Round(time.Millisecond), took.Metrics.Round(time.Millisecond))
	return nil
}
