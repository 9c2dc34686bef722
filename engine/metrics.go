package engine

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/queries"
)

// The monthly metrics of one source are recomputed from post_links, one
// calendar month (UTC) at a time, here in Go: each month's links are read
// through Arrow, counted, and the month's rows stored before the next is
// read, so memory holds one month. The definitions are those of DESIGN.md;
// where it leaves a choice, the choice is stated here.
//
//	posts            questions, answers, topics and replies authored
//	comments, questions, answers, topics   the same, by kind
//	received         posts of any kind (comments included) made in the month
//	                 by someone else whose parent is this account's post;
//	                 a deleted user's post counts, a self-reply does not
//	accepted         this account's posts whose accepted_at is in the month:
//	                 answers on Stack Exchange, a forum's replies marked
//	                 as the solution
//	reach            distinct other accounts linked to this one by a post
//	                 (of any kind) that replies to the other's, either way;
//	                 an account that is nobody (not ranked in accounts:
//	                 Stack Exchange's Community user, Mailman's stand-in
//	                 for a lost sender) is in no one's reach
//	helped           distinct other accounts whose threads this account
//	                 posted in (anything but the thread's first post),
//	                 not counting threads started by nobody
//	first_responses  threads whose first answer or reply by someone other
//	                 than the starter is this account's, made in the month
//	                 (comments are not responses here; of two made at the
//	                 same instant, the one stored first: the lower post_key)
//	audience         sum of the views of the distinct threads this account
//	                 posted in (any kind) during the month, where known
//	active_days      distinct UTC days with a post of any kind
//
// Posts without an author (deleted users) are credited to nobody. A row
// exists for every (account, month) in which the account sent, received
// or had an answer accepted. engine/span.go counts the same metrics over
// any span or area, and queries/window_metrics.sql computes them in SQL
// from the posts; TestSpanMetricsAgree checks that the three agree.
//
// Why Go and not SQL: the same metrics as six SQL aggregations joined on
// (account, month) took 14 s at ten million posts, the distinct counts
// most of it; counted here per month, with the accounts' rows found by
// array index and each account's distinct values sorted in place, they
// take a few seconds (benchmarks/README.md).

// metricsView is the name under which a batch of computed metrics is
// visible to DuckDB while it is stored.
const metricsView = "calvin_metrics_stream"

// Post kinds as post_links numbers them.
const (
	kindQuestion = 1
	kindAnswer   = 2
	kindComment  = 3
	kindTopic    = 4
	kindReply    = 5
)

// metricRows builds the computed rows of monthly_metrics, or of
// area_metrics: the account (its name, for monthly_metrics; the area's
// number, for area_metrics), its author_key, the month, then every metric
// in MetricNames' order. The source is added by the statement that
// stores them.
type metricRows struct {
	b         *array.RecordBuilder
	author    *array.StringBuilder // monthly_metrics: the account's name
	area      *array.Int32Builder  // area_metrics: the area_id
	authorKey *array.Int32Builder
	month     *array.Date32Builder
	ints      [12]*array.Int64Builder // posts ... active_days, in MetricNames' order
}

// newMetricRows returns a builder of monthly_metrics rows, or of
// area_metrics rows when area.
func newMetricRows(area bool) *metricRows {
	first := arrow.Field{Name: "author", Type: arrow.BinaryTypes.String}
	if area {
		first = arrow.Field{Name: "area_id", Type: arrow.PrimitiveTypes.Int32}
	}
	fields := []arrow.Field{
		first,
		{Name: "author_key", Type: arrow.PrimitiveTypes.Int32},
		{Name: "month", Type: arrow.FixedWidthTypes.Date32},
	}
	for _, name := range MetricNames() {
		fields = append(fields, arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64})
	}
	r := &metricRows{b: array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))}
	if area {
		r.area = r.b.Field(0).(*array.Int32Builder)
	} else {
		r.author = r.b.Field(0).(*array.StringBuilder)
	}
	r.authorKey = r.b.Field(1).(*array.Int32Builder)
	r.month = r.b.Field(2).(*array.Date32Builder)
	for i := range r.ints {
		r.ints[i] = r.b.Field(3 + i).(*array.Int64Builder)
	}
	return r
}

// add appends a month's tallies: name gives an account's name (for
// monthly_metrics), area is the area's number (for area_metrics).
func (r *metricRows) add(month int32, tallies []tally, name func(author int32) string, area int32) {
	n := len(tallies)
	r.authorKey.Reserve(n)
	r.month.Reserve(n)
	for _, b := range r.ints {
		b.Reserve(n)
	}
	for _, t := range tallies {
		if r.author != nil {
			r.author.Append(name(t.author))
		} else {
			r.area.Append(area)
		}
		r.authorKey.UnsafeAppend(t.author)
		r.month.UnsafeAppend(arrow.Date32(month))
		for i, v := range t.m.pointers() {
			r.ints[i].UnsafeAppend(*v)
		}
	}
}

// len returns the number of rows not taken yet.
func (r *metricRows) len() int { return r.authorKey.Len() }

// take returns the rows built so far as a batch, and starts again.
func (r *metricRows) take() metricBatch {
	return metricBatch{rec: r.b.NewRecordBatch(), area: r.area != nil}
}

// metricBatch is a batch of rows for monthly_metrics, or, when area, for
// area_metrics.
type metricBatch struct {
	rec  arrow.RecordBatch
	area bool
}

// storeMetrics writes batches of computed rows under source, those of
// each table as one statement (DuckDB reads the batches on all its
// threads), and releases them.
func storeMetrics(ctx context.Context, tx *sql.Tx, ar *lockedArrow, source string, batches []metricBatch) error {
	var monthly, areas []arrow.RecordBatch
	for _, b := range batches {
		if b.area {
			areas = append(areas, b.rec)
		} else {
			monthly = append(monthly, b.rec)
		}
	}
	defer func() {
		for _, b := range batches {
			b.rec.Release()
		}
	}()
	src := sql.Named("source", source)
	if err := insertMetrics(ctx, tx, ar, monthly, "INSERT INTO monthly_metrics BY NAME SELECT $source AS source, * FROM "+metricsView, src); err != nil {
		return err
	}
	return insertMetrics(ctx, tx, ar, areas, "INSERT INTO area_metrics BY NAME SELECT $source AS source, * FROM "+metricsView, src)
}

// monthCount is one month's counting: begun by the goroutine that reads
// the month's links (count), completed by the one that finishes months in
// order (finish). Two of them take turns, so that a month is read while
// the one before it is finished.
type monthCount struct {
	month int32    // days since 1970-01-01 of its first day
	all   *counter // every post's; nil when only areas are counted
	areas []*counter
}

// start readies c for a month (days since 1970-01-01 of its first day).
func (c *monthCount) start(month int32) {
	c.month = month
	first := time.Unix(int64(month)*24*60*60, 0).UTC()
	if c.all != nil {
		c.all.reset(first, first.AddDate(0, 1, 0))
	}
	for _, k := range c.areas {
		k.reset(first, first.AddDate(0, 1, 0))
	}
}

// count counts a batch of the month's links in every counter.
func (c *monthCount) count(rec arrow.RecordBatch) {
	if c.all != nil {
		c.all.count(rec)
	}
	for _, k := range c.areas {
		k.count(rec)
	}
}

// metricsRun is one source's recompute: what the finishing goroutine
// keeps from month to month (the accounts' names, the threads' views,
// which threads have had their first response, in every post and in each
// area) and the rows it builds.
type metricsRun struct {
	base   int32    // the lowest author_key of the source
	names  []string // author by author_key - base
	nobody []bool   // by author_key - base: the account is nobody, not a person (accounts.ranked)
	views  threadViews
	keyLo  int64    // the lowest post_key of the source
	done   []uint64 // bit per thread key - keyLo: its first response is counted
	areas  []areaRun

	rows, areaRows *metricRows
}

// areaRun is the counting of one area over a source's months.
type areaRun struct {
	countedArea
	posts    *postSet
	accepted []acceptedCount
	done     []uint64 // as metricsRun.done, in the area
}

// refreshMetrics recomputes the monthly_metrics rows of source from its
// post_links, inside tx, and its area_metrics rows in areas; ar is the
// Arrow interface of tx's connection. With every false, only the areas'
// rows are (areas counted for the first time). The connection reads and
// counts each month and stores the finished rows; a goroutine of its own
// finishes the months, in order, meanwhile.
func refreshMetrics(ctx context.Context, tx *sql.Tx, ar *lockedArrow, source string, areas []countedArea, every bool, stats *ingest.Stats) (err error) {
	if every {
		if _, err := tx.ExecContext(ctx, "DELETE FROM monthly_metrics WHERE source = ?", source); err != nil {
			return err
		}
	}
	if err := deleteAreaRows(ctx, tx, source, areas, nil); err != nil {
		return err
	}
	m := &metricsRun{}
	if err := m.load(ctx, tx, ar, source); err != nil {
		return err
	}
	var accepted []acceptedCount
	if every {
		if accepted, err = loadAccepted(ctx, ar, source, ""); err != nil {
			return err
		}
	}
	months, err := linkMonths(ctx, tx, source)
	if err != nil {
		return err
	}
	months = mergeMonths(months, accepted)
	for _, a := range areas {
		r := areaRun{countedArea: a, done: make([]uint64, len(m.done))}
		keys, err := areaKeys(ctx, tx, a.patterns)
		if err != nil {
			return fmt.Errorf("metrics: area: %w", err)
		}
		if r.posts, err = postsIn(ctx, ar, keys); err != nil {
			return fmt.Errorf("metrics: area: %w", err)
		}
		if keys != "" {
			if r.accepted, err = loadAccepted(ctx, ar, source, keys); err != nil {
				return err
			}
		}
		months = mergeMonths(months, r.accepted)
		m.areas = append(m.areas, r)
	}
	stats.SetPhase("monthly metrics", int64(len(months)))

	m.rows, m.areaRows = newMetricRows(false), newMetricRows(true)
	defer m.rows.b.Release()
	defer m.areaRows.b.Release()

	free := make(chan *monthCount, 2)
	nobody := func(a int32) bool { return m.nobody[a-m.base] }
	accounts := int(m.base) + len(m.names)
	for range 2 {
		c := &monthCount{}
		if every {
			c.all = newCounter(time.Time{}, time.Time{}, nil, nobody, accounts)
		}
		for _, a := range m.areas {
			c.areas = append(c.areas, newCounter(time.Time{}, time.Time{}, a.posts, nobody, accounts))
		}
		free <- c
	}
	counted := make(chan *monthCount)
	finished := make(chan metricBatch)
	go func() {
		defer close(finished)
		for c := range counted {
			m.finish(c)
			free <- c
			for _, r := range []*metricRows{m.rows, m.areaRows} {
				if r.len() >= 1<<16 {
					finished <- r.take()
				}
			}
		}
		for _, r := range []*metricRows{m.rows, m.areaRows} {
			if r.len() > 0 {
				finished <- r.take()
			}
		}
	}()
	var pending []metricBatch
	// However the loop ends, the finishing goroutine finishes what it was
	// given and its last rows are stored, unless the loop failed.
	defer func() {
		close(counted)
		for b := range finished {
			pending = append(pending, b)
		}
		if err == nil {
			if err = storeMetrics(ctx, tx, ar, source, pending); err == nil && every {
				err = keepAccountMonths(ctx, tx, source, nil)
			}
			return
		}
		for _, b := range pending {
			b.rec.Release()
		}
	}()
	for _, month := range months {
		if err := ctx.Err(); err != nil {
			return err
		}
		var c *monthCount
		for c == nil {
			select {
			case c = <-free:
			case b := <-finished:
				pending = append(pending, b)
			}
		}
		if len(pending) >= 4 {
			batches := pending
			pending = nil
			if err := storeMetrics(ctx, tx, ar, source, batches); err != nil {
				return err
			}
		}
		c.start(month)
		err := readArrow(ctx, ar, c.count, queries.MustGet("metrics_month"), sql.Named("source", source), sql.Named("month", month))
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		stats.PhaseDone(1)
		if c.all != nil {
			accepted = addAccepted(c.all, accepted, month)
		}
		for i := range m.areas {
			m.areas[i].accepted = addAccepted(c.areas[i], m.areas[i].accepted, month)
		}
		for c != nil {
			select {
			case counted <- c:
				c = nil
			case b := <-finished:
				pending = append(pending, b)
			}
		}
	}
	return nil
}

// numberList writes numbers comma-separated, for a statement's IN list or
// a string_split parameter.
func numberList[T int32 | int64](xs []T) string {
	var b []byte
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return string(b)
}

// addAccepted adds to c the acceptances of month, the first of accepted
// (in month order), and returns the rest.
func addAccepted(c *counter, accepted []acceptedCount, month int32) []acceptedCount {
	for len(accepted) > 0 && accepted[0].month == month {
		c.tallies[c.index(accepted[0].author)].m.Accepted += accepted[0].n
		accepted = accepted[1:]
	}
	return accepted
}

// inMonths is an SQL condition: month is one of $months, a comma-separated
// list of first days as days since 1970-01-01 (numberList).
const inMonths = "month IN (SELECT DATE '1970-01-01' + CAST(unnest(string_split($months, ',')) AS INTEGER))"

// deleteAreaRows deletes the area_metrics rows of source in areas, in
// months (days since 1970-01-01 of their first days; nil: every month).
func deleteAreaRows(ctx context.Context, tx *sql.Tx, source string, areas []countedArea, months []int32) error {
	if len(areas) == 0 {
		return nil
	}
	ids := make([]int32, len(areas))
	for i, a := range areas {
		ids[i] = a.id
	}
	del := "DELETE FROM area_metrics WHERE source = $source AND area_id IN (" + numberList(ids) + ")"
	args := []any{sql.Named("source", source)}
	if months != nil {
		del += " AND " + inMonths
		args = append(args, sql.Named("months", numberList(months)))
	}
	if _, err := tx.ExecContext(ctx, del, args...); err != nil {
		return fmt.Errorf("metrics: areas: %w", err)
	}
	return nil
}

// keepAccountMonths writes again the account_months rows of source
// (queries/schema.sql) from its monthly_metrics: after every month was
// counted (months nil), all of them before its latest month, which
// becomes its until, in account order; after some months were, those of
// them before its until.
func keepAccountMonths(ctx context.Context, tx *sql.Tx, source string, months []int32) error {
	steps := []string{
		"DELETE FROM account_months WHERE source = $source",
		"DELETE FROM account_months_until WHERE source = $source",
		`INSERT INTO account_months_until SELECT $source, max(month) FROM monthly_metrics WHERE source = $source HAVING max(month) IS NOT NULL`,
		`INSERT INTO account_months BY NAME SELECT * EXCLUDE (author) FROM monthly_metrics
		  WHERE source = $source AND month < (SELECT until FROM account_months_until WHERE source = $source)
		  ORDER BY author_key, month`,
	}
	args := []any{sql.Named("source", source)}
	if months != nil {
		in := " AND " + inMonths + " AND month < (SELECT until FROM account_months_until WHERE source = $source)"
		steps = []string{
			"DELETE FROM account_months WHERE source = $source" + in,
			"INSERT INTO account_months BY NAME SELECT * EXCLUDE (author) FROM monthly_metrics WHERE source = $source" + in + " ORDER BY author_key, month",
		}
		args = append(args, sql.Named("months", numberList(months)))
	}
	for _, q := range steps {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("metrics: account_months: %w", err)
		}
	}
	return nil
}

// load reads the source's account names, its threads' views and the
// range of its keys.
func (m *metricsRun) load(ctx context.Context, tx *sql.Tx, ar *lockedArrow, source string) error {
	var lo, hi sql.NullInt32
	if err := tx.QueryRowContext(ctx, "SELECT min(author_key), max(author_key) FROM account_keys WHERE source = ?", source).Scan(&lo, &hi); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if lo.Valid {
		m.base = lo.Int32
		m.names = make([]string, hi.Int32-lo.Int32+1)
		m.nobody = make([]bool, len(m.names))
	}
	err := readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		keys := rec.Column(0).(*array.Int32)
		names := rec.Column(1).(*array.String)
		nobody := rec.Column(2).(*array.Boolean)
		for i := range int(rec.NumRows()) {
			// A copy: the batch's memory is DuckDB's, freed after f.
			m.names[keys.Value(i)-m.base] = strings.Clone(names.Value(i))
			m.nobody[keys.Value(i)-m.base] = nobody.Value(i)
		}
	}, `SELECT k.author_key, k.author, coalesce(NOT a.ranked, false)
		FROM account_keys AS k LEFT JOIN accounts AS a USING (source, author) WHERE k.source = ?`, source)
	if err != nil {
		return fmt.Errorf("metrics: accounts: %w", err)
	}

	var klo, khi sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT min(post_key), max(post_key) FROM post_links WHERE source = ?", source).Scan(&klo, &khi); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if klo.Valid {
		m.keyLo = klo.Int64
		m.done = make([]uint64, (khi.Int64-klo.Int64)/64+1)
	}

	// The views of a thread are its first post's: only first posts carry
	// them (a Stack Exchange question, a forum topic).
	// The keys with views are read first, then their views.
	if !klo.Valid {
		return nil // no links: no threads
	}
	m.views = threadViews{lo: klo.Int64, has: make([]uint64, (khi.Int64-klo.Int64)/64+1)}
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		keys := rec.Column(0).(*array.Int64)
		for i := range int(rec.NumRows()) {
			m.views.mark(keys.Value(i))
		}
	}, "SELECT post_key FROM posts WHERE source = ? AND views IS NOT NULL AND post_key BETWEEN ? AND ?", source, klo.Int64, khi.Int64)
	if err != nil {
		return fmt.Errorf("metrics: views: %w", err)
	}
	m.views.counted()
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		keys := rec.Column(0).(*array.Int64)
		views := rec.Column(1).(*array.Int64)
		for i := range int(rec.NumRows()) {
			m.views.set(keys.Value(i), views.Value(i))
		}
	}, "SELECT post_key, views FROM posts WHERE source = ? AND views IS NOT NULL AND post_key BETWEEN ? AND ?", source, klo.Int64, khi.Int64)
	if err != nil {
		return fmt.Errorf("metrics: views: %w", err)
	}
	return nil
}

// finish completes a month's tallies (first responses, distinct counts),
// in every post and in each area, appends them to the rows to store and
// clears c for another month. Months are finished in order: a thread's
// first response counts in the first month that has one.
func (m *metricsRun) finish(c *monthCount) {
	answered := func(done []uint64) func(int64) bool {
		return func(th int64) bool {
			bit := th - m.keyLo
			if done[bit/64]&(1<<uint(bit%64)) != 0 {
				return true // the thread had its first response in an earlier month
			}
			done[bit/64] |= 1 << uint(bit%64)
			return false
		}
	}
	if c.all != nil {
		c.all.finish(answered(m.done), m.views.get)
		m.rows.add(c.month, c.all.tallies, func(author int32) string { return m.names[author-m.base] }, 0)
	}
	for i, k := range c.areas {
		k.finish(answered(m.areas[i].done), m.views.get)
		m.areaRows.add(c.month, k.tallies, nil, m.areas[i].id)
	}
}

// insertMetrics runs an insert that reads batches of computed metrics from
// the view metricsView, as one statement (DuckDB reads the batches on all
// its threads).
func insertMetrics(ctx context.Context, tx *sql.Tx, ar *lockedArrow, batches []arrow.RecordBatch, insert string, args ...any) error {
	if len(batches) == 0 {
		return nil
	}
	rr, err := array.NewRecordReader(batches[0].Schema(), batches)
	if err != nil {
		return err
	}
	defer rr.Release()
	drop, err := streamView(ctx, tx, ar, rr, metricsView)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	defer drop()
	if _, err := tx.ExecContext(ctx, insert, args...); err != nil {
		return fmt.Errorf("metrics: store: %w", err)
	}
	return drop()
}

// acceptedCount is the number of one account's posts accepted in a month.
type acceptedCount struct {
	month  int32 // days since 1970-01-01, the month's first day
	author int32
	n      int64
}

// loadAccepted reads the source's accepted posts counted per account and
// month of acceptance, in month order: every post's, or those in the
// areas numbered (area_keys, comma-separated) unless areas is empty.
func loadAccepted(ctx context.Context, ar *lockedArrow, source, areas string) ([]acceptedCount, error) {
	var out []acceptedCount
	var in any
	if areas != "" {
		in = areas
	}
	err := readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		months := rec.Column(0).(*array.Date32)
		authors := rec.Column(1).(*array.Int32)
		ns := rec.Column(2).(*array.Int64)
		for i := range int(rec.NumRows()) {
			out = append(out, acceptedCount{int32(months.Value(i)), authors.Value(i), ns.Value(i)})
		}
	}, queries.MustGet("metrics_accepted"), sql.Named("source", source), sql.Named("areas", in))
	if err != nil {
		return nil, fmt.Errorf("metrics: accepted: %w", err)
	}
	return out, nil
}

// linkMonths lists the months in which source has posts, in order, as
// days since 1970-01-01.
func linkMonths(ctx context.Context, tx *sql.Tx, source string) ([]int32, error) {
	months, err := queryColumn[int32](ctx, tx, "SELECT DISTINCT CAST(month - DATE '1970-01-01' AS INTEGER) FROM post_links WHERE source = ? ORDER BY 1", source)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return months, nil
}

// mergeMonths adds to months, which is sorted, the months of accepted.
func mergeMonths(months []int32, accepted []acceptedCount) []int32 {
	for _, a := range accepted {
		if _, found := slices.BinarySearch(months, a.month); !found {
			months = append(months, a.month)
		}
	}
	slices.Sort(months)
	return slices.Compact(months)
}

// threadViews holds the views of a source's threads by thread key: a bit
// for each key from the source's lowest on that has views, the number of
// such keys before each word of bits, and the views of those keys in key
// order (an int32 each, the rare count past int32 in a map). A dense
// array of an int32 for every key took 240 MB at thirty million posts,
// most of them answers and comments, which have no views; this takes
// about 4 bytes a thread and 1 bit a post.
type threadViews struct {
	lo     int64    // the source's lowest post_key
	has    []uint64 // bit per key - lo: the key has views
	before []int32  // by word of has: the keys with views in the words before it
	n      []int32  // the views of the keys with views, in key order
	big    map[int64]int64
}

// mark notes that key has views; every key is marked before any is set.
func (v *threadViews) mark(key int64) {
	bit := key - v.lo
	v.has[bit/64] |= 1 << uint(bit%64)
}

// index returns the place of key's views in v.n, -1 when it has none.
func (v *threadViews) index(key int64) int {
	bit := key - v.lo
	if bit < 0 || bit/64 >= int64(len(v.has)) {
		return -1
	}
	word := v.has[bit/64]
	if word&(1<<uint(bit%64)) == 0 {
		return -1
	}
	return int(v.before[bit/64]) + bits.OnesCount64(word&(1<<uint(bit%64)-1))
}

// counted readies v.n once every key with views is marked.
func (v *threadViews) counted() {
	v.before = make([]int32, len(v.has))
	total := 0
	for i, w := range v.has {
		v.before[i] = int32(total)
		total += bits.OnesCount64(w)
	}
	v.n = make([]int32, total)
}

func (v *threadViews) set(key, n int64) {
	i := v.index(key)
	if i < 0 {
		return
	}
	if n >= math.MaxInt32 || n < math.MinInt32 {
		if v.big == nil {
			v.big = map[int64]int64{}
		}
		v.big[key] = n
		n = math.MaxInt32
	}
	v.n[i] = int32(n)
}

// get returns the views of the thread key, 0 when it has none.
func (v *threadViews) get(key int64) int64 {
	i := v.index(key)
	if i < 0 {
		return 0
	}
	if n := v.n[i]; n != math.MaxInt32 {
		return int64(n)
	}
	return v.big[key]
}

// readArrow runs a query on ar and hands each batch of its result to f.
func readArrow(ctx context.Context, ar *lockedArrow, f func(arrow.RecordBatch), query string, args ...any) error {
	rr, err := ar.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rr.Release()
	for rr.Next() {
		f(rr.RecordBatch())
	}
	return rr.Err()
}

// distinctCounter collects values per owner (a tally's index) and gives
// each owner's distinct values: a counting sort by owner, then a sort of
// each owner's few values in place. Its buffers are kept for the next
// month.
type distinctCounter[T cmp.Ordered] struct {
	owner  []int32
	val    []T
	start  []int32
	sorted []T
}

// grow makes room for n more values.
func (c *distinctCounter[T]) grow(n int) {
	c.owner = slices.Grow(c.owner, n)
	c.val = slices.Grow(c.val, n)
}

func (c *distinctCounter[T]) add(owner int32, v T) {
	c.owner = append(c.owner, owner)
	c.val = append(c.val, v)
}

// each calls f with every owner below n that has values and its distinct
// values, then forgets them all.
func (c *distinctCounter[T]) each(n int, f func(owner int32, vals []T)) {
	start := slices.Grow(c.start[:0], n+1)[:n+1]
	clear(start)
	for _, o := range c.owner {
		start[o+1]++
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	sorted := slices.Grow(c.sorted[:0], len(c.val))[:len(c.val)]
	// start[o] is the next free place of owner o; once all are placed it
	// is the end of o's values, the start of o+1's.
	for i, o := range c.owner {
		sorted[start[o]] = c.val[i]
		start[o]++
	}
	lo := int32(0)
	for o := range n {
		hi := start[o]
		if hi > lo {
			vals := sorted[lo:hi]
			slices.Sort(vals)
			f(int32(o), slices.Compact(vals))
		}
		lo = hi
	}
	c.start, c.sorted = start, sorted
	c.owner, c.val = c.owner[:0], c.val[:0]
}

// refreshMonths recomputes the monthly_metrics rows of source in months
// (the first days, as days since 1970-01-01) from post_links, inside tx,
// and its area_metrics rows in areas: each month is counted as a span of
// its own (engine/span.go, the same definitions, which
// TestSpanMetricsAgree holds to the monthly count), in every post and in
// each area at once, its rows replaced.
func refreshMonths(ctx context.Context, tx *sql.Tx, ar *lockedArrow, source string, months []int32, areas []countedArea, stats *ingest.Stats) error {
	if len(months) == 0 {
		return nil
	}
	stats.SetPhase("monthly metrics", int64(len(months)))
	var accounts int
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(author_key), 0) + 1 FROM account_keys").Scan(&accounts); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	var unranked postSet
	err := readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		keys := rec.Column(0).(*array.Int32)
		for i := range int(rec.NumRows()) {
			unranked.add(int64(keys.Value(i)))
		}
	}, "SELECT author_key FROM accounts WHERE NOT ranked AND author_key IS NOT NULL")
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	nobody := func(a int32) bool { return unranked.has(int64(a)) }
	sets := []*postSet{nil} // every post, then each area's
	for _, a := range areas {
		posts, err := areaPosts(ctx, tx, ar, a.patterns)
		if err != nil {
			return fmt.Errorf("metrics: area: %w", err)
		}
		sets = append(sets, posts)
	}
	if err := deleteAreaRows(ctx, tx, source, areas, months); err != nil {
		return err
	}

	rows, areaRows := newMetricRows(false), newMetricRows(true)
	defer rows.b.Release()
	defer areaRows.b.Release()
	type monthRows struct {
		month int32
		rows  []tally
	}
	var counted []monthRows
	names := map[int32]string{}
	for _, month := range months {
		if err := ctx.Err(); err != nil {
			return err
		}
		first := time.Unix(int64(month)*24*60*60, 0).UTC()
		if _, err := tx.ExecContext(ctx, "DELETE FROM monthly_metrics WHERE source = ? AND month = ?", source, first); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		counts, err := spanAreas(ctx, ar, span{source: source, from: first, to: first.AddDate(0, 1, 0)}, sets, nobody, accounts, true)
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		counted = append(counted, monthRows{month, counts[0].tallies})
		for _, w := range counts[0].tallies {
			names[w.author] = ""
		}
		for i, a := range areas {
			areaRows.add(month, counts[1+i].tallies, nil, a.id)
		}
		stats.PhaseDone(1)
	}
	// The accounts' names, looked up by number for these accounts only:
	// joined to every account in the insert, they took 0.45 s for one
	// month at ten million posts, against 0.1 s.
	keys := make([]int32, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		key := rec.Column(0).(*array.Int32)
		name := rec.Column(1).(*array.String)
		for i := range int(rec.NumRows()) {
			names[key.Value(i)] = strings.Clone(name.Value(i)) // the batch's memory is given back
		}
	}, `SELECT author_key, author FROM account_keys
		WHERE source = $source AND author_key IN (SELECT unnest(CAST(string_split($keys, ',') AS INTEGER[])))`,
		sql.Named("source", source), sql.Named("keys", numberList(keys)))
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	for _, m := range counted {
		rows.add(m.month, m.rows, func(author int32) string { return names[author] }, 0)
	}
	if err := storeMetrics(ctx, tx, ar, source, []metricBatch{rows.take(), areaRows.take()}); err != nil {
		return err
	}
	return keepAccountMonths(ctx, tx, source, months)
}
