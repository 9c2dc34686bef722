package engine

import (
	"cmp"
	"container/heap"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/queries"
)

// A board is ranked here, in Go, from numbers: each account's metrics over
// the window (summed from monthly_metrics for whole months of every area,
// counted from post_links for a span of days or an area: engine/span.go),
// grouped into people by their keys, scored and ranked. Names are looked
// up for the people listed only. The rules:
//
// Contributors are people, not accounts: the accounts of one automatic
// person (accounts.person: a mail or news address across sources, the
// Stack Exchange users of one network account) are one, and the
// configuration's people put any accounts together (an account brings its
// whole automatic person). A person's metrics are the sums of their
// accounts' in the window; a person is ranked when every one of those
// accounts is (accounts.ranked); their name is the configuration's, else
// that of their account in the window that posted last.
//
// The score is the profile's weighted sum of the metrics, in MetricNames'
// order; the value ranked on is the score or one metric. Rank is by value,
// descending, equal values sharing a rank (1, 2, 2, 4); rows are ordered
// by value, then posts, then name, source and author. People whose value
// is 0 are not ranked.
//
// Exclusions keep people off the board: a person is excluded when any of
// their accounts (in the window or not) matches one whose dates overlap
// the window; the reason shown is the first in text order. The excluded
// are listed apart, rank 0, when asked for; their posts still count for
// the people they answer.
//
// queries/leaderboard.sql states the same rules in SQL over the same
// inputs; TestBoardAgrees holds the two together.

// Leaderboard ranks the people of a board's window.
func (s *Store) Leaderboard(ctx context.Context, b Board) ([]Entry, error) {
	byIndex, weights, err := rankedOn(b)
	if err != nil {
		return nil, err
	}
	if b.Source != "" {
		if err := s.CheckSources(ctx, b.Declared, b.Source); err != nil {
			return nil, err
		}
	}
	first, last, err := Span(b.Window, b.Month.UTC())
	if err != nil {
		return nil, err
	}
	conn, ar, err := s.arrowConn(ctx)
	if err != nil {
		return nil, fmt.Errorf("leaderboard: %w", err)
	}
	defer conn.Close()
	people, err := loadPeople(ctx, conn, ar, b)
	if err != nil {
		return nil, fmt.Errorf("leaderboard: %w", err)
	}
	r := ranking{Board: b, byIndex: byIndex, weights: weights, people: people}
	var rows []tally
	switch {
	case b.Window == "90d":
		sp := span{source: b.Source, from: first, to: last.AddDate(0, 0, 1)}
		if len(b.Areas) > 0 {
			if sp.area, err = areaPosts(ctx, conn, ar, b.Areas); err != nil {
				return nil, fmt.Errorf("leaderboard: areas: %w", err)
			}
		}
		// The audience of everyone is counted only when it is ranked on;
		// else only the people listed need theirs.
		audience := slices.Index(MetricNames(), "audience")
		ranksAudience := byIndex == audience || weights[audience] != 0
		r.span, rows, err = spanMetrics(ctx, ar, sp, people.nobody, people.accounts, ranksAudience)
		if !ranksAudience {
			r.ar = ar
		}
	case len(b.Areas) > 0:
		var id int32
		if id, err = countedAreaID(ctx, conn, b.Areas); err != nil {
			return nil, fmt.Errorf("leaderboard: areas: %w", err)
		}
		if id != 0 {
			rows, err = monthSums(ctx, ar, b.Source, first, last, people.accounts, id)
		} else {
			rows, err = areaMonthSums(ctx, conn, ar, b, first, last, people)
		}
	default:
		rows, err = monthSums(ctx, ar, b.Source, first, last, people.accounts, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("leaderboard: %w", err)
	}
	if err := r.excluded(ctx, conn, first, last); err != nil {
		return nil, fmt.Errorf("leaderboard: exclusions: %w", err)
	}
	return r.rank(ctx, conn, ar, rows)
}

// rankedOn returns what a board ranks on: the index of its metric in
// MetricNames, -1 for the score, and the profile's weights in the same
// order.
func rankedOn(b Board) (byIndex int, weights [12]float64, err error) {
	by := b.By
	if by == "" {
		by = "score"
	}
	byIndex = slices.Index(MetricNames(), by)
	if by != "score" && byIndex < 0 {
		return 0, weights, fmt.Errorf("unknown metric %q: rank by score or one of %s", by, strings.Join(MetricNames(), ", "))
	}
	for name, w := range b.Profile.Weights {
		i := slices.Index(MetricNames(), name)
		if i < 0 {
			return 0, weights, fmt.Errorf("profile %s: unknown metric %q", b.Profile.Name, name)
		}
		weights[i] = w
	}
	return byIndex, weights, nil
}

// monthSums sums each account's monthly_metrics over the months from first
// to last (queries/board_months.sql), or, with an area's number, its
// area_metrics (queries/board_area_months.sql).
// accounts is the number of author_keys expected (the arrays grow past it).
func monthSums(ctx context.Context, ar *lockedArrow, source string, first, last time.Time, accounts int, area int32) ([]tally, error) {
	var src any
	if source != "" {
		src = source
	}
	query, args := "board_months", []any{sql.Named("first", first), sql.Named("last", last), sql.Named("source", src)}
	if area != 0 {
		query, args = "board_area_months", append(args, sql.Named("area", area))
	}
	// The rows in pages, which grow without copying what they hold.
	const page = 1 << 13
	var pages [][]tally
	n := 0
	slot := make([]int32, accounts) // by author_key: index+1 in the pages, 0 none
	err := readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		key := rec.Column(0).(*array.Int32)
		month := rec.Column(1).(*array.Int32)
		cols := metricColumns(rec, 2)
		for i := range int(rec.NumRows()) {
			k := key.Value(i)
			slot = room(slot, k)
			if slot[k] == 0 {
				if n%page == 0 {
					pages = append(pages, make([]tally, page))
				}
				pages[n/page][n%page].author = k
				n++
				slot[k] = int32(n)
			}
			j := slot[k] - 1
			w := &pages[j/page][j%page]
			w.m.add(cols, i)
			if cols[0].Value(i)+cols[1].Value(i) > 0 {
				w.mask |= 1 << uint(month.Value(i))
			}
		}
	}, queries.MustGet(query), args...)
	out := make([]tally, 0, n)
	for _, p := range pages {
		out = append(out, p[:min(page, n-len(out))]...)
	}
	return out, err
}

// areaMonthSums sums each account's metrics in the board's area over the
// months from first to last, as monthSums sums area_metrics, each month
// counted from its links (spanMetrics): for an area not counted yet.
func areaMonthSums(ctx context.Context, conn *sql.Conn, ar *lockedArrow, b Board, first, last time.Time, people *boardPeople) ([]tally, error) {
	area, err := areaPosts(ctx, conn, ar, b.Areas)
	if err != nil {
		return nil, fmt.Errorf("areas: %w", err)
	}
	var out []tally
	slot := map[int32]int{}
	for i, m := 0, MonthOf(first); !m.After(last); i, m = i+1, m.AddDate(0, 1, 0) {
		_, rows, err := spanMetrics(ctx, ar, span{source: b.Source, from: m, to: m.AddDate(0, 1, 0), area: area}, people.nobody, people.accounts, true)
		if err != nil {
			return nil, err
		}
		for _, t := range rows {
			j, ok := slot[t.author]
			if !ok {
				j = len(out)
				slot[t.author] = j
				out = append(out, tally{author: t.author})
			}
			out[j].m.plus(&t.m)
			if t.m.Posts+t.m.Comments > 0 {
				out[j].mask |= 1 << uint(i)
			}
		}
	}
	return out, nil
}

// metricColumns returns the twelve columns of metrics, in MetricNames'
// order, of a batch whose column from is the first.
func metricColumns(rec arrow.RecordBatch, from int) (cols [12]*array.Int64) {
	for i := range cols {
		cols[i] = rec.Column(from + i).(*array.Int64)
	}
	return cols
}

// add adds row i of metricColumns' columns to m.
func (m *Metrics) add(cols [12]*array.Int64, i int) {
	for j, v := range m.pointers() {
		*v += cols[j].Value(i)
	}
}

// plus adds o to m, metric by metric.
func (m *Metrics) plus(o *Metrics) {
	src := o.pointers()
	for j, v := range m.pointers() {
		*v += *src[j]
	}
}

// pointers returns pointers to the metrics, in MetricNames' order.
func (m *Metrics) pointers() [12]*int64 {
	return [12]*int64{&m.Posts, &m.Comments, &m.Questions, &m.Answers, &m.Topics, &m.Received, &m.Accepted,
		&m.Reach, &m.Helped, &m.FirstResponses, &m.Audience, &m.ActiveDays}
}

// boardPeople is who the accounts are: each account's automatic person
// and whether it is ranked, by author_key; the configured people's names
// by automatic person. Only the accounts that are not a person of their
// own are read (loadPeople): an account not read is a person alone, its
// group base + its author_key, above every person_key.
type boardPeople struct {
	person   []int32         // by author_key: person_key, -1 none, 0 not read
	unranked postSet         // author_keys of the accounts that are nobody
	named    map[int32]int32 // configured automatic persons: their group, -(i+1) for names[i]
	names    []string        // the configured names, sorted
	base     int32           // above every person_key
	accounts int             // above every author_key
}

func (p *boardPeople) nobody(author int32) bool { return p.unranked.has(int64(author)) }

// group returns the group an account's rows add up in: its configured
// person, -(i+1), or its automatic person's key, or, for an account not
// read, base + its author_key; 0 for an account without a person.
func (p *boardPeople) group(author int32) int32 {
	switch {
	case author < 0:
		return 0
	case !p.read(author):
		return p.base + author
	case p.person[author] < 0:
		return 0
	}
	return p.groupOf(p.person[author])
}

// groupOf returns the group of an automatic person: its configured
// person's, or its own key.
func (p *boardPeople) groupOf(pk int32) int32 {
	if g, ok := p.named[pk]; ok {
		return g
	}
	return pk
}

// groupOfName returns the group of a configured person's name, 0 for a
// name not configured.
func (p *boardPeople) groupOfName(name string) int32 {
	if i, found := slices.BinarySearch(p.names, name); found {
		return int32(-(i + 1))
	}
	return 0
}

// read reports whether an account's person and rank were read.
func (p *boardPeople) read(author int32) bool {
	return int(author) < len(p.person) && p.person[author] != 0
}

// setAccount records an account's person (0: none) and rank.
func (p *boardPeople) setAccount(author, person int32, ranked bool) {
	p.person = room(p.person, author)
	p.person[author] = person
	if person == 0 {
		p.person[author] = -1
	}
	if !ranked {
		p.unranked.add(int64(author))
	}
}

// readAccounts records the person and rank of the accounts an SQL
// condition on accounts picks (where, with its parameters args).
func (p *boardPeople) readAccounts(ctx context.Context, ar *lockedArrow, where string, args ...any) error {
	return readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		key := rec.Column(0).(*array.Int32)
		person := rec.Column(1).(*array.Int32)
		ranked := rec.Column(2).(*array.Boolean)
		for i := range int(rec.NumRows()) {
			if key.IsValid(i) {
				p.setAccount(key.Value(i), person.Value(i), ranked.Value(i)) // a null person reads as 0
			}
		}
	}, "SELECT author_key, person_key, ranked FROM accounts WHERE author_key IS NOT NULL AND ("+where+")", args...)
}

// loadPeople resolves the board's configured people to automatic persons
// and reads the person and rank of the accounts that are not a person of
// their own: those not ranked, without a person, of a person of several
// accounts (multi_account_people) or of a configured person. The others,
// most of them, are not read (reading every account took a third of a
// month's board at ten million posts).
func loadPeople(ctx context.Context, conn *sql.Conn, ar *lockedArrow, b Board) (*boardPeople, error) {
	p, err := loadNamed(ctx, conn, b.People)
	if err != nil {
		return nil, err
	}
	if err := conn.QueryRowContext(ctx, `SELECT (SELECT coalesce(max(person_key), 0) + 1 FROM person_keys),
		(SELECT coalesce(max(author_key), 0) + 1 FROM account_keys)`).Scan(&p.base, &p.accounts); err != nil {
		return nil, err
	}
	named := make([]int32, 0, len(p.named))
	for pk := range p.named {
		named = append(named, pk)
	}
	err = p.readAccounts(ctx, ar, `NOT ranked OR person_key IS NULL
		OR person_key IN (SELECT person_key FROM multi_account_people)
		OR person_key IN (SELECT unnest(from_json(CAST($named AS VARCHAR), '["INTEGER"]')))`,
		sql.Named("named", "["+numberList(named)+"]"))
	return p, err
}

// loadNamed resolves configured people to the automatic persons their
// accounts bring (queries/board_people.sql).
func loadNamed(ctx context.Context, conn *sql.Conn, people []Person) (*boardPeople, error) {
	p := &boardPeople{named: map[int32]int32{}}
	if len(people) == 0 {
		return p, nil
	}
	ppl, err := peopleJSON(people)
	if err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, queries.MustGet("board_people"), sql.Named("people", ppl))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	name := map[int32]string{}
	for rows.Next() {
		var pk int32
		var n string
		if err := rows.Scan(&pk, &n); err != nil {
			return nil, err
		}
		// Two names for one automatic person (two of its accounts
		// configured apart): the first in text order.
		if had, ok := name[pk]; !ok || n < had {
			name[pk] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range name {
		p.names = append(p.names, n)
	}
	slices.Sort(p.names)
	p.names = slices.Compact(p.names)
	for pk, n := range name {
		p.named[pk] = p.groupOfName(n)
	}
	return p, nil
}

// ranking is one board being ranked.
type ranking struct {
	Board
	byIndex    int // the metric ranked on; -1 the score
	weights    [12]float64
	people     *boardPeople
	excludedBy map[int32]string // group -> why excluded
	// span and ar, when set, give the audience of the people listed,
	// which the ranking did not need (spanCount.audience).
	span *spanCount
	ar   *lockedArrow
}

// excluded finds the people one of whose accounts (in the window or not)
// an exclusion whose dates overlap the window meets, with the first
// reason in text order.
func (r *ranking) excluded(ctx context.Context, conn *sql.Conn, first, last time.Time) error {
	all, err := loadExclusions(ctx, conn, r.Exclusions)
	if err != nil {
		return err
	}
	// The excluded accounts are grouped by their persons.
	for _, e := range all {
		if !r.people.read(e.author) {
			r.people.setAccount(e.author, e.person, true)
		}
	}
	r.excludedBy = all.during(r.people, first, last)
	return nil
}

// excludedAccount is an account an exclusion meets, and when.
type excludedAccount struct {
	author   int32
	person   int32 // its person_key
	reason   string
	from, to sql.NullTime
}

type exclusions []excludedAccount

// loadExclusions finds the accounts exclusions meet
// (queries/board_excluded.sql).
func loadExclusions(ctx context.Context, conn *sql.Conn, exs []Exclusion) (exclusions, error) {
	if len(exs) == 0 {
		return nil, nil
	}
	js, err := exclusionsJSON(exs)
	if err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, queries.MustGet("board_excluded"), sql.Named("exclusions", js))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out exclusions
	for rows.Next() {
		var e excludedAccount
		if err := rows.Scan(&e.author, &e.person, &e.reason, &e.from, &e.to); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// during returns the people excluded from a window from first to last,
// each with the first reason in text order.
func (exs exclusions) during(people *boardPeople, first, last time.Time) map[int32]string {
	by := map[int32]string{}
	for _, e := range exs {
		if (e.from.Valid && e.from.Time.After(last)) || (e.to.Valid && e.to.Time.Before(first)) {
			continue
		}
		g := people.groupOf(e.person)
		if had, ok := by[g]; g != 0 && (!ok || e.reason < had) {
			by[g] = e.reason
		}
	}
	return by
}

// person is one person's totals over the window.
type person struct {
	group int32
	// sums are the person's metrics and months: the row of their first
	// account, to which the others' rows are added (a copy took 100 bytes
	// a person, 0.3 GB on a year's board of sixty million posts).
	sums     *tally
	ranked   bool
	account  int32 // the first of its rows; the others follow by ranking.next
	score    float64
	value    float64
	rank     int
	excluded bool // r.excludedBy has why
}

// rank groups the window's accounts into people and ranks them, and lists
// the board's rows. The people are kept in one slice, found by their
// group's slot, and their accounts chained through next (a person per
// account, for most, and an object each took a third of the time).
func (r *ranking) rank(ctx context.Context, conn *sql.Conn, ar *lockedArrow, rows []tally) ([]Entry, error) {
	// Those asked for first: their accounts are then read (keyGroups).
	top, askedKeys := r.top(), r.Also
	if len(r.Only) > 0 {
		top, askedKeys = 0, r.Only
	}
	asked, err := r.keyGroups(ctx, conn, ar, askedKeys)
	if err != nil {
		return nil, err
	}
	people := make([]person, 0, len(rows))
	dense := []int32{}        // by person_key: index+1 in people
	slot := map[int32]int32{} // by configured person's group (negative): the same
	next := make([]int32, len(rows))
	for i, w := range rows {
		g := r.people.group(w.author)
		if g == 0 {
			continue // not in accounts
		}
		var at int32
		if g > 0 {
			dense = room(dense, g)
			at = dense[g]
		} else {
			at = slot[g]
		}
		if at == 0 {
			people = append(people, person{group: g, sums: &rows[i], ranked: true, account: -1})
			at = int32(len(people))
			if g > 0 {
				dense[g] = at
			} else {
				slot[g] = at
			}
		}
		p := &people[at-1]
		if p.sums != &rows[i] {
			p.sums.m.plus(&w.m)
			p.sums.mask |= w.mask
		}
		p.ranked = p.ranked && !r.people.nobody(w.author)
		next[i], p.account = p.account, int32(i)
	}

	// Everyone with value is ranked, 1 + the number of people above; the
	// excluded (when listed) and those asked for with nothing to rank on
	// are listed apart.
	var ranked, listed []int32
	for i := range people {
		p := &people[i]
		if !p.ranked {
			continue
		}
		p.score, p.value = r.values(&p.sums.m)
		if len(r.excludedBy) > 0 {
			_, p.excluded = r.excludedBy[p.group]
		}
		switch {
		case p.excluded && !r.ListExcluded:
		case p.value > 0 && !p.excluded:
			ranked = append(ranked, int32(i))
		case p.value > 0 && (top > 0 || asked[p.group]), asked[p.group] && !p.excluded:
			listed = append(listed, int32(i))
		}
	}
	// Only those at or above the top-th value are sorted (at sixty million
	// posts a year's board has millions of people); a person asked for
	// below them is ranked by the number above.
	cut := topValue(people, ranked, top)
	above := ranked[:0:0]
	for _, pi := range ranked {
		if people[pi].value >= cut {
			above = append(above, pi)
		} else if asked[people[pi].group] {
			n := 0
			for _, pj := range ranked {
				if people[pj].value > people[pi].value {
					n++
				}
			}
			people[pi].rank = n + 1
			listed = append(listed, pi)
		}
	}
	slices.SortFunc(above, func(a, b int32) int { return cmp.Compare(people[b].value, people[a].value) })
	for i, pi := range above {
		p := &people[pi]
		p.rank = i + 1
		if i > 0 && p.value == people[above[i-1]].value {
			p.rank = people[above[i-1]].rank
		}
		listed = append(listed, pi)
	}
	// Each listed person's accounts, by author_key.
	byPerson := make([]listedPerson, len(listed))
	for i, pi := range listed {
		p := &people[pi]
		byPerson[i].person = p
		for a := p.account; a >= 0; a = next[a] {
			byPerson[i].accounts = append(byPerson[i].accounts, rows[a].author)
		}
	}
	if r.ar != nil {
		var authors []int32
		for _, lp := range byPerson {
			authors = append(authors, lp.accounts...)
		}
		aud, err := r.span.audience(ctx, r.ar, authors, nil)
		if err != nil {
			return nil, err
		}
		for _, lp := range byPerson {
			for _, a := range lp.accounts {
				lp.person.sums.m.Audience += aud[a]
			}
		}
	}
	entries, err := r.entries(ctx, conn, byPerson)
	if err != nil {
		return nil, err
	}
	// The ranked rows in order, cut at top (those asked for kept wherever
	// they are), then the rows apart, in the same order.
	slices.SortFunc(entries, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(boolInt(a.Rank == 0), boolInt(b.Rank == 0)),
			cmp.Compare(b.Value, a.Value), cmp.Compare(b.Posts, a.Posts),
			strings.Compare(a.Name, b.Name), strings.Compare(a.Source, b.Source), strings.Compare(a.Author, b.Author))
	})
	out := entries[:0]
	for i, e := range entries {
		if e.Rank == 0 || i < top || slices.Contains(askedKeys, e.Person) {
			out = append(out, e)
		}
	}
	return out, nil
}

// topValue returns the top-th highest value of the ranked people, the
// lowest a person listed by rank has: -Inf when there are no more than top,
// +Inf when top is 0 (only those asked for are listed).
func topValue(people []person, ranked []int32, top int) float64 {
	if top <= 0 {
		return math.Inf(1)
	}
	if len(ranked) <= top {
		return math.Inf(-1)
	}
	// The top highest so far, the lowest of them first (a min-heap).
	h := make(lowest, 0, top)
	for _, pi := range ranked {
		v := people[pi].value
		switch {
		case len(h) < top:
			heap.Push(&h, v)
		case v > h[0]:
			h[0] = v
			heap.Fix(&h, 0)
		}
	}
	return h[0]
}

// lowest is a heap of values, the lowest first.
type lowest []float64

func (h lowest) Len() int           { return len(h) }
func (h lowest) Less(i, j int) bool { return h[i] < h[j] }
func (h lowest) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *lowest) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *lowest) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}

// listedPerson is a person listed on a board, with their accounts.
type listedPerson struct {
	person   *person
	accounts []int32
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// values returns a person's score and the value ranked on. The score adds
// the weighted metrics in MetricNames' order, each product rounded on its
// own (as leaderboard.sql computes it: no fused multiply-add).
func (r *ranking) values(m *Metrics) (score, value float64) {
	v := m.pointers()
	for i, w := range r.weights {
		score += float64(w * float64(*v[i]))
	}
	if r.byIndex < 0 {
		return score, score
	}
	return score, float64(*v[r.byIndex])
}

// keyGroups returns the groups of people's keys (person:NAME for a
// configured person, else an automatic person's key, which names no one
// when that person is configured under a name).
func (r *ranking) keyGroups(ctx context.Context, conn *sql.Conn, ar *lockedArrow, keys []string) (map[int32]bool, error) {
	groups := map[int32]bool{}
	var auto []string
	for _, k := range keys {
		if name, ok := strings.CutPrefix(k, "person:"); ok {
			if g := r.people.groupOfName(name); g != 0 {
				groups[g] = true
			}
			continue
		}
		auto = append(auto, k)
	}
	if len(auto) == 0 {
		return groups, nil
	}
	rows, err := conn.QueryContext(ctx, "SELECT person_key FROM person_keys WHERE list_contains(from_json(CAST($keys AS VARCHAR), '[\"VARCHAR\"]'), person)",
		sql.Named("keys", listJSON(auto)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var pks []int32
	for rows.Next() {
		var pk int32
		if err := rows.Scan(&pk); err != nil {
			return nil, err
		}
		if _, named := r.people.named[pk]; !named {
			groups[pk] = true
			pks = append(pks, pk)
		}
	}
	if err := rows.Err(); err != nil || len(pks) == 0 {
		return groups, err
	}
	// Their accounts are grouped by their persons.
	return groups, r.people.readAccounts(ctx, ar, "person_key IN ("+numberList(pks)+")")
}

// listedAccount is what a board shows of an account.
type listedAccount struct {
	source, author, person string
	name                   sql.NullString
	lastPost               time.Time
}

// entries looks up the names and accounts of the people listed and makes
// their rows.
func (r *ranking) entries(ctx context.Context, conn *sql.Conn, listed []listedPerson) ([]Entry, error) {
	if len(listed) == 0 {
		return nil, nil
	}
	var keys []string
	for _, lp := range listed {
		for _, a := range lp.accounts {
			keys = append(keys, strconv.Itoa(int(a)))
		}
	}
	info := map[int32]listedAccount{}
	rows, err := conn.QueryContext(ctx, "SELECT author_key, source, author, person, name, last_post FROM accounts WHERE author_key IN ("+strings.Join(keys, ", ")+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k int32
		var a listedAccount
		if err := rows.Scan(&k, &a.source, &a.author, &a.person, &a.name, &a.lastPost); err != nil {
			return nil, err
		}
		info[k] = a
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(listed))
	for _, lp := range listed {
		p := lp.person
		accts := make([]listedAccount, 0, len(lp.accounts))
		for _, k := range lp.accounts {
			accts = append(accts, info[k])
		}
		slices.SortFunc(accts, func(a, b listedAccount) int {
			return cmp.Or(strings.Compare(a.source, b.source), strings.Compare(a.author, b.author))
		})
		e := Entry{Rank: p.rank, Metrics: p.sums.m, Score: p.score, Value: p.value, Excluded: r.excludedBy[p.group], Accounts: len(accts)}
		e.ActiveMonths, e.LongestRun = runs(p.sums.mask)
		var sources []string
		var latest *listedAccount
		oneAuthor := accts[0].author
		for i, a := range accts {
			sources = append(sources, a.source)
			e.AccountList = append(e.AccountList, [2]string{a.source, a.author})
			oneAuthor = min(oneAuthor, a.author)
			if a.name.Valid && (latest == nil || a.lastPost.After(latest.lastPost)) {
				latest = &accts[i]
			}
		}
		e.Source = strings.Join(slices.Compact(sources), ",")
		switch {
		case p.group < 0:
			e.Name = r.people.names[-p.group-1]
			e.Person = "person:" + e.Name
		case latest != nil:
			e.Name, e.Person = latest.name.String, accts[0].person
		default:
			e.Name, e.Person = oneAuthor, accts[0].person
		}
		e.Author = e.Person
		if len(accts) == 1 {
			e.Author = oneAuthor
		}
		out = append(out, e)
	}
	return out, nil
}
