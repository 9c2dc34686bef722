package engine

import (
	"cmp"
	"math/bits"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// counter counts post_links into each account's metrics over a span: the
// one writing of the definitions in engine/metrics.go's comment, which the
// monthly refresh (a counter a month, engine/metrics.go) and the spans and
// areas of the boards (engine/span.go) both count with. A link is counted
// when it was made in the span and, with an area, when the post its areas
// come from (areas_of) is in it.
type counter struct {
	from, to int64    // the span, [from, to), in microseconds since 1970
	area     *postSet // the area's posts; nil: every post
	// monthEnds are the first days (since 1970) of the months after the
	// span's first, up to its end: the month in the span of a day is the
	// number of them on or before it.
	monthEnds []int64
	day0      int64 // the span's first day, in days since 1970
	dayBits   bool  // the span is at most 64 days: active days as bits
	nobody    func(author int32) bool

	slot      []int32 // by author_key: index+1 in tallies, 0 none
	tallies   []tally
	reach     distinctCounter[int32]
	helped    distinctCounter[int32]
	threads   distinctCounter[int64]
	days      distinctCounter[int32] // when not dayBits
	responses []spanResponse
}

// tally is one account's counts over the span.
type tally struct {
	author int32 // author_key
	m      Metrics
	mask   uint64 // bit i: sent a post or comment in the span's month i
	days   uint64 // bit d: a post or comment on the span's day d (dayBits)
}

// firstResponse is an answer or reply that may be its thread's first
// response.
type firstResponse struct {
	ts, key int64
	author  int32
	known   bool // false: a deleted user's
}

// spanResponse is a firstResponse and its thread.
type spanResponse struct {
	thread int64
	firstResponse
}

// newCounter returns a counter for [from, to) in the area (nil: every
// post), with room for accounts author_keys.
func newCounter(from, to time.Time, area *postSet, nobody func(int32) bool, accounts int) *counter {
	c := &counter{area: area, nobody: nobody, slot: make([]int32, accounts)}
	c.reset(from, to)
	return c
}

// reset readies c to count another span, keeping its buffers.
func (c *counter) reset(from, to time.Time) {
	for _, t := range c.tallies {
		c.slot[t.author] = 0
	}
	c.tallies = c.tallies[:0]
	c.responses = c.responses[:0]
	c.from, c.to = from.UnixMicro(), to.UnixMicro()
	c.monthEnds = c.monthEnds[:0]
	for m := MonthOf(from).AddDate(0, 1, 0); m.UnixMicro() < c.to; m = m.AddDate(0, 1, 0) {
		c.monthEnds = append(c.monthEnds, dayOf(m.UnixMicro()))
	}
	c.day0 = dayOf(c.from)
	c.dayBits = dayOf(c.to-1)-c.day0 < 64
}

// grow makes room for n more links.
func (c *counter) grow(n int) {
	c.reach.grow(2 * n)
	c.helped.grow(n)
	c.threads.grow(n)
	if !c.dayBits {
		c.days.grow(n)
	}
	c.responses = slices.Grow(c.responses, n/2)
}

// index returns the position of an account's tally, making it on first
// use.
func (c *counter) index(author int32) int32 {
	c.slot = room(c.slot, author)
	if c.slot[author] == 0 {
		c.tallies = append(c.tallies, tally{author: author})
		c.slot[author] = int32(len(c.tallies))
	}
	return c.slot[author] - 1
}

// in reports whether a post whose areas are those of the post areasOf
// counts in the counter's area.
func (c *counter) in(areasOf *array.Int64, i int) bool {
	return c.area == nil || (areasOf.IsValid(i) && c.area.has(areasOf.Value(i)))
}

// count counts a batch of links: the columns of queries/metrics_month.sql,
// and, for an area, areas_of after them (queries/span_links.sql).
func (c *counter) count(rec arrow.RecordBatch) {
	postKey := rec.Column(0).(*array.Int64)
	author := rec.Column(1).(*array.Int32)
	kind := rec.Column(2).(*array.Int8)
	ts := rec.Column(3).(*array.Int64)
	parent := rec.Column(4).(*array.Int32)
	thread := rec.Column(5).(*array.Int64)
	starter := rec.Column(6).(*array.Int32)
	var areasOf *array.Int64
	if c.area != nil {
		areasOf = rec.Column(7).(*array.Int64)
	}
	for i := range int(rec.NumRows()) {
		at := ts.Value(i)
		if at < c.from || at >= c.to || (c.area != nil && !c.in(areasOf, i)) {
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
			day := dayOf(at)
			if c.dayBits {
				t.days |= 1 << uint(day-c.day0)
			} else {
				c.days.add(ai, int32(day))
			}
			month := 0
			for month < len(c.monthEnds) && day >= c.monthEnds[month] {
				month++
			}
			t.mask |= 1 << uint(month)
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
		// A candidate for its thread's first response: an answer or reply,
		// not the thread's first post, by someone other than its starter
		// (a deleted user's counts as someone's, and then nobody is
		// credited).
		if (k == kindAnswer || k == kindReply) && hasThread && !startsThread &&
			(hasAuthor != hasStarter || (hasAuthor && a != st)) {
			c.responses = append(c.responses, spanResponse{th, firstResponse{ts: at, key: key, author: a, known: hasAuthor}})
		}
	}
}

// finish completes the tallies: each thread's first response in the span
// (the earliest; of two at the same instant, the one stored first) is
// credited unless answered says the thread had one before; then the
// distinct counts. views, unless nil, gives the threads' views for the
// audience; with nil the audience is left for later (spanCount.audience).
func (c *counter) finish(answered func(thread int64) bool, views func(thread int64) int64) {
	slices.SortFunc(c.responses, func(a, b spanResponse) int {
		return cmp.Or(cmp.Compare(a.thread, b.thread), cmp.Compare(a.ts, b.ts), cmp.Compare(a.key, b.key))
	})
	for i, r := range c.responses {
		if i > 0 && c.responses[i-1].thread == r.thread {
			continue
		}
		if !answered(r.thread) && r.known {
			c.tallies[c.index(r.author)].m.FirstResponses++
		}
	}
	n := len(c.tallies)
	c.reach.each(n, func(i int32, others []int32) { c.tallies[i].m.Reach = int64(len(others)) })
	c.helped.each(n, func(i int32, starters []int32) { c.tallies[i].m.Helped = int64(len(starters)) })
	if c.dayBits {
		for i := range c.tallies {
			c.tallies[i].m.ActiveDays = int64(bits.OnesCount64(c.tallies[i].days))
		}
	} else {
		c.days.each(n, func(i int32, days []int32) { c.tallies[i].m.ActiveDays = int64(len(days)) })
	}
	if views != nil {
		c.threads.each(n, func(i int32, threads []int64) {
			var sum int64
			for _, th := range threads {
				sum += views(th)
			}
			c.tallies[i].m.Audience = sum
		})
	}
}

// room returns s, grown (doubled at least) to hold index i: the arrays
// indexed by author_key or person_key.
func room(s []int32, i int32) []int32 {
	if int(i) < len(s) {
		return s
	}
	return append(s, make([]int32, max(int(i)+1-len(s), len(s), 1024))...)
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
