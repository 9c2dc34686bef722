// Package engine is Calvin's store: a DuckDB database that takes the record
// batches of the ingestors, keeps one row per post keyed by (source,
// post_id), and derives from them the accounts and the monthly metrics that
// the leaderboards rank. Its SQL lives in the queries package.
package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/calvinslist/calvin/queries"
)

// DefaultPath is the database file used when none is named.
const DefaultPath = "calvin.duckdb"

// ErrLocked is returned by Open when another process has the database open
// for writing.
var ErrLocked = errors.New("database is locked")

// ErrNoDatabase is returned by Open in read-only mode when the file does not
// exist.
var ErrNoDatabase = errors.New("no database")

// storageVersion is the DuckDB storage format of the files Open creates.
const storageVersion = "v1.5.0"

// Store is an open Calvin database.
type Store struct {
	db   *sql.DB
	path string

	// fewPosts is the most posts a load into a source that has posts
	// stages and merges by id (loadFew); a larger one is one MERGE.
	// Tests lower it to run both.
	fewPosts int64
	// linkChunk, when above zero, is the most posts linked by one
	// statement; otherwise the memory cap sets it (linkChunkSize). Tests
	// lower it to link in several chunks.
	linkChunk int64
	// accountSplit, when above zero, is the number of parts every
	// account of a source is counted in (a test's choice; see
	// Store.accountParts).
	accountSplit int64
	// areas are the configuration's technology areas (name: patterns),
	// whose monthly metrics each refresh keeps (engine/areas.go).
	areas map[string][]string
}

// Options tune how a Store is opened.
type Options struct {
	// ReadOnly opens an existing database without write access. Several
	// read-only processes may share a file; none may while a writer has it.
	ReadOnly bool

	// MemoryLimit caps DuckDB's memory ("1GB"); empty leaves DuckDB's
	// default (80% of RAM). Work past the cap spills to disk.
	MemoryLimit string

	// Areas are the configuration's technology areas (name: patterns).
	// A refresh counts the monthly metrics of each area not counted yet,
	// for every source, and keeps them (area_metrics) from then on.
	Areas map[string][]string
}

// Open opens the database at path, creating it and its tables unless
// opts.ReadOnly. A file held by another writer gives ErrLocked; a
// read-only open of a missing file gives ErrNoDatabase.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	// A file is created in DuckDB 1.5's storage format: its string
	// compression (DICT_FSST) loads posts 1.4 times as fast as the default
	// format, the one DuckDB 1.0 reads (benchmarks/README.md). DuckDB older
	// than 1.5 cannot open such a file. An existing file keeps the format
	// it was made with; a read-only open never creates one.
	dsn := path + "?storage_compatibility_version=" + storageVersion
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%w at %s: run 'calvin ingest' first, or name one with --db", ErrNoDatabase, path)
		}
		dsn = path + "?access_mode=read_only"
	}
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, openError(path, err)
	}
	db := sql.OpenDB(connector)
	s := &Store{db: db, path: path, fewPosts: fewPosts, areas: opts.Areas}
	if opts.MemoryLimit != "" {
		if _, err := db.ExecContext(ctx, "SET memory_limit = '"+strings.ReplaceAll(opts.MemoryLimit, "'", "")+"'"); err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s: memory limit: %w", path, err)
		}
	}
	if !opts.ReadOnly {
		if err := s.create(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		return s, nil
	}
	// A file an earlier Calvin made lacks the tables and columns added
	// since: it is opened for writing once, which adds them, and then
	// read-only again.
	if current, err := s.schemaCurrent(ctx); err != nil || current {
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		return s, nil
	}
	db.Close()
	rw, err := Open(ctx, path, Options{MemoryLimit: opts.MemoryLimit})
	if err != nil {
		return nil, err
	}
	rw.Close()
	return Open(ctx, path, opts)
}

// create makes the tables the file lacks (queries/schema.sql), and, in a
// file made before the boards' numbers, fills them
// (queries/upgrade_keys.sql), as it finds the people of several accounts
// in a file made before multi_account_people, and the names of its
// accounts in a file made before account_names; account_facts is made
// again without the primary key an earlier Calvin gave it.
func (s *Store) create(ctx context.Context) error {
	var made, numbered, multi, named, keyed bool
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = 'posts'),
		(SELECT count(*) > 0 FROM information_schema.columns WHERE table_name = 'post_links' AND column_name = 'accepted_at'),
		(SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = 'multi_account_people'),
		(SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = 'account_names'),
		(SELECT count(*) > 0 FROM duckdb_constraints() WHERE table_name = 'account_facts' AND constraint_type = 'PRIMARY KEY')`).Scan(&made, &numbered, &multi, &named, &keyed)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, queries.MustGet("schema")); err != nil {
		return fmt.Errorf("create tables: %w", err)
	}
	if made && !numbered {
		if _, err := s.db.ExecContext(ctx, queries.MustGet("upgrade_keys")); err != nil {
			return fmt.Errorf("number accounts, people and areas: %w", err)
		}
	}
	if made && !multi {
		if _, err := s.db.ExecContext(ctx, multiAccountPeople); err != nil {
			return fmt.Errorf("find the people of several accounts: %w", err)
		}
	}
	if keyed {
		if _, err := s.db.ExecContext(ctx, unkeyFacts); err != nil {
			return fmt.Errorf("account facts without their key: %w", err)
		}
	}
	if made && !named {
		if _, err := s.db.ExecContext(ctx, fmt.Sprintf(accountNames, "true")); err != nil {
			return fmt.Errorf("name the accounts: %w", err)
		}
	}
	return nil
}

// unkeyFacts makes account_facts again without a primary key, in a
// transaction of its own.
const unkeyFacts = `BEGIN;
	CREATE TABLE account_facts_unkeyed (source VARCHAR NOT NULL, author VARCHAR NOT NULL, fact VARCHAR NOT NULL, value VARCHAR NOT NULL);
	INSERT INTO account_facts_unkeyed SELECT source, author, fact, value FROM account_facts;
	DROP TABLE account_facts;
	ALTER TABLE account_facts_unkeyed RENAME TO account_facts;
	COMMIT`

// schemaCurrent reports whether the file has every table and column the
// schema makes, and none of the views it drops.
func (s *Store) schemaCurrent(ctx context.Context) (bool, error) {
	var tables, columns, views int
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM information_schema.tables WHERE table_name IN ('posts', 'ingest_runs', 'accounts', 'monthly_metrics', 'pull_marks', 'account_facts', 'published', 'account_keys', 'post_links', 'person_keys', 'area_keys', 'post_areas', 'multi_account_people', 'account_names', 'counted_areas', 'area_metrics', 'account_months', 'account_months_until')),
		(SELECT count(*) FROM information_schema.columns WHERE (table_name, column_name) IN (('ingest_runs', 'rows_duplicate'), ('accounts', 'person'), ('posts', 'post_key'), ('published', 'excluded'), ('published', 'top'),
			('accounts', 'author_key'), ('accounts', 'person_key'), ('monthly_metrics', 'author_key'), ('post_links', 'areas_of'), ('post_links', 'accepted_at'), ('accounts', 'named_at'))),
		(SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'calvin\_%\_stream' ESCAPE '\')`).Scan(&tables, &columns, &views)
	return tables == 18 && columns == 11 && views == 0, err
}

var lockHolder = regexp.MustCompile(`Conflicting lock is held in (.*?) \(PID (\d+)\)`)

// openError turns DuckDB's lock conflict into ErrLocked, naming the holder.
func openError(path string, err error) error {
	msg := err.Error()
	if !strings.Contains(msg, "Could not set lock") {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if m := lockHolder.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s: %w by %s (PID %s)", path, ErrLocked, m[1], m[2])
	}
	return fmt.Errorf("%s: %w by another process", path, ErrLocked)
}

// MemoryLimit returns DuckDB's memory cap, in bytes.
func (s *Store) MemoryLimit(ctx context.Context) (int64, error) {
	limit, err := memoryLimit(ctx, s.db)
	if err != nil {
		return 0, fmt.Errorf("memory limit: %w", err)
	}
	return limit, nil
}

// DB returns the database handle, for ad-hoc SQL.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
