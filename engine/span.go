package engine

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/calvinslist/calvin/queries"
)

// The metrics over a span that is not whole calendar months (the 90-day
// window), or over an area's posts only, are counted here from post_links,
// as the monthly ones are (engine/metrics.go, where the definitions are):
// the links made in the span are read, the area's posts kept, and every
// distinct count (reach, helped, audience, active days) taken over the
// whole span. Three things come from outside the span: the answers
// accepted in it (whenever they were written), the views of its threads,
// and, for its threads' first responses, whether a thread had an answer
// or reply in the area before the span began. queries/window_metrics.sql
// is the same definition in SQL, over the posts; TestSpanMetricsAgree
// holds the two together.

// accountWindow is one account's numbers over a board's window.
type accountWindow struct {
	key  int32 // author_key
	m    Metrics
	mask uint64 // bit i: the account sent a post or comment in the window's month i
}

// postSet is a set of post keys.
type postSet []uint64

func (s postSet) has(key int64) bool {
	return key >= 0 && key/64 < int64(len(s)) && s[key/64]&(1<<uint(key%64)) != 0
}

func (s *postSet) add(key int64) {
	for int64(len(*s)) <= key/64 {
		*s = append(*s, 0)
	}
	(*s)[key/64] |= 1 << uint(key%64)
}

// span is what a count over a span reads by: its source (empty: every
// source), its bounds [from, to), and its area's posts (nil: every post).
type span struct {
	source   string
	from, to time.Time
	area     *postSet
}

// in reports whether a post whose areas are those of the post areasOf (0
// and invalid: none known) counts in the span's area.
func (sp span) in(areasOf *array.Int64, i int) bool {
	return sp.area == nil || (areasOf.IsValid(i) && sp.area.has(areasOf.Value(i)))
}

func (sp span) sourceArg() any {
	if sp.source == "" {
		return nil
	}
	return sp.source
}

func (sp span) args() []any {
	return []any{sql.Named("source", sp.sourceArg()), sql.Named("from", sp.from), sql.Named("to", sp.to)}
}

// areaPosts returns the posts whose own areas match one of patterns
// (GLOB: * and ?).
func areaPosts(ctx context.Context, db querier, ar *duckdb.Arrow, patterns []string) (*postSet, error) {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT k.area_key FROM area_keys AS k,
		(SELECT unnest(from_json(CAST($patterns AS VARCHAR), '["VARCHAR"]')) AS g) AS pat
		WHERE k.area GLOB pat.g`, sql.Named("patterns", listJSON(patterns)))
	if err != nil {
		return nil, err
	}
	var keys []string
	for rows.Next() {
		var k int32
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, err
		}
		keys = append(keys, strconv.Itoa(int(k)))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	set := &postSet{}
	if len(keys) == 0 {
		return set, nil
	}
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		posts := rec.Column(0).(*array.Int64)
		for i := range int(rec.NumRows()) {
			set.add(posts.Value(i))
		}
	}, "SELECT post_key FROM post_areas WHERE area_key IN ("+strings.Join(keys, ", ")+")")
	return set, err
}

// spanCount is the counting of one span.
type spanCount struct {
	span
	month0  int     // the span's first month, as year*12 + month - 1
	slot    []int32 // by author_key: index+1 in tallies, 0 none
	tallies []spanTally
	reach   distinctCounter[int32]
	helped  distinctCounter[int32]
	threads distinctCounter[int64]
	days    distinctCounter[int32]
	// responses are the candidates for their threads' first response
	// made in the span, answered the threads that had one in the area
	// before it.
	responses []spanResponse
	answered  postSet
	nobody    func(int32) bool
}

// spanTally is one account's counts over the span.
type spanTally struct {
	author int32
	m      Metrics
	mask   uint64
}

func (c *spanCount) index(author int32) int32 {
	for int(author) >= len(c.slot) {
		c.slot = append(c.slot, make([]int32, len(c.slot)+1024)...)
	}
	if c.slot[author] == 0 {
		c.tallies = append(c.tallies, spanTally{author: author})
		c.slot[author] = int32(len(c.tallies))
	}
	return c.slot[author] - 1
}

// spanResponse is an answer or reply that may be its thread's first
// response.
type spanResponse struct {
	thread int64
	firstResponse
}

// spanMetrics counts the metrics of every account over sp from post_links
// (queries/span_links.sql and those beside it); nobody reports whether an
// account is nobody (not ranked in accounts). The audience, which needs
// the views of every thread of the span, is left for c.audience to give
// for the accounts that need it, unless withAudience.
// accounts is the number of author_keys expected (the arrays grow past
// it).
func spanMetrics(ctx context.Context, ar *duckdb.Arrow, sp span, nobody func(int32) bool, accounts int, withAudience bool) (*spanCount, []accountWindow, error) {
	m0 := MonthOf(sp.from)
	c := &spanCount{span: sp, month0: m0.Year()*12 + int(m0.Month()) - 1, slot: make([]int32, accounts), nobody: nobody}
	// The links of the months the span overlaps, read by month (which
	// the file's zone maps find fast), kept when made in the span.
	months := []any{sql.Named("source", sp.sourceArg()), sql.Named("first", m0), sql.Named("last", MonthOf(sp.to.Add(-time.Microsecond)))}
	// The links are all read before they are counted, so that the
	// counts' buffers are made once at their size: grown as the rows came,
	// they took twice as long as the counting.
	var links []arrow.RecordBatch
	rows := 0
	defer func() {
		for _, rec := range links {
			rec.Release()
		}
	}()
	err := readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		rec.Retain()
		links = append(links, rec)
		rows += int(rec.NumRows())
	}, queries.MustGet("span_links"), months...)
	if err != nil {
		return nil, nil, fmt.Errorf("span: %w", err)
	}
	c.reach.grow(2 * rows)
	c.helped.grow(rows)
	c.threads.grow(rows)
	c.days.grow(rows)
	c.responses = make([]spanResponse, 0, rows/2)
	c.tallies = make([]spanTally, 0, min(rows, accounts)/4)
	for _, rec := range links {
		c.count(rec)
	}
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		author := rec.Column(0).(*array.Int32)
		areasOf := rec.Column(1).(*array.Int64)
		for i := range int(rec.NumRows()) {
			if author.IsValid(i) && sp.in(areasOf, i) {
				c.tallies[c.index(author.Value(i))].m.Accepted++
			}
		}
	}, queries.MustGet("span_accepted"), sp.args()...)
	if err != nil {
		return nil, nil, fmt.Errorf("span: accepted: %w", err)
	}
	// A thread answered in the area before the span has its first
	// response there.
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		thread := rec.Column(0).(*array.Int64)
		areasOf := rec.Column(1).(*array.Int64)
		for i := range int(rec.NumRows()) {
			if sp.in(areasOf, i) {
				c.answered.add(thread.Value(i))
			}
		}
	}, queries.MustGet("span_answered"), sp.args()...)
	if err != nil {
		return nil, nil, fmt.Errorf("span: first responses: %w", err)
	}
	// Each thread's first response in the span: the earliest, of two at
	// the same instant the one stored first.
	slices.SortFunc(c.responses, func(a, b spanResponse) int {
		return cmp.Or(cmp.Compare(a.thread, b.thread), cmp.Compare(a.ts, b.ts), cmp.Compare(a.key, b.key))
	})
	for i, r := range c.responses {
		if (i > 0 && c.responses[i-1].thread == r.thread) || c.answered.has(r.thread) || !r.known {
			continue
		}
		c.tallies[c.index(r.author)].m.FirstResponses++
	}

	n := len(c.tallies)
	c.reach.each(n, func(i int32, others []int32) { c.tallies[i].m.Reach = int64(len(others)) })
	c.helped.each(n, func(i int32, starters []int32) { c.tallies[i].m.Helped = int64(len(starters)) })
	c.days.each(n, func(i int32, days []int32) { c.tallies[i].m.ActiveDays = int64(len(days)) })
	if withAudience {
		aud, err := c.audience(ctx, ar, nil)
		if err != nil {
			return nil, nil, err
		}
		for i := range c.tallies {
			c.tallies[i].m.Audience = aud[c.tallies[i].author]
		}
	}
	out := make([]accountWindow, n)
	for i, t := range c.tallies {
		out[i] = accountWindow{key: t.author, m: t.m, mask: t.mask}
	}
	return c, out, nil
}

// audience returns the audience of the accounts (all when nil): the sum of
// the views of the distinct threads each posted in during the span.
func (c *spanCount) audience(ctx context.Context, ar *duckdb.Arrow, authors []int32) (map[int32]int64, error) {
	wanted := map[int32]bool{}
	for _, a := range authors {
		if int(a) < len(c.slot) && c.slot[a] > 0 {
			wanted[c.slot[a]-1] = true
		}
	}
	// The threads each wanted account posted in, distinct.
	threads := map[int32][]int64{}
	var all []string
	for i, owner := range c.threads.owner {
		if authors == nil || wanted[owner] {
			threads[owner] = append(threads[owner], c.threads.val[i])
		}
	}
	for owner, ths := range threads {
		slices.Sort(ths)
		threads[owner] = slices.Compact(ths)
		if authors != nil {
			for _, th := range threads[owner] {
				all = append(all, strconv.FormatInt(th, 10))
			}
		}
	}
	views := map[int64]int64{}
	add := func(rec arrow.RecordBatch) {
		keys := rec.Column(0).(*array.Int64)
		n := rec.Column(1).(*array.Int64)
		for i := range int(rec.NumRows()) {
			views[keys.Value(i)] = n.Value(i)
		}
	}
	var err error
	switch {
	case authors == nil:
		err = readArrow(ctx, ar, add, queries.MustGet("span_views"), c.args()...)
	case len(all) > 0:
		slices.Sort(all)
		err = readArrow(ctx, ar, add, `SELECT post_key, views FROM posts
			WHERE views IS NOT NULL AND post_key IN (SELECT unnest(CAST(string_split($keys, ',') AS BIGINT[])))`,
			sql.Named("keys", strings.Join(slices.Compact(all), ",")))
	}
	if err != nil {
		return nil, fmt.Errorf("span: views: %w", err)
	}
	out := map[int32]int64{}
	for owner, ths := range threads {
		var sum int64
		for _, th := range ths {
			sum += views[th]
		}
		out[c.tallies[owner].author] = sum
	}
	return out, nil
}

// count counts a batch of the span's links (the columns of
// queries/span_links.sql), those of the area only.
func (c *spanCount) count(rec arrow.RecordBatch) {
	postKey := rec.Column(0).(*array.Int64)
	author := rec.Column(1).(*array.Int32)
	kind := rec.Column(2).(*array.Int8)
	ts := rec.Column(3).(*array.Int64)
	parent := rec.Column(4).(*array.Int32)
	thread := rec.Column(5).(*array.Int64)
	starter := rec.Column(6).(*array.Int32)
	areasOf := rec.Column(7).(*array.Int64)
	from, to := c.from.UnixMicro(), c.to.UnixMicro()
	for i := range int(rec.NumRows()) {
		if at := ts.Value(i); at < from || at >= to || !c.in(areasOf, i) {
			continue
		}
		hasAuthor := author.IsValid(i)
		a := author.Value(i)
		k := kind.Value(i)
		key := postKey.Value(i)
		hasThread := thread.IsValid(i)
		th := thread.Value(i)
		startsThread := hasThread && th == key
		hasStarter := starter.IsValid(i)
		st := starter.Value(i)
		at := ts.Value(i)

		ai := int32(-1)
		if hasAuthor {
			ai = c.index(a)
			t := &c.tallies[ai]
			switch k {
			case kindQuestion:
				t.m.Questions++
				t.m.Posts++
			case kindAnswer:
				t.m.Answers++
				t.m.Posts++
			case kindComment:
				t.m.Comments++
			case kindTopic:
				t.m.Topics++
				t.m.Posts++
			case kindReply:
				t.m.Posts++
			}
			c.days.add(ai, int32(dayOf(at)))
			when := time.UnixMicro(at).UTC()
			t.mask |= 1 << uint(when.Year()*12+int(when.Month())-1-c.month0)
			if !startsThread && hasStarter && st != a && !c.nobody(st) {
				c.helped.add(ai, st)
			}
			if hasThread {
				c.threads.add(ai, th)
			}
		}
		if parent.IsValid(i) {
			p := parent.Value(i)
			if !hasAuthor || a != p {
				pi := c.index(p)
				c.tallies[pi].m.Received++
				if hasAuthor && !c.nobody(a) && !c.nobody(p) {
					c.reach.add(ai, p)
					c.reach.add(pi, a)
				}
			}
		}
		// As in the monthly count: an answer or reply, not the thread's
		// first post, by someone other than its starter.
		if (k == kindAnswer || k == kindReply) && hasThread && !startsThread &&
			(hasAuthor != hasStarter || (hasAuthor && a != st)) {
			c.responses = append(c.responses, spanResponse{th, firstResponse{ts: at, key: key, author: a, known: hasAuthor}})
		}
	}
}

// dayOf returns the whole days since 1970 of a time in microseconds,
// rounded down.
func dayOf(us int64) int64 {
	const day = 24 * 60 * 60 * 1e6
	d := us / day
	if us%day < 0 {
		d--
	}
	return d
}
