package engine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/queries"
)

// Run is the record of one ingest, as stored in ingest_runs.
type Run struct {
	Source        string
	Platform      string
	Input         string
	Started       time.Time
	Finished      time.Time
	RowsRead      int64 // records parsed into posts
	RowsRejected  int64 // bad records skipped
	RowsDuplicate int64 // records dropped because the read met their post before
	RowsInserted  int64 // posts new to the store
	RowsUpdated   int64 // stored posts that changed

	// How long each phase took: reading the source and storing its posts
	// (one streaming statement, or a pull's steps), giving threads to the
	// posts stored without one, refreshing the derived tables (linking
	// the posts, the accounts, the monthly metrics), and the commit.
	Load, Threads time.Duration
	Refreshed     Refreshed
	Commit        time.Duration
}

// RowsStored is the number of rows the ingest wrote.
func (r Run) RowsStored() int64 { return r.RowsInserted + r.RowsUpdated }

// stageView is the name under which an ingest's Arrow stream is visible to
// DuckDB while it is loaded.
const stageView = "calvin_arrow_stream"

// ErrNothingRead is the error of an ingest whose input held no post it
// could read.
var ErrNothingRead = errors.New("nothing readable")

// Ingest reads src and stores its posts under the source name opts.Source,
// in one transaction: posts new to the store are inserted, stored posts
// whose score, views, acceptance or names changed are updated, and the
// source's accounts and monthly metrics are recomputed. If the read or any
// step fails, or ctx is cancelled, nothing of it is kept. An input with
// no post to read is an error (ErrNothingRead).
//
// Ingest fills opts.Stats (one is made if it is nil) as it reads.
func (s *Store) Ingest(ctx context.Context, src ingest.Source, opts ingest.Options) (run Run, err error) {
	defer func() { err = diskFull(s.path, err) }()
	return s.ingest(ctx, src, opts)
}

func (s *Store) ingest(ctx context.Context, src ingest.Source, opts ingest.Options) (Run, error) {
	if opts.Stats == nil {
		opts.Stats = new(ingest.Stats)
	}
	if opts.Facts == nil {
		opts.Facts = new(ingest.Facts)
	}
	run := Run{Source: opts.Source, Platform: src.Platform(), Input: ingest.Key(src.Input()), Started: time.Now().UTC()}
	if opts.Source == "" {
		return run, errors.New("ingest: no source name")
	}

	conn, ar, err := s.arrowConn(ctx)
	if err != nil {
		return run, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return run, err
	}
	defer tx.Rollback() // a no-op once committed
	fresh, err := checkPlatform(ctx, tx, opts.Source, src.Platform())
	if err != nil {
		return run, err
	}
	after, err := lastKey(ctx, tx)
	if err != nil {
		return run, err
	}

	// A source new to the store streams straight into posts; for one that
	// has posts, the stream is merged into them, in one pass either way.
	t0 := time.Now()
	read, err := src.Read(ctx, opts)
	if err != nil {
		return run, err
	}
	loaded, err := s.stage(ctx, ar, tx, read, opts.Source, fresh, opts.Stats)
	if err != nil {
		return run, err
	}
	run.RowsInserted, run.RowsUpdated = loaded.inserted, loaded.updated
	run.Load = time.Since(t0)
	if opts.Stats.Read.Load() == 0 {
		// A mistyped path or platform (an mbox that is a README) reads
		// nothing: an error, not a run of no posts.
		why := "no " + src.Platform() + " posts in it"
		if n := opts.Stats.Rejected.Load(); n > 0 {
			why = fmt.Sprintf("%d bad records and no good one", n)
		}
		return run, fmt.Errorf("%w: %s", ErrNothingRead, why)
	}
	// The stream is read and its batches released. The reader's memory
	// (its indexes, the batches in flight) would otherwise stay with the
	// process through the refresh, on top of DuckDB's: at ten million
	// posts that pushed the peak over 2 GiB.
	debug.FreeOSMemory()
	if err := s.finish(ctx, tx, ar, &run, opts, after, loaded.unthreaded > 0, !fresh); err != nil {
		return run, interrupted(ctx, err)
	}
	opts.Stats.SetPhase("committing", 0)
	t1 := time.Now()
	if err := tx.Commit(); err != nil {
		return run, fmt.Errorf("ingest: commit: %w", err)
	}
	run.Commit = time.Since(t1)
	return run, nil
}

// finish ends an ingest inside its last transaction: it gives threads to
// the posts stored without one when there are any (unthreaded), stores the
// accounts' facts the read found, refreshes the source's derived tables
// (only what the new posts change when added: the source had posts and
// this ingest only added to them) and records the run.
func (s *Store) finish(ctx context.Context, tx *sql.Tx, ar *lockedArrow, run *Run, opts ingest.Options, after int64, unthreaded, added bool) error {
	stats := opts.Stats
	stats.SetPhase("checking for posts stored twice", 0)
	t0 := time.Now()
	dropped, err := dropDuplicates(ctx, tx, run.Source, after)
	if err != nil {
		return err
	}
	run.Load += time.Since(t0) // part of storing the posts
	run.RowsInserted -= dropped
	stats.Duplicates.Add(dropped)
	stats.SetPhase("storing account facts", 0)
	var facts int64
	err = opts.Facts.Batches(factsBatch, func(batch [][3]string) error {
		added, err := storeFacts(ctx, tx, ar, run.Source, batch)
		facts += added
		return err
	})
	if err != nil {
		return fmt.Errorf("ingest: account facts: %w", err)
	}
	opts.Facts.Clear() // stored: not kept through the refresh
	run.RowsRead = stats.Read.Load()
	run.RowsRejected = stats.Rejected.Load()
	run.RowsDuplicate = stats.Duplicates.Load()
	t1 := time.Now()
	// Posts stored by earlier ingests all have threads: only this one's
	// can lack them, and when every post came with one (a Stack Exchange
	// dump's do) there is nothing to resolve.
	if unthreaded {
		stats.SetPhase("resolving threads", 0)
		if err := resolveThreads(ctx, tx, sql.Named("source", run.Source)); err != nil {
			return err
		}
	}
	run.Threads = time.Since(t1)
	// An ingest that only added posts refreshes what they change; one that
	// changed stored posts (a newer dump: views, acceptances, names) or
	// accounts' facts (who is one person) refreshes everything.
	added = added && run.RowsUpdated == 0 && facts == 0
	if run.Refreshed, err = s.refresh(ctx, tx, ar, run.Source, stats, added); err != nil {
		return err
	}
	run.Finished = time.Now().UTC()
	if _, err := tx.ExecContext(ctx, `INSERT INTO ingest_runs
		(source, platform, input, started_at, finished_at, rows_read, rows_rejected, rows_duplicate, rows_inserted, rows_updated, rows_stored)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		run.Source, run.Platform, run.Input, run.Started, run.Finished,
		run.RowsRead, run.RowsRejected, run.RowsDuplicate, run.RowsInserted, run.RowsUpdated, run.RowsStored()); err != nil {
		return fmt.Errorf("ingest: record run: %w", err)
	}
	return nil
}

// factsView is the name under which an ingest's account facts are visible
// to DuckDB while they are stored.
const factsView = "calvin_facts_stream"

// factsBatch is the most facts storeFacts stores at once.
const factsBatch = 1 << 20

// storeFacts adds the facts (author, fact, value) a read found to
// account_facts under source, those already there kept, in one statement:
// a statement per fact, inside the ingest's transaction, ran a Stack
// Exchange dump of a million users out of memory at a 1 GB cap. A fact
// given twice is stored once: those there are found by a join, not by
// a primary key's index (which does not spill).
func storeFacts(ctx context.Context, tx *sql.Tx, ar *lockedArrow, source string, facts [][3]string) (added int64, err error) {
	if len(facts) == 0 {
		return 0, nil
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "author", Type: arrow.BinaryTypes.String},
		{Name: "fact", Type: arrow.BinaryTypes.String},
		{Name: "value", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, f := range facts {
		for i, v := range f {
			b.Field(i).(*array.StringBuilder).Append(v)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		return 0, err
	}
	defer rr.Release()
	drop, err := streamView(ctx, tx, ar, rr, factsView)
	if err != nil {
		return 0, err
	}
	defer drop()
	res, err := tx.ExecContext(ctx, `INSERT INTO account_facts (source, author, fact, value)
		SELECT $source, author, fact, value
		FROM (SELECT DISTINCT author, fact, value FROM `+factsView+`)
		ANTI JOIN (SELECT author, fact, value FROM account_facts WHERE source = $source) USING (author, fact, value)`, sql.Named("source", source))
	if err != nil {
		return 0, err
	}
	if added, err = res.RowsAffected(); err != nil {
		return 0, err
	}
	return added, drop()
}

// streamView registers rr under name on ar's connection, for a statement of
// tx to read. duckdb-go makes an ordinary view of it, which would be
// stored with the transaction and, once rr is released, crash any client
// that read it: the returned drop removes the view inside tx and then
// releases the stream. Call drop, checking its error, after the statement
// and before the commit; calling it again (a deferred call on an error's
// way out) does nothing.
func streamView(ctx context.Context, tx *sql.Tx, ar *lockedArrow, rr array.RecordReader, name string) (drop func() error, err error) {
	release, err := ar.RegisterView(ctx, rr, name)
	if err != nil {
		return nil, err
	}
	done := false
	return func() error {
		if done {
			return nil
		}
		done = true
		// A cancelled ctx must not keep the view: the drop runs regardless.
		_, err := tx.ExecContext(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+name)
		release()
		if err != nil {
			return fmt.Errorf("drop view %s: %w", name, err)
		}
		return nil
	}, nil
}

// arrowConn returns a connection of its own and duckdb-go's Arrow
// interface on it, through which an ingest's streams are loaded.
func (s *Store) arrowConn(ctx context.Context) (*sql.Conn, *lockedArrow, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	var ar *duckdb.Arrow
	if err := conn.Raw(func(dc any) error {
		var err error
		ar, err = duckdb.NewArrowFromConn(dc.(driver.Conn))
		return err
	}); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("ingest: %w", err)
	}
	return conn, &lockedArrow{conn: conn, ar: ar}, nil
}

// lockedArrow is duckdb-go's Arrow interface on conn, each of its calls
// made holding conn as database/sql holds it for a statement. The
// interface calls DuckDB on the connection directly: when a context
// ended, database/sql rolled back the connection's transaction from a
// goroutine of its own while a stream was being registered on it, and
// DuckDB crashed (TestInterruptAfterRead, one run in a few). Under the
// lock, a call first checks its context: once that has ended, the
// rollback may come, and the call is not made.
type lockedArrow struct {
	conn *sql.Conn
	ar   *duckdb.Arrow
}

// QueryContext runs query and returns its result as Arrow batches.
func (l *lockedArrow) QueryContext(ctx context.Context, query string, args ...any) (rr array.RecordReader, err error) {
	err = l.conn.Raw(func(any) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rr, err = l.ar.QueryContext(ctx, query, args...)
		return err
	})
	return rr, err
}

// RegisterView registers reader as the view name (streamView).
func (l *lockedArrow) RegisterView(ctx context.Context, reader array.RecordReader, name string) (release func(), err error) {
	err = l.conn.Raw(func(any) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		release, err = l.ar.RegisterView(reader, name)
		return err
	})
	return release, err
}

// ErrDiskFull is the error of a write that found no room on the disk.
var ErrDiskFull = errors.New("the disk is full")

// diskFull says what a full disk means for the file: nothing of the
// ingest is stored, but DuckDB may keep the room the file grew to (it
// gives back only what is at the file's end, when it closes the file),
// and the next commit needs room for its log; calvin compact gives it
// back.
func diskFull(path string, err error) error {
	if !noSpace(err) {
		return err
	}
	return fmt.Errorf("%w: nothing was stored, but %s may keep the room it grew to (DuckDB reuses it, and gives back only what is at the file's end when it closes it): free some space, or give it back with 'calvin compact --db %s --via DIR', DIR a folder on another disk (%v)", ErrDiskFull, path, path, err)
}

// noSpace reports whether err is a write's that found the disk full.
func noSpace(err error) bool {
	return err != nil && strings.Contains(err.Error(), "No space left on device")
}

// interrupted returns ctx's error in place of err when ctx has ended: an
// interrupt met in any phase (DuckDB's "INTERRUPT Error: Interrupted!",
// a statement refused for a cancelled context) is an interrupt, said so.
func interrupted(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// dropDuplicates keeps once each post of source stored twice by the load
// whose posts have keys above after, and returns how many rows it
// dropped. Each reader drops a post id it met before; whatever a reader
// does, the store keeps (source, post_id) once. The check is one count
// of distinct hashes (a collision only costs the exact pass); the exact
// pass, drop_duplicates, runs only when it finds some.
func dropDuplicates(ctx context.Context, tx *sql.Tx, source string, after int64) (int64, error) {
	var twice bool
	if err := tx.QueryRowContext(ctx, `SELECT count(*) <> count(DISTINCT hash(post_id)) FROM posts WHERE source = ? AND post_key > ?`,
		source, after).Scan(&twice); err != nil || !twice {
		return 0, err
	}
	return execCount(ctx, tx, "drop_duplicates", sql.Named("source", source), sql.Named("after", after))
}

// lastKey returns the highest post_key stored, -1 when there is none:
// the posts a load stores get higher ones.
func lastKey(ctx context.Context, tx querier) (int64, error) {
	var k int64
	err := tx.QueryRowContext(ctx, "SELECT coalesce(max(post_key), -1) FROM posts").Scan(&k)
	return k, err
}

// checkPlatform refuses to mix two platforms under one source name. It
// reports whether the source is new: no posts stored under its name.
func checkPlatform(ctx context.Context, tx querier, source, platform string) (fresh bool, err error) {
	var stored string
	err = tx.QueryRowContext(ctx, "SELECT platform FROM posts WHERE source = ? LIMIT 1", source).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if stored != platform {
		return false, fmt.Errorf("ingest: source %q already holds %s posts, not %s: choose another --source", source, stored, platform)
	}
	return false, nil
}

// stage loads a stream of posts through duckdb-go's Arrow interface: the
// stream is registered as a view on the transaction's connection and
// consumed by the one statement that loads it: load_new for a source new
// to the store, load_merge for one that has posts.
//
// A load into a source that has posts reads the stream's first batches
// ahead: when it ends within fewPosts rows (a pull, a small dump), the
// posts are staged and merged by id (loadFew) instead.
func (s *Store) stage(ctx context.Context, ar *lockedArrow, tx *sql.Tx, read array.RecordReader, source string, fresh bool, stats *ingest.Stats) (loadCounts, error) {
	var counts loadCounts
	few := false
	if !fresh {
		read, few = readHead(read, s.fewPosts)
	}
	rr := &threadCounter{RecordReader: read, stats: stats}
	defer rr.Release()
	drop, err := streamView(ctx, tx, ar, rr, stageView)
	if err != nil {
		// Registering reads the stream's start: a read that failed or was
		// interrupted that early says why better than DuckDB does.
		if cerr := ctx.Err(); cerr != nil {
			return counts, cerr
		}
		for rr.Next() {
		}
		if rerr := rr.Err(); rerr != nil {
			return counts, rerr
		}
		return counts, fmt.Errorf("ingest: %w", err)
	}
	defer drop()
	var execErr error
	switch {
	case fresh:
		counts.inserted, execErr = execCount(ctx, tx, "load_new")
	case few:
		counts.inserted, counts.updated, execErr = loadFew(ctx, tx, source)
	default:
		counts.inserted, counts.updated, execErr = loadMerge(ctx, tx)
	}
	// The stream's own error says more than DuckDB's report of it, and an
	// interrupt more than either: DuckDB may report it ("Interrupted!")
	// before the stream has noticed it.
	if err := ctx.Err(); err != nil {
		return counts, err
	}
	if err := rr.Err(); err != nil {
		return counts, err
	}
	if execErr != nil {
		return counts, fmt.Errorf("ingest: load: %w", execErr)
	}
	counts.unthreaded = rr.unthreaded.Load()
	return counts, drop()
}

// loadCounts says what a load did: the posts it inserted and updated, and
// how many of the posts read came without a thread.
type loadCounts struct {
	inserted, updated, unthreaded int64
}

// threadCounter passes a stream of posts on as it is and counts the posts
// whose thread_id is null, from each batch's null count. DuckDB pulls the
// batches on its own threads; unthreaded is read once the load is done.
type threadCounter struct {
	array.RecordReader
	unthreaded atomic.Int64
	stats      *ingest.Stats // told when the read ends and DuckDB stores the rest
}

func (t *threadCounter) Next() bool {
	if !t.RecordReader.Next() {
		t.stats.SetPhase("storing posts", 0)
		return false
	}
	t.unthreaded.Add(int64(t.RecordBatch().Column(ingest.ColThreadID).NullN()))
	return true
}

// loadMerge runs load_merge, which returns the action taken on each row
// it changed.
func loadMerge(ctx context.Context, tx *sql.Tx) (inserted, updated int64, err error) {
	rows, err := tx.QueryContext(ctx, queries.MustGet("load_merge"))
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var action string
		if err := rows.Scan(&action); err != nil {
			return 0, 0, err
		}
		switch action {
		case "INSERT":
			inserted++
		case "UPDATE":
			updated++
		default:
			return 0, 0, fmt.Errorf("unexpected merge action %q", action)
		}
	}
	return inserted, updated, rows.Err()
}

// fewPosts is the most posts a load stages and merges by id (loadFew),
// unless a test says otherwise (Store.fewPosts).
const fewPosts = 100_000

// loadFew loads a short stream into a source that has posts: it copies
// the stream into a temporary table, finds which of its posts are stored
// by their ids alone, updates those that changed (load_update) and
// inserts the others. MERGE reads every column of every stored post of
// the source to find the matches: 3 s for a thousand posts into ten
// million, where the ids alone take 0.3 s.
func loadFew(ctx context.Context, tx *sql.Tx, source string) (inserted, updated int64, err error) {
	arg := sql.Named("source", source)
	for _, step := range []string{
		"CREATE OR REPLACE TEMP TABLE load_stage AS SELECT * FROM " + stageView,
		`CREATE OR REPLACE TEMP TABLE load_stored AS
		 SELECT post_id, post_key FROM posts
		 WHERE source = $source AND post_id IN (SELECT post_id FROM load_stage)`,
	} {
		if _, err := tx.ExecContext(ctx, step, arg); err != nil {
			return 0, 0, err
		}
	}
	if updated, err = execCount(ctx, tx, "load_update", arg); err != nil {
		return 0, 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO posts BY NAME
		SELECT *, CAST(date_trunc('month', created_at) AS DATE) AS month, nextval('post_keys') AS post_key
		FROM load_stage WHERE post_id NOT IN (SELECT post_id FROM load_stored)`)
	if err != nil {
		return 0, 0, err
	}
	if inserted, err = res.RowsAffected(); err != nil {
		return 0, 0, err
	}
	_, err = tx.ExecContext(ctx, "DROP TABLE load_stage; DROP TABLE load_stored")
	return inserted, updated, err
}

// headReader is a stream whose first batches were read ahead (readHead):
// it hands them out again, then the rest of the stream.
type headReader struct {
	array.RecordReader
	head []arrow.RecordBatch
	cur  arrow.RecordBatch // the head batch handed out last
}

// readHead reads rr's batches ahead until it ends or more than limit rows
// are read, and returns a stream of all of rr and whether rr ended within
// limit rows without an error.
func readHead(rr array.RecordReader, limit int64) (*headReader, bool) {
	h := &headReader{RecordReader: rr}
	var rows int64
	for rows <= limit {
		if !rr.Next() {
			return h, rr.Err() == nil
		}
		rec := rr.RecordBatch()
		rec.Retain()
		h.head = append(h.head, rec)
		rows += rec.NumRows()
	}
	return h, false
}

func (h *headReader) Next() bool {
	if h.cur != nil {
		h.cur.Release()
		h.cur = nil
	}
	if len(h.head) > 0 {
		h.cur, h.head = h.head[0], h.head[1:]
		return true
	}
	return h.RecordReader.Next()
}

func (h *headReader) RecordBatch() arrow.RecordBatch {
	if h.cur != nil {
		return h.cur
	}
	return h.RecordReader.RecordBatch()
}

func (h *headReader) Record() arrow.RecordBatch { return h.RecordBatch() }

// Release releases the head batches not handed out, and the stream.
func (h *headReader) Release() {
	for _, rec := range h.head {
		rec.Release()
	}
	h.head = nil
	if h.cur != nil {
		h.cur.Release()
		h.cur = nil
	}
	h.RecordReader.Release()
}

// refresh brings the derived tables of one source up to date inside tx:
// it links the posts not linked yet (post_links), then recomputes the
// source's accounts and its monthly metrics. ar is the Arrow interface of
// tx's connection, through which the metrics are read and stored
// (engine/metrics.go). stats, if not nil, is told each phase.
//
// With added set, the ingest only added posts: the accounts that wrote the
// posts not linked before and the months those change
// (queries/refresh_months.sql) are recomputed, the rest left as they are.
// Otherwise (a new source, posts changed by a newer dump, account facts
// added, calvin refresh) every account and month is.
func (s *Store) refresh(ctx context.Context, tx *sql.Tx, ar *lockedArrow, source string, stats *ingest.Stats, added bool) (Refreshed, error) {
	var r Refreshed
	t0 := time.Now()
	stats.SetPhase("linking posts", 0)
	linked, months, err := s.linkPosts(ctx, tx, source, added)
	if err != nil {
		return r, err
	}
	t1 := time.Now()
	stats.SetPhase("accounts", 0)
	since := any(nil)
	if added {
		since = linked
	}
	if err := s.refreshAccounts(ctx, tx, source, since); err != nil {
		return r, fmt.Errorf("refresh accounts: %w", err)
	}
	t2 := time.Now()
	areas, err := s.countAreas(ctx, tx, ar, source, added, stats)
	if err != nil {
		return r, fmt.Errorf("refresh area_metrics: %w", err)
	}
	r.Months = -1
	switch {
	case added:
		r.Months = len(months)
		err = refreshMonths(ctx, tx, ar, source, months, areas, stats)
	case linked == 0:
		// Every link was made just now, from the posts as they are
		// stored, acceptances included: none to copy (at sixty million
		// posts the copy read them all again, a range at a time).
		err = refreshMetrics(ctx, tx, ar, source, areas, true, stats)
	default:
		if err = s.copyAcceptances(ctx, tx, source); err == nil {
			err = refreshMetrics(ctx, tx, ar, source, areas, true, stats)
		}
	}
	if err != nil {
		return r, fmt.Errorf("refresh monthly_metrics: %w", err)
	}
	r.Links, r.Accounts, r.Metrics = t1.Sub(t0), t2.Sub(t1), time.Since(t2)
	return r, nil
}

// refreshAccounts puts the accounts of source as its posts make them
// (queries/refresh_accounts.sql) in place of its rows in accounts, each
// with its number and its person's, numbering the people new to the file:
// every account, a part of them at a time (Store.accountParts), or, when
// after is a key, those that wrote a post above it, from their stored
// rows and the new posts (account_posts_added). An error names the
// statement that failed.
func (s *Store) refreshAccounts(ctx context.Context, tx *sql.Tx, source string, after any) error {
	arg := sql.Named("source", source)
	counted, parts := "account_posts_added", int64(1)
	// The accounts counted again go first: with every account, the
	// source's rows (an account left without posts goes with them).
	clearNames := `DELETE FROM account_names WHERE author_key IN
		  (SELECT author_key FROM accounts WHERE source = $source AND author IN (SELECT author FROM fresh_accounts))`
	clear := "DELETE FROM accounts WHERE source = $source AND author IN (SELECT author FROM fresh_accounts)"
	if after == nil {
		var err error
		if parts, err = s.accountParts(ctx, tx, source); err != nil {
			return fmt.Errorf("account parts: %w", err)
		}
		for _, clear := range []string{"DELETE FROM accounts WHERE source = $source",
			"DELETE FROM account_names WHERE author_key IN (SELECT author_key FROM account_keys WHERE source = $source)"} {
			if _, err := tx.ExecContext(ctx, clear, arg); err != nil {
				return fmt.Errorf("accounts: %w", err)
			}
		}
		counted, clearNames, clear = "account_posts", "", ""
	}
	// The people of several accounts: after every account of the source,
	// all found again (a grouping of every account, 0.15 s at ten million
	// posts); after added posts, those of the accounts counted again, as
	// they were before and are now (that path counts in one part, so
	// touched_people holds them all).
	multi, touched := multiAccountPeople, ""
	if after != nil {
		multi = `DELETE FROM multi_account_people WHERE person_key IN (SELECT person_key FROM touched_people);
			INSERT INTO multi_account_people SELECT person_key FROM accounts
			WHERE person_key IN (SELECT person_key FROM touched_people)
			GROUP BY person_key HAVING count(*) > 1;
			DROP TABLE touched_people`
		touched = `CREATE OR REPLACE TEMP TABLE touched_people AS
			SELECT person_key FROM accounts WHERE source = $source AND author IN (SELECT author FROM fresh_accounts)
			UNION SELECT p.person_key FROM fresh_accounts JOIN person_keys AS p USING (person)`
	}
	for part := range parts {
		split := []any{arg, sql.Named("parts", parts), sql.Named("part", part)}
		countArgs := split
		if after != nil {
			countArgs = []any{arg, sql.Named("after", after)}
		}
		for _, step := range []struct {
			name, sql string
			args      []any
		}{
			{counted, "CREATE OR REPLACE TEMP TABLE account_posts AS " + queries.MustGet(counted), countArgs},
			{"refresh_accounts", "CREATE OR REPLACE TEMP TABLE fresh_accounts AS " + queries.MustGet("refresh_accounts"), split},
			{"person_keys", `INSERT INTO person_keys (person, person_key)
			  SELECT person, CAST(nextval('person_key_numbers') AS INTEGER)
			  FROM (SELECT DISTINCT person FROM fresh_accounts) ANTI JOIN person_keys USING (person)`, nil},
			{"people", touched, []any{arg}},
			{"accounts", clearNames, []any{arg}},
			{"accounts", clear, []any{arg}},
			// Their keys found first: joined to every key, the joins
			// hashed them all (0.1 s for a thousand posts at ten
			// million).
			{"accounts", `INSERT INTO accounts BY NAME
			  SELECT f.*, k.author_key, p.person_key
			  FROM fresh_accounts AS f
			  LEFT JOIN (SELECT * FROM account_keys WHERE source = $source AND author IN (SELECT author FROM fresh_accounts)) AS k USING (source, author)
			  LEFT JOIN (SELECT * FROM person_keys WHERE person IN (SELECT person FROM fresh_accounts)) AS p USING (person)`, []any{arg}},
			{"accounts", fmt.Sprintf(accountNames, "source = $source AND author IN (SELECT author FROM fresh_accounts)"), []any{arg}},
			{"accounts", "DROP TABLE fresh_accounts; DROP TABLE account_posts", nil},
		} {
			if step.sql == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, step.sql, step.args...); err != nil {
				return fmt.Errorf("%s: %w", step.name, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, multi); err != nil {
		return fmt.Errorf("people: %w", err)
	}
	return nil
}

// accountNames adds to account_names the names of the accounts a
// condition on accounts picks (a format: %s is the condition), sorted.
const accountNames = `INSERT INTO account_names
	SELECT DISTINCT lower(v) AS name, author_key
	FROM (SELECT author_key, unnest([name, author, person]) AS v FROM accounts WHERE author_key IS NOT NULL AND %s)
	WHERE v <> ''
	ORDER BY name`

// multiAccountPeople finds every person of several accounts again.
const multiAccountPeople = `DELETE FROM multi_account_people;
	INSERT INTO multi_account_people SELECT person_key FROM accounts
	WHERE person_key IS NOT NULL GROUP BY person_key HAVING count(*) > 1`

// accountParts is the number of parts refreshAccounts counts every
// account of source in: the test's choice (Store.accountSplit), or as
// many as give each account accountBytes of DuckDB's memory cap.
func (s *Store) accountParts(ctx context.Context, tx *sql.Tx, source string) (int64, error) {
	if s.accountSplit > 0 {
		return s.accountSplit, nil
	}
	limit, err := memoryLimit(ctx, tx)
	if err != nil {
		return 0, err
	}
	var accounts int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM account_keys WHERE source = ?", source).Scan(&accounts); err != nil {
		return 0, err
	}
	return max(1, (accounts*accountBytes+limit-1)/limit), nil
}

// Refreshed says how long a refresh took: linking the posts not linked
// yet, recomputing the accounts, recomputing the monthly metrics, and in
// all (with the commits).
type Refreshed struct {
	Links, Accounts, Metrics, Total time.Duration
	// Months are the months whose metrics were recomputed after an
	// ingest that only added posts, the months those change; -1 when
	// every month was.
	Months int
}

func (r *Refreshed) add(o Refreshed) {
	r.Months = -1
	r.Links += o.Links
	r.Accounts += o.Accounts
	r.Metrics += o.Metrics
}

// linkPosts makes the post_links rows of the posts of source stored since
// the last link (their post_key is above every linked one), numbering
// their new accounts, and makes again those left pending, whose parent or
// thread may have been stored since, and returns the highest key linked
// before. With nothing to link it reads no more than two counts. With
// added, it also returns the months whose metrics the posts it links
// change (queries/refresh_months.sql), as days since 1970-01-01.
//
// The posts are linked a chunk at a time (Store.linkChunk posts at most):
// the stored posts a chunk names as parents and threads are found first
// (queries/link_candidates.sql), then the chunk is joined with them
// (queries/link_posts.sql). Each statement's joins are then bounded by
// the chunk, whatever the size of the source: one statement joining
// every post of 60 million with every other needed several times
// DuckDB's memory cap, and failed.
func (s *Store) linkPosts(ctx context.Context, tx *sql.Tx, source string, added bool) (linked int64, months []int32, err error) {
	var pending, unlinked, first, last int64
	err = tx.QueryRowContext(ctx, `SELECT coalesce(max(post_key), 0), count(*) FILTER (pending)
		FROM post_links WHERE source = $source`, sql.Named("source", source)).Scan(&linked, &pending)
	if err != nil {
		return linked, nil, fmt.Errorf("link: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*), coalesce(min(post_key), 0), coalesce(max(post_key), 0) FROM posts WHERE source = ? AND post_key > ?",
		source, linked).Scan(&unlinked, &first, &last); err != nil {
		return linked, nil, fmt.Errorf("link: %w", err)
	}
	if unlinked == 0 && pending == 0 {
		return linked, nil, nil
	}
	chunk, err := s.linkChunkSize(ctx, tx)
	if err != nil {
		return linked, nil, fmt.Errorf("link: %w", err)
	}
	args := []any{sql.Named("source", source), sql.Named("after", linked)}
	// exec runs one statement; an error names it (a file of queries/).
	exec := func(name, query string, args ...any) error {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("link: %s: %w", name, err)
		}
		return nil
	}
	// The links left pending are made again (none: the table of them is
	// made empty, where two scans of every link's pending flag took
	// 0.1 s at ten million posts).
	relink := []any{args[0], sql.Named("chunk", chunk)}
	makeRelink := `CREATE OR REPLACE TEMP TABLE relink AS
		  SELECT post_key, (row_number() OVER (ORDER BY post_key) - 1) // $chunk AS chunk
		  FROM post_links WHERE source = $source AND pending`
	clearPending := "DELETE FROM post_links WHERE source = $source AND pending"
	if pending == 0 {
		relink, makeRelink, clearPending = nil, "CREATE OR REPLACE TEMP TABLE relink (post_key BIGINT, chunk BIGINT)", ""
	}
	for _, step := range []struct {
		name, sql string
		args      []any
	}{
		{"relink", makeRelink, relink},
		{"relink", clearPending, args[:1]},
		{"link_accounts", queries.MustGet("link_accounts"), args},
		{"link_area_keys", queries.MustGet("link_area_keys"), args},
		{"link_post_areas", queries.MustGet("link_post_areas"), args},
	} {
		if step.sql == "" {
			continue
		}
		if err := exec(step.name, step.sql, step.args...); err != nil {
			return linked, nil, err
		}
	}
	// The chunks: the posts left pending, chunk posts at a time in key
	// order, then the new posts by ranges of chunk keys.
	type part struct{ relink, lo, hi int64 }
	var parts []part
	for c := int64(0); c*chunk < pending; c++ {
		parts = append(parts, part{relink: c})
	}
	for lo := first - 1; unlinked > 0 && lo < last; lo += chunk {
		parts = append(parts, part{relink: -1, lo: lo, hi: min(lo+chunk, last)})
	}
	for _, p := range parts {
		chunkArgs := []any{args[0], sql.Named("relink", p.relink), sql.Named("lo", p.lo), sql.Named("hi", p.hi)}
		for _, step := range []struct {
			name, sql string
			args      []any
		}{
			{"link_chunk", "CREATE OR REPLACE TEMP TABLE link_chunk AS " + queries.MustGet("link_chunk"), chunkArgs},
			{"link_candidates", "CREATE OR REPLACE TEMP TABLE link_candidates AS " + queries.MustGet("link_candidates"), args[:1]},
			{"link_keys", `CREATE OR REPLACE TEMP TABLE link_keys AS
			  SELECT author, author_key FROM account_keys WHERE source = $source
			  AND author IN (SELECT author FROM link_chunk UNION ALL SELECT author FROM link_candidates)`, args[:1]},
			{"link_posts", queries.MustGet("link_posts"), args[:1]},
		} {
			if err := exec(step.name, step.sql, step.args...); err != nil {
				return linked, nil, err
			}
		}
	}
	if err := exec("link_chunk", "DROP TABLE IF EXISTS link_chunk; DROP TABLE IF EXISTS link_candidates; DROP TABLE IF EXISTS link_keys"); err != nil {
		return linked, nil, err
	}
	if added {
		// The links made now, and the threads they respond in, as
		// tables: DuckDB then knows how few they are (queried as a
		// subquery, the threads were hashed after every link since the
		// earliest response, the wrong side: 1 s at ten million posts
		// for one late answer).
		for _, q := range []string{`CREATE OR REPLACE TEMP TABLE added_links AS
			SELECT * FROM post_links WHERE source = $source AND post_key > $after
			UNION ALL
			SELECT * FROM post_links WHERE source = $source AND post_key <= $after AND post_key IN (SELECT post_key FROM relink)`,
			`CREATE OR REPLACE TEMP TABLE responded AS
			SELECT thread_key, min(created_at) AS since FROM added_links
			WHERE kind IN (2, 5) AND thread_key <> post_key
			GROUP BY thread_key`} {
			if err := exec("refresh_months", q, args...); err != nil {
				return linked, nil, err
			}
		}
		var since sql.NullTime
		if err := tx.QueryRowContext(ctx, "SELECT min(since) FROM responded").Scan(&since); err != nil {
			return linked, nil, fmt.Errorf("link: %w", err)
		}
		rows, err := tx.QueryContext(ctx, queries.MustGet("refresh_months"), append(args[:1], sql.Named("since", since))...)
		if err != nil {
			return linked, nil, fmt.Errorf("link: %w", err)
		}
		for rows.Next() {
			var m int32
			if err := rows.Scan(&m); err != nil {
				rows.Close()
				return linked, nil, fmt.Errorf("link: %w", err)
			}
			months = append(months, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return linked, nil, fmt.Errorf("link: %w", err)
		}
		if err := exec("refresh_months", "DROP TABLE added_links; DROP TABLE responded"); err != nil {
			return linked, nil, err
		}
	}
	if err := exec("relink", "DROP TABLE relink"); err != nil {
		return linked, nil, err
	}
	return linked, months, nil
}

// copyAcceptances copies the acceptances of the source's posts into their
// links where they differ (stored posts may have changed), the posts of a
// range of keys at a time, as many as linkPosts links at once: one join
// of every post with every link ran out of DuckDB's memory cap at thirty
// million posts.
func (s *Store) copyAcceptances(ctx context.Context, tx *sql.Tx, source string) error {
	size, err := s.linkChunkSize(ctx, tx)
	if err != nil {
		return fmt.Errorf("acceptances: %w", err)
	}
	var lo, hi sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT min(post_key), max(post_key) FROM post_links WHERE source = ?", source).Scan(&lo, &hi); err != nil {
		return fmt.Errorf("acceptances: %w", err)
	}
	for first := lo.Int64; lo.Valid && first <= hi.Int64; first += size {
		if _, err := tx.ExecContext(ctx, `UPDATE post_links SET accepted_at = p.accepted_at FROM posts AS p
			WHERE post_links.source = $source AND p.source = $source AND p.post_key = post_links.post_key
			  AND post_links.post_key BETWEEN $first AND $last AND p.post_key BETWEEN $first AND $last
			  AND p.accepted_at IS DISTINCT FROM post_links.accepted_at`,
			sql.Named("source", source), sql.Named("first", first), sql.Named("last", first+size-1)); err != nil {
			return fmt.Errorf("acceptances: %w", err)
		}
	}
	return nil
}

// linkChunkSize is the most posts linkPosts links in one statement: the
// test's choice (Store.linkChunk), or one for each linkBytes of DuckDB's
// memory cap.
func (s *Store) linkChunkSize(ctx context.Context, tx *sql.Tx) (int64, error) {
	if s.linkChunk > 0 {
		return s.linkChunk, nil
	}
	limit, err := memoryLimit(ctx, tx)
	if err != nil {
		return 0, err
	}
	return max(limit/linkBytes, minLinkChunk), nil
}

// memoryLimit is DuckDB's memory cap, in bytes.
func memoryLimit(ctx context.Context, q querier) (int64, error) {
	var setting string
	if err := q.QueryRowContext(ctx, "SELECT current_setting('memory_limit')").Scan(&setting); err != nil {
		return 0, err
	}
	limit, err := parseBytes(setting)
	if err != nil {
		return 0, fmt.Errorf("memory_limit %q: %w", setting, err)
	}
	return limit, nil
}

// linkBytes is the memory cap linkPosts allows each post of a chunk
// (benchmarks/README.md, "the link step in chunks"); minLinkChunk the
// fewest posts a chunk has whatever the cap; accountBytes the cap
// refreshAccounts allows each account of a part.
const (
	linkBytes    = 512
	minLinkChunk = 10_000
	accountBytes = 512
)

// parseBytes reads a size as DuckDB prints it ("953.6 MiB", "1.0 GiB",
// "512 bytes").
func parseBytes(s string) (int64, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return 0, errors.New("no unit")
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, err
	}
	scale := map[string]float64{"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
		"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}[unit]
	if scale == 0 {
		return 0, fmt.Errorf("unknown unit %q", unit)
	}
	return int64(v * scale), nil
}

// maxThreadDepth bounds the passes that give posts their parents' threads:
// a reply chain deeper than this starts a thread of its own there.
const maxThreadDepth = 64

// resolveThreads gives every post the ingestor left without a thread its
// parent's, one level of a reply chain per pass, until a pass changes
// nothing; the rest fall back to their parent or themselves. When every
// post came with a thread, each statement finds nothing to do.
func resolveThreads(ctx context.Context, tx *sql.Tx, source sql.NamedArg) error {
	for range maxThreadDepth {
		n, err := execCount(ctx, tx, "resolve_threads", source)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	_, err := execCount(ctx, tx, "resolve_threads_fallback", source)
	return err
}

// execCount runs a named query and returns the number of rows it changed.
func execCount(ctx context.Context, tx *sql.Tx, name string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, queries.MustGet(name), args...)
	if err != nil {
		return 0, fmt.Errorf("ingest: %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("ingest: %s: %w", name, err)
	}
	return n, nil
}

// storedSources returns the sources that have posts, in name order.
func storedSources(ctx context.Context, q querier) ([]string, error) {
	return queryColumn[string](ctx, q, "SELECT DISTINCT source FROM posts ORDER BY source")
}

// queryColumn runs a query of one column and returns its values.
func queryColumn[T any](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Refresh recomputes the derived tables (accounts, monthly metrics) of
// sources from their stored posts, each source in a transaction of its
// own; no sources means every source in the store. It is what an ingest
// does after loading, for when the definitions change or to check them.
// Posts not linked yet (left by a pull cut off before its end, or by a
// file made before post_links) are linked first.
func (s *Store) Refresh(ctx context.Context, sources ...string) (Refreshed, error) {
	var took Refreshed
	start := time.Now()
	if err := s.CheckSources(ctx, nil, sources...); err != nil {
		return took, err
	}
	if len(sources) == 0 {
		var err error
		if sources, err = storedSources(ctx, s.db); err != nil {
			return took, fmt.Errorf("refresh: %w", err)
		}
	}
	conn, ar, err := s.arrowConn(ctx)
	if err != nil {
		return took, err
	}
	defer conn.Close()
	for _, src := range sources {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return took, err
		}
		r, err := s.refresh(ctx, tx, ar, src, nil, false)
		if err != nil {
			tx.Rollback()
			return took, interrupted(ctx, err)
		}
		if err := tx.Commit(); err != nil {
			return took, fmt.Errorf("refresh: %w", err)
		}
		took.add(r)
	}
	took.Total = time.Since(start)
	return took, nil
}
