package main

import (
	"context"
	"fmt"

	"github.com/calvinslist/calvin/engine"
)

const compactUsage = `Usage: calvin compact [--db FILE] [--via DIR]

Gives back the room the database file holds but does not use. A DuckDB
file never shrinks: an ingest that failed (a disk that filled, an
interrupt) leaves it as large as it grew, and that room is reused by the
next ingest but not returned to the disk. compact copies the database
into a new file beside it (which needs room for the data, not for the
waste), checks that its sequences carried over, and puts the copy in
the file's place. When the file's disk is full, --via names a folder on
another disk to make the copy in: the file is then removed and the copy
moved into its place. Nothing else may have the file open meanwhile (stop
calvin serve first).
`

func runCompact(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "compact", compactUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	via := fs.String("via", "", "make the copy in this `folder` (on another disk, when the file's is full)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %q", pos[0])
	}
	path := dbPath(e, fs, *db)
	before, after, err := engine.Compact(ctx, path, *via)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %s, was %s\n", path, size(after), size(before))
	return nil
}
