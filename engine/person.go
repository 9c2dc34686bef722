package engine

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/queries"
)

// Found is a person a name finds: their key, name and accounts.
type Found struct {
	Key, Name string
	Accounts  [][2]string // source, author
}

// FindPeople returns the people a name finds (queries/person_find.sql),
// with the configured people.
func (s *Store) FindPeople(ctx context.Context, name string, people []Person) ([]Found, error) {
	ppl, err := peopleJSON(people)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, queries.MustGet("person_find"), sql.Named("name", name),
		sql.Named("key", strings.Contains(name, ":")), sql.Named("people", ppl))
	if err != nil {
		return nil, fmt.Errorf("person: %w", err)
	}
	defer rows.Close()
	var out []Found
	for rows.Next() {
		var f Found
		var list string
		if err := rows.Scan(&f.Key, &f.Name, &list); err != nil {
			return nil, fmt.Errorf("person: %w", err)
		}
		f.Accounts = splitAccounts(list)
		out = append(out, f)
	}
	return out, rows.Err()
}

// accountsJSON writes accounts as a JSON list of {source, author}.
func accountsJSON(accounts [][2]string) string {
	type acct struct {
		Source string `json:"source"`
		Author string `json:"author"`
	}
	list := make([]acct, len(accounts))
	for i, a := range accounts {
		list[i] = acct{a[0], a[1]}
	}
	js, _ := json.Marshal(list) // strings only: it cannot fail
	return string(js)
}

// focus counts a person's posts: how many there are, and how many each
// area holds (a post counts in every area it is in).
type focus struct {
	posts int
	in    map[string]int
}

// add adds the counts of g.
func (f *focus) add(g *focus) {
	f.posts += g.posts
	for a, n := range g.in {
		f.in[a] += n
	}
}

// top returns the area holding most of the posts and the share of the
// posts in it. Ties go to the area first in name order; no posts, or none
// in any area, give "" and 0.
func (f *focus) top() (string, float64) {
	best := ""
	for _, a := range slices.Sorted(maps.Keys(f.in)) {
		if best == "" || f.in[a] > f.in[best] {
			best = a
		}
	}
	if best == "" || f.posts == 0 {
		return "", 0
	}
	return best, float64(f.in[best]) / float64(f.posts)
}

// personFocus counts the posts of a person's accounts (mine) month by
// month by area. areas are the configuration's, a post being in an area
// when one of its areas (its own, or its thread's first post's when it
// has none) matches one of the area's patterns, as on the area's board;
// when nil, the areas are the posts' own tags, newsgroups and categories.
// When every configured area is counted ahead, the counts are
// area_metrics' (posts and comments); otherwise they are counted from the
// links (queries/person_posts.sql).
func (s *Store) personFocus(ctx context.Context, mine personRows, areas map[string][]string) (map[time.Time]*focus, error) {
	byMonth := map[time.Time]*focus{}
	for m, n := range mine.posts {
		byMonth[m] = &focus{posts: n, in: map[string]int{}}
	}
	if len(mine.keys) == 0 {
		return byMonth, nil
	}
	counted, err := s.countedIDs(ctx, areas)
	if err != nil {
		return nil, err
	}
	if counted != nil {
		return byMonth, s.countedFocus(ctx, byMonth, mine.keys, counted)
	}
	return byMonth, s.linkedFocus(ctx, byMonth, mine.keys, areas)
}

// countedFocus adds to byMonth the posts of the accounts keys in each of
// the counted areas (by their number, with the names of the configured
// areas of each) from area_metrics.
func (s *Store) countedFocus(ctx context.Context, byMonth map[time.Time]*focus, keys []int32, counted map[int32][]string) error {
	rows, err := s.db.QueryContext(ctx, `SELECT month, area_id, CAST(sum(posts + comments) AS BIGINT)
		FROM area_metrics
		WHERE author_key IN (SELECT unnest(from_json(CAST($keys AS VARCHAR), '["INTEGER"]')))
		  AND area_id IN (SELECT unnest(from_json(CAST($ids AS VARCHAR), '["INTEGER"]')))
		GROUP BY ALL`, sql.Named("keys", "["+numberList(keys)+"]"), sql.Named("ids", "["+numberList(slices.Collect(maps.Keys(counted)))+"]"))
	if err != nil {
		return fmt.Errorf("person: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m time.Time
		var id int32
		var n int
		if err := rows.Scan(&m, &id, &n); err != nil {
			return fmt.Errorf("person: %w", err)
		}
		if f := byMonth[m]; f != nil {
			for _, name := range counted[id] {
				f.in[name] += n
			}
		}
	}
	return rows.Err()
}

// linkedFocus adds to byMonth the posts of the accounts keys in each area
// (as for personFocus), counted from their links
// (queries/person_posts.sql).
func (s *Store) linkedFocus(ctx context.Context, byMonth map[time.Time]*focus, keys []int32, areas map[string][]string) error {
	// The areas each area_key is in: the configured ones whose patterns
	// it matches (areaKeys), or its own name.
	named := map[int32][]string{}
	if areas == nil {
		rows, err := s.db.QueryContext(ctx, "SELECT area_key, area FROM area_keys")
		if err != nil {
			return fmt.Errorf("person: %w", err)
		}
		for rows.Next() {
			var k int32
			var a string
			if err := rows.Scan(&k, &a); err != nil {
				rows.Close()
				return fmt.Errorf("person: %w", err)
			}
			named[k] = []string{a}
		}
		rows.Close()
	}
	for name, patterns := range areas {
		list, err := areaKeys(ctx, s.db, patterns)
		if err != nil {
			return fmt.Errorf("person: %w", err)
		}
		for _, k := range strings.Split(list, ",") {
			if k, err := strconv.Atoi(k); err == nil {
				named[int32(k)] = append(named[int32(k)], name)
			}
		}
	}
	rows, err := s.db.QueryContext(ctx, queries.MustGet("person_posts"), sql.Named("keys", "["+numberList(keys)+"]"))
	if err != nil {
		return fmt.Errorf("person: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m time.Time
		var list []any
		var n int
		if err := rows.Scan(&m, &list, &n); err != nil {
			return fmt.Errorf("person: %w", err)
		}
		f := byMonth[m]
		if f == nil {
			continue
		}
		in := map[string]bool{}
		for _, k := range list {
			if k, ok := k.(int32); ok {
				for _, name := range named[k] {
					in[name] = true
				}
			}
		}
		for name := range in {
			f.in[name] += n
		}
	}
	return rows.Err()
}

// countedIDs returns the configured areas by the number of their counted
// area (two areas of the same patterns share one), or nil when there are
// none or one of them is not counted yet.
func (s *Store) countedIDs(ctx context.Context, areas map[string][]string) (map[int32][]string, error) {
	if len(areas) == 0 {
		return nil, nil
	}
	ids := map[int32][]string{}
	for name, patterns := range areas {
		id, err := countedAreaID(ctx, s.db, patterns)
		if err != nil || id == 0 {
			return nil, err
		}
		ids[id] = append(ids[id], name)
	}
	return ids, nil
}

// Why is one post behind a person's numbers: the metric it counts for,
// and the other person involved.
type Why struct {
	Metric, Source, PostID, Kind string
	At                           time.Time
	Other, Thread                string
}

// Explain returns the posts behind the numbers of the accounts over
// [from, to) (queries/explain.sql).
func (s *Store) Explain(ctx context.Context, accounts [][2]string, from, to time.Time) ([]Why, error) {
	rows, err := s.db.QueryContext(ctx, queries.MustGet("explain"), sql.Named("accounts", accountsJSON(accounts)),
		sql.Named("from", from.UTC()), sql.Named("to", to.UTC()))
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	var out []Why
	for rows.Next() {
		var w Why
		var kind, other, thread sql.NullString
		if err := rows.Scan(&w.Metric, &w.Source, &w.PostID, &kind, &w.At, &other, &thread); err != nil {
			return nil, fmt.Errorf("explain: %w", err)
		}
		w.Kind, w.Other, w.Thread = kind.String, other.String, thread.String
		out = append(out, w)
	}
	return out, rows.Err()
}

// even is a number of people of one account each with the same metrics.
type even struct {
	m Metrics
	n int
}

// personRows are a person's accounts, by author_key, and the posts and
// comments they sent each month.
type personRows struct {
	keys  []int32
	posts map[time.Time]int
}

// monthRanks returns the months in which a person's accounts have
// metrics, in order, the accounts and their posts each month, and their
// entry on each month's board (rank 0 when
// not ranked, with Excluded saying why when excluded; none when the month
// has no board row for them): board gives the profile, the
// ranking, the people and the exclusions. It does not rank whole boards:
// the person's value each month is known; the people of one account
// clearly above it are counted, and those about even grouped by their
// metrics (queries/person_above.sql); only the accounts of people of
// several accounts, configured or excluded, are read one by one
// (queries/person_ranks.sql); all are weighed by the rules of
// engine/board.go.
func (s *Store) monthRanks(ctx context.Context, b Board, p Found) (map[time.Time]Entry, []time.Time, personRows, error) {
	var mineRows personRows
	byIndex, weights, err := rankedOn(b)
	if err != nil {
		return nil, nil, mineRows, err
	}
	conn, ar, err := s.arrowConn(ctx)
	if err != nil {
		return nil, nil, mineRows, err
	}
	defer conn.Close()
	people, err := loadPeople(ctx, conn, ar, b)
	if err != nil {
		return nil, nil, mineRows, err
	}
	// The accounts it read are not people of their own: person_above.sql
	// leaves them to the engine.
	var apart []int32
	for k, pk := range people.person {
		if pk != 0 {
			apart = append(apart, int32(k))
		}
	}
	r := ranking{Board: b, byIndex: byIndex, weights: weights, people: people}

	// The person's accounts, and their rows month by month.
	names := map[int32][2]string{}
	rows, err := conn.QueryContext(ctx, `SELECT a.author_key, a.person_key, a.ranked, a.source, a.author FROM accounts AS a
		SEMI JOIN (SELECT unnest(from_json(CAST($accounts AS VARCHAR), '[{"source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)) AS w
		USING (source, author) WHERE a.author_key IS NOT NULL`, sql.Named("accounts", accountsJSON(p.Accounts)))
	if err != nil {
		return nil, nil, mineRows, fmt.Errorf("person: %w", err)
	}
	myGroup := int32(0)
	for rows.Next() {
		var k, pk int32
		var ranked bool
		var source, author string
		if err := rows.Scan(&k, &pk, &ranked, &source, &author); err != nil {
			rows.Close()
			return nil, nil, mineRows, fmt.Errorf("person: %w", err)
		}
		people.setAccount(k, pk, ranked)
		names[k] = [2]string{source, author}
		mineRows.keys = append(mineRows.keys, k)
		myGroup = people.groupOf(pk)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, mineRows, fmt.Errorf("person: %w", err)
	}
	if len(mineRows.keys) == 0 {
		return nil, nil, mineRows, nil
	}
	if name, ok := strings.CutPrefix(p.Key, "person:"); ok {
		if g := people.groupOfName(name); g != 0 {
			myGroup = g
		}
	}
	type monthOf struct {
		m        Metrics
		ranked   bool
		accounts []int32
		above    map[int32]*person // the other people who may be above, by group
		// clearlyAbove counts the people of one account each, not
		// excluded, whose value is clearly above (person_above.sql);
		// even are those about even, by their metrics.
		clearlyAbove int
		even         []even
	}
	byMonth := map[int64]*monthOf{} // by the month's first day, in seconds since 1970
	var months []time.Time
	mine := numberList(mineRows.keys)
	keys := "[" + mine + "]"
	// Their months before each source's until are read from
	// account_months, laid out by account, the later ones from
	// monthly_metrics (queries/schema.sql): from the earliest until of
	// their sources, or from the first month when one of them has none.
	until := map[string]time.Time{}
	rows, err = conn.QueryContext(ctx, "SELECT source, until FROM account_months_until")
	if err != nil {
		return nil, nil, mineRows, fmt.Errorf("person: %w", err)
	}
	for rows.Next() {
		var src string
		var u time.Time
		if err := rows.Scan(&src, &u); err != nil {
			rows.Close()
			return nil, nil, mineRows, fmt.Errorf("person: %w", err)
		}
		until[src] = u
	}
	rows.Close()
	lo := time.Date(9999, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range names {
		u, ok := until[n[0]]
		if !ok {
			u = time.Unix(0, 0).UTC()
		}
		if u.Before(lo) {
			lo = u
		}
	}
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		month := rec.Column(0).(*array.Date32)
		author := rec.Column(1).(*array.Int32)
		cols := metricColumns(rec, 2)
		for i := range int(rec.NumRows()) {
			m := month.Value(i).ToTime()
			mo := byMonth[m.Unix()]
			if mo == nil {
				mo = &monthOf{ranked: true, above: map[int32]*person{}}
				byMonth[m.Unix()] = mo
				months = append(months, m)
			}
			mo.m.add(cols, i)
			mo.ranked = mo.ranked && !people.nobody(author.Value(i))
			mo.accounts = append(mo.accounts, author.Value(i))
		}
	}, strings.NewReplacer("{{metrics}}", strings.Join(MetricNames(), ", "), "{{mine}}", mine).Replace(`SELECT month, author_key, {{metrics}}
		FROM account_months WHERE author_key IN ({{mine}})
		UNION ALL
		SELECT m.month, m.author_key, {{metrics}}
		FROM monthly_metrics AS m LEFT JOIN account_months_until AS u USING (source)
		WHERE m.author_key IN ({{mine}}) AND m.month >= $lo AND m.month >= coalesce(u.until, DATE '1970-01-01')`),
		sql.Named("lo", lo))
	if err != nil {
		return nil, nil, mineRows, fmt.Errorf("person: %w", err)
	}
	slices.SortFunc(months, time.Time.Compare)
	mineRows.posts = map[time.Time]int{}
	for _, m := range months {
		mo := byMonth[m.Unix()]
		mineRows.posts[m] = int(mo.m.Posts + mo.m.Comments)
	}

	// The others who may be above: those clearly above, counted
	// (queries/person_above.sql), and those the engine weighs itself,
	// grouped into people (person_ranks.sql).
	exs, err := loadExclusions(ctx, conn, b.Exclusions)
	if err != nil {
		return nil, nil, mineRows, fmt.Errorf("person: %w", err)
	}
	var grouped, excludedKeys []string
	for pk := range people.named {
		grouped = append(grouped, strconv.Itoa(int(pk)))
	}
	for _, e := range exs {
		excludedKeys = append(excludedKeys, strconv.Itoa(int(e.author)))
	}
	// The person's value in each month, where it is above zero: in no
	// other is the person ranked.
	var values []string
	for _, m := range months {
		mo := byMonth[m.Unix()]
		if _, v := r.values(&mo.m); v > 0 && len(mo.accounts) > 0 {
			values = append(values, fmt.Sprintf(`{"month":%q,"v":%s}`, m.Format(time.DateOnly), strconv.FormatFloat(v, 'g', -1, 64)))
		}
	}
	args := []any{sql.Named("mine", keys), sql.Named("grouped", "["+strings.Join(grouped, ",")+"]"),
		sql.Named("excluded", "["+strings.Join(excludedKeys, ",")+"]"), sql.Named("values", "["+strings.Join(values, ",")+"]")}
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		month := rec.Column(0).(*array.Date32)
		author := rec.Column(1).(*array.Int32)
		personKey := rec.Column(2).(*array.Int32)
		ranked := rec.Column(3).(*array.Boolean)
		cols := metricColumns(rec, 4)
		for i := range int(rec.NumRows()) {
			mo := byMonth[month.Value(i).ToTime().Unix()]
			if mo == nil || !personKey.IsValid(i) {
				continue
			}
			people.setAccount(author.Value(i), personKey.Value(i), ranked.Value(i))
			g := people.groupOf(personKey.Value(i))
			if g == myGroup {
				continue
			}
			q := mo.above[g]
			if q == nil {
				q = &person{group: g, sums: &tally{}, ranked: true}
				mo.above[g] = q
			}
			q.sums.m.add(cols, i)
			q.ranked = q.ranked && ranked.Value(i)
		}
	}, queries.MustGet("person_ranks"), args...)
	if err != nil {
		return nil, nil, mineRows, fmt.Errorf("person: %w", err)
	}
	// The metrics the value is not made of are left out, of the value
	// and of the metrics of those about even (zeros, which leave the
	// value as it is): a scan of all twelve columns took three times as
	// long, and grouping by them made a hundred thousand groups where
	// a few hundred do.
	value := "CAST(" + MetricNames()[max(byIndex, 0)] + " AS DOUBLE)"
	terms := []string{"CAST(0 AS DOUBLE)"}
	var metrics []string
	for i, name := range MetricNames() {
		weighed := i == byIndex || byIndex < 0 && weights[i] != 0
		if weighed && byIndex < 0 {
			terms = append(terms, "$w_"+name+" * "+name)
			args = append(args, sql.Named("w_"+name, weights[i]))
		}
		if weighed {
			metrics = append(metrics, "CASE WHEN clear THEN 0 ELSE "+name+" END AS "+name)
		} else {
			metrics = append(metrics, "CAST(0 AS BIGINT) AS "+name)
		}
	}
	if byIndex < 0 {
		value = strings.Join(terms, " + ")
	}
	err = readArrow(ctx, ar, func(rec arrow.RecordBatch) {
		month := rec.Column(0).(*array.Date32)
		n := rec.Column(1).(*array.Int64)
		clear := rec.Column(2).(*array.Boolean)
		cols := metricColumns(rec, 3)
		for i := range int(rec.NumRows()) {
			mo := byMonth[month.Value(i).ToTime().Unix()]
			switch {
			case mo == nil:
			case clear.Value(i):
				mo.clearlyAbove += int(n.Value(i))
			default:
				e := even{n: int(n.Value(i))}
				e.m.add(cols, i)
				mo.even = append(mo.even, e)
			}
		}
	}, strings.NewReplacer("{{value}}", value, "{{metrics}}", strings.Join(metrics, ", ")).Replace(queries.MustGet("person_above")), append(args, sql.Named("apart", "["+numberList(apart)+"]"))...)
	if err != nil {
		return nil, nil, mineRows, fmt.Errorf("person: %w", err)
	}
	out := map[time.Time]Entry{}
	for _, m := range months {
		mo := byMonth[m.Unix()]
		if !mo.ranked || len(mo.accounts) == 0 {
			continue
		}
		excluded := exs.during(people, m, m.AddDate(0, 1, -1))
		e := Entry{Name: p.Name, Person: p.Key, Metrics: mo.m, Excluded: excluded[myGroup], Accounts: len(mo.accounts)}
		e.Score, e.Value = r.values(&mo.m)
		if e.Excluded != "" && e.Value <= 0 {
			continue
		}
		if e.Excluded == "" && e.Value > 0 {
			e.Rank = 1 + mo.clearlyAbove
			for _, q := range mo.even {
				if _, v := r.values(&q.m); v > e.Value {
					e.Rank += q.n
				}
			}
			for g, q := range mo.above {
				if _, out := excluded[g]; out || !q.ranked {
					continue
				}
				if _, v := r.values(&q.sums.m); v > e.Value {
					e.Rank++
				}
			}
		}
		slices.SortFunc(mo.accounts, func(a, b int32) int {
			return cmp.Or(strings.Compare(names[a][0], names[b][0]), strings.Compare(names[a][1], names[b][1]))
		})
		var sources []string
		for _, a := range mo.accounts {
			e.AccountList = append(e.AccountList, names[a])
			sources = append(sources, names[a][0])
		}
		e.Source = strings.Join(slices.Compact(sources), ",")
		e.Author = p.Key
		if len(mo.accounts) == 1 {
			e.Author = names[mo.accounts[0]][1]
		}
		if mo.m.Posts+mo.m.Comments > 0 {
			e.ActiveMonths, e.LongestRun = 1, 1
		}
		out[m] = e
	}
	return out, months, mineRows, nil
}
