package engine

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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
// The counting itself is engine/count.go's.
type span struct {
	source   string
	from, to time.Time
	area     *postSet
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
func areaPosts(ctx context.Context, db querier, ar *lockedArrow, patterns []string) (*postSet, error) {
	keys, err := areaKeys(ctx, db, patterns)
	if err != nil {
		return nil, err
	}
	return postsIn(ctx, ar, keys)
}

// postsIn returns the posts that have one of the areas numbered (area_keys,
// comma-separated, as areaKeys gives them).
func postsIn(ctx context.Context, ar *lockedArrow, keys string) (*postSet, error) {
	set := &postSet{}
	if keys == "" {
		return set, nil
	}
	err := readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		posts := rec.Column(0).(*array.Int64)
		for i := range int(rec.NumRows()) {
			set.add(posts.Value(i))
		}
	}, "SELECT post_key FROM post_areas WHERE area_key IN ("+keys+")")
	return set, err
}

// areaKeys returns the area_keys of the areas matching one of patterns,
// comma-separated (empty: none).
func areaKeys(ctx context.Context, db querier, patterns []string) (string, error) {
	keys, err := queryColumn[string](ctx, db, `SELECT DISTINCT CAST(k.area_key AS VARCHAR) FROM area_keys AS k,
		(SELECT unnest(from_json(CAST($patterns AS VARCHAR), '["VARCHAR"]')) AS g) AS pat
		WHERE k.area GLOB pat.g ORDER BY 1`, sql.Named("patterns", listJSON(patterns)))
	return strings.Join(keys, ","), err
}

// spanCount is the counting of one span: its counter, kept for the
// audience of the accounts that need it.
type spanCount struct {
	span
	*counter
}

// spanMetrics counts the metrics of every account over sp from post_links
// (queries/span_links.sql and those beside it); nobody reports whether an
// account is nobody (not ranked in accounts). The audience, which needs
// the views of every thread of the span, is left for c.audience to give
// for the accounts that need it, unless withAudience.
// accounts is the number of author_keys expected (the arrays grow past
// it).
func spanMetrics(ctx context.Context, ar *lockedArrow, sp span, nobody func(int32) bool, accounts int, withAudience bool) (*spanCount, []tally, error) {
	counts, err := spanAreas(ctx, ar, sp, []*postSet{sp.area}, nobody, accounts, withAudience)
	if err != nil {
		return nil, nil, err
	}
	return counts[0], counts[0].tallies, nil
}

// spanAreas counts the span sp in each of areas (a nil area: every post)
// at once, from one reading of its links: spanMetrics for several areas.
// sp.area is not used.
func spanAreas(ctx context.Context, ar *lockedArrow, sp span, areas []*postSet, nobody func(int32) bool, accounts int, withAudience bool) ([]*spanCount, error) {
	counts := make([]*spanCount, len(areas))
	for i, area := range areas {
		in := sp
		in.area = area
		counts[i] = &spanCount{span: in, counter: newCounter(sp.from, sp.to, area, nobody, accounts)}
	}
	// The links of the months the span overlaps, read by month (which
	// the file's zone maps find fast), kept when made in the span. They
	// are counted first, so that the counts' buffers are made once at
	// their size (grown as the rows came, they took twice as long as the
	// counting), and then counted as they are read: all read before
	// they were counted, they took an area's 12 months at sixty million
	// posts 0.4-0.5 GB higher.
	m0 := MonthOf(sp.from)
	months := []any{sql.Named("source", sp.sourceArg()), sql.Named("first", m0), sql.Named("last", MonthOf(sp.to.Add(-time.Microsecond)))}
	rows := 0
	err := readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		rows += int(rec.Column(0).(*array.Int64).Value(0))
	}, "SELECT count(*) FROM ("+queries.MustGet("span_links")+"\n)", months...)
	if err != nil {
		return nil, fmt.Errorf("span: %w", err)
	}
	for _, c := range counts {
		c.grow(rows)
		c.tallies = slices.Grow(c.tallies, min(rows, accounts)/4)
	}
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		for _, c := range counts {
			c.count(rec)
		}
	}, queries.MustGet("span_links"), months...)
	if err != nil {
		return nil, fmt.Errorf("span: %w", err)
	}
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		author := rec.Column(0).(*array.Int32)
		areasOf := rec.Column(1).(*array.Int64)
		for i := range int(rec.NumRows()) {
			for _, c := range counts {
				if author.IsValid(i) && c.in(areasOf, i) {
					c.tallies[c.index(author.Value(i))].m.Accepted++
				}
			}
		}
	}, queries.MustGet("span_accepted"), sp.args()...)
	if err != nil {
		return nil, fmt.Errorf("span: accepted: %w", err)
	}
	// A thread answered in the area before the span has its first
	// response there.
	answered := make([]postSet, len(counts))
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		thread := rec.Column(0).(*array.Int64)
		areasOf := rec.Column(1).(*array.Int64)
		for i := range int(rec.NumRows()) {
			for j, c := range counts {
				if c.in(areasOf, i) {
					answered[j].add(thread.Value(i))
				}
			}
		}
	}, queries.MustGet("span_answered"), sp.args()...)
	if err != nil {
		return nil, fmt.Errorf("span: first responses: %w", err)
	}
	var views map[int64]int64 // every thread's of the span, read once for all the areas
	if withAudience {
		if views, err = spanViews(ctx, ar, sp); err != nil {
			return nil, fmt.Errorf("span: views: %w", err)
		}
	}
	for j, c := range counts {
		c.finish(answered[j].has, nil)
		if withAudience {
			aud, err := c.audience(ctx, ar, nil, views)
			if err != nil {
				return nil, err
			}
			for i := range c.tallies {
				c.tallies[i].m.Audience = aud[c.tallies[i].author]
			}
		}
	}
	return counts, nil
}

// audience returns the audience of the accounts (all when nil): the sum of
// the views of the distinct threads each posted in during the span.
// known, when not nil, are the views of every thread of the span, read
// already (spanViews): with authors nil, they are not read again.
func (c *spanCount) audience(ctx context.Context, ar *lockedArrow, authors []int32, known map[int64]int64) (map[int32]int64, error) {
	wanted := make([]bool, len(c.tallies)) // by tally
	for _, a := range authors {
		if int(a) < len(c.slot) && c.slot[a] > 0 {
			wanted[c.slot[a]-1] = true
		}
	}
	// The threads each wanted account posted in, distinct.
	threads := map[int32][]int64{}
	var all []int64
	for i, owner := range c.threads.owner {
		if authors == nil || wanted[owner] {
			threads[owner] = append(threads[owner], c.threads.val[i])
		}
	}
	for owner, ths := range threads {
		slices.Sort(ths)
		threads[owner] = slices.Compact(ths)
		if authors != nil {
			all = append(all, threads[owner]...)
		}
	}
	views := map[int64]int64{}
	var err error
	switch {
	case authors == nil && known != nil:
		views = known
	case authors == nil:
		views, err = spanViews(ctx, ar, c.span)
	case len(all) > 0:
		slices.Sort(all)
		keys := numberList(slices.Compact(all))
		views, err = readViews(ctx, ar, `SELECT post_key, views FROM posts
			WHERE views IS NOT NULL AND post_key IN (SELECT unnest(CAST(string_split($keys, ',') AS BIGINT[])))`,
			sql.Named("keys", keys))
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

// spanViews returns the views of every thread posted in during sp
// (queries/span_views.sql).
func spanViews(ctx context.Context, ar *lockedArrow, sp span) (map[int64]int64, error) {
	return readViews(ctx, ar, queries.MustGet("span_views"), sp.args()...)
}

// readViews runs a query of (post_key, views) and returns its rows as a
// map.
func readViews(ctx context.Context, ar *lockedArrow, query string, args ...any) (map[int64]int64, error) {
	views := map[int64]int64{}
	err := readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		keys := rec.Column(0).(*array.Int64)
		n := rec.Column(1).(*array.Int64)
		for i := range int(rec.NumRows()) {
			views[keys.Value(i)] = n.Value(i)
		}
	}, query, args...)
	return views, err
}
