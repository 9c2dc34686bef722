package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
)

// Pull stores the new posts of a live feed under the source name
// opts.Source. Unlike Ingest it commits as it goes: each step of the feed
// (a range of articles of one group) is stored with the marks it reached
// in a transaction of its own, so a pull that fails or is interrupted
// keeps the steps it finished, and the next pull starts after them. Once
// the feed is read, the source's threads and derived tables are brought
// up to date and the run recorded, in a last transaction. A pull cut off
// before that leaves the derived tables as they were; the next pull of
// the source refreshes them.
func (s *Store) Pull(ctx context.Context, feed ingest.Feed, opts ingest.Options) (run Run, err error) {
	defer func() { err = diskFull(s.path, err) }()
	return s.pull(ctx, feed, opts)
}

func (s *Store) pull(ctx context.Context, feed ingest.Feed, opts ingest.Options) (Run, error) {
	if opts.Stats == nil {
		opts.Stats = new(ingest.Stats)
	}
	if opts.Facts == nil {
		opts.Facts = new(ingest.Facts)
	}
	run := Run{Source: opts.Source, Platform: feed.Platform(), Input: ingest.Key(feed.Input()), Started: time.Now().UTC()}
	if opts.Source == "" {
		return run, errors.New("pull: no source name")
	}
	conn, ar, err := s.arrowConn(ctx)
	if err != nil {
		return run, err
	}
	defer conn.Close()
	fresh, err := checkPlatform(ctx, conn, opts.Source, feed.Platform())
	if err != nil {
		return run, err
	}
	added := !fresh // the source had posts: the refresh may be of what the pull adds
	marks, err := loadMarks(ctx, conn, opts.Source)
	if err != nil {
		return run, err
	}
	after, err := lastKey(ctx, conn)
	if err != nil {
		return run, err
	}

	t0 := time.Now()
	var unthreaded bool
	step := func(posts array.RecordReader, reached []ingest.Mark) error {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			if posts != nil {
				posts.Release()
			}
			return err
		}
		defer tx.Rollback() // a no-op once committed
		var loaded loadCounts
		if posts != nil {
			if loaded, err = s.stage(ctx, ar, tx, posts, opts.Source, fresh, opts.Stats); err != nil {
				return err
			}
		}
		if err := saveMarks(ctx, tx, opts.Source, reached); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("pull: commit: %w", err)
		}
		opts.Stats.SetPhase("", 0) // reading the next step
		run.RowsInserted += loaded.inserted
		run.RowsUpdated += loaded.updated
		unthreaded = unthreaded || loaded.unthreaded > 0
		fresh = fresh && loaded.inserted == 0
		return nil
	}
	if err := feed.Pull(ctx, opts, marks, step); err != nil {
		return run, err
	}
	run.Load = time.Since(t0)

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return run, err
	}
	defer tx.Rollback()
	if err := s.finish(ctx, tx, ar, &run, opts, after, unthreaded, added); err != nil {
		return run, interrupted(ctx, err)
	}
	opts.Stats.SetPhase("committing", 0)
	t1 := time.Now()
	if err := tx.Commit(); err != nil {
		return run, fmt.Errorf("pull: commit: %w", err)
	}
	run.Commit = time.Since(t1)
	return run, nil
}

// Marks returns how far the live feeds of source have been pulled.
func (s *Store) Marks(ctx context.Context, source string) ([]ingest.Mark, error) {
	return loadMarks(ctx, s.db, source)
}

// querier is what loadMarks and checkPlatform need of a database handle,
// a connection or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func loadMarks(ctx context.Context, q querier, source string) ([]ingest.Mark, error) {
	rows, err := q.QueryContext(ctx, "SELECT server, grp, last FROM pull_marks WHERE source = ? ORDER BY server, grp", source)
	if err != nil {
		return nil, fmt.Errorf("pull: marks: %w", err)
	}
	defer rows.Close()
	var marks []ingest.Mark
	for rows.Next() {
		var m ingest.Mark
		if err := rows.Scan(&m.Server, &m.Group, &m.Last); err != nil {
			return nil, fmt.Errorf("pull: marks: %w", err)
		}
		marks = append(marks, m)
	}
	return marks, rows.Err()
}

func saveMarks(ctx context.Context, tx *sql.Tx, source string, marks []ingest.Mark) error {
	now := time.Now().UTC()
	for _, m := range marks {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pull_marks (source, server, grp, last, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (source, server, grp) DO UPDATE SET last = excluded.last, updated_at = excluded.updated_at`,
			source, m.Server, m.Group, m.Last, now); err != nil {
			return fmt.Errorf("pull: save mark: %w", err)
		}
	}
	return nil
}
