package engine

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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

// PostAreas are the areas of a person's posts, month by month: how many
// posts of a month have these areas.
type PostAreas struct {
	Month time.Time
	Areas []string // the post's own, or its thread's first post's
	Posts int
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

// PersonPosts returns the posts of the accounts counted by month and
// areas, in month order.
func (s *Store) PersonPosts(ctx context.Context, accounts [][2]string) ([]PostAreas, error) {
	names := map[int32]string{}
	rows, err := s.db.QueryContext(ctx, "SELECT area_key, area FROM area_keys")
	if err != nil {
		return nil, fmt.Errorf("person: %w", err)
	}
	for rows.Next() {
		var k int32
		var a string
		if err := rows.Scan(&k, &a); err != nil {
			rows.Close()
			return nil, fmt.Errorf("person: %w", err)
		}
		names[k] = a
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, queries.MustGet("person_posts"), sql.Named("accounts", accountsJSON(accounts)))
	if err != nil {
		return nil, fmt.Errorf("person: %w", err)
	}
	defer rows.Close()
	var out []PostAreas
	for rows.Next() {
		var p PostAreas
		var areas []any
		if err := rows.Scan(&p.Month, &areas, &p.Posts); err != nil {
			return nil, fmt.Errorf("person: %w", err)
		}
		for _, a := range areas {
			if k, ok := a.(int32); ok {
				p.Areas = append(p.Areas, names[k])
			}
		}
		slices.Sort(p.Areas)
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b PostAreas) int { return a.Month.Compare(b.Month) })
	return out, rows.Err()
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

// monthRanks returns the months in which a person's accounts have
// metrics, in order, and their entry on each month's board (rank 0 when
// not ranked, with Excluded saying why when excluded; none when the month
// has no board row for them): board gives the profile, the
// ranking, the people and the exclusions. It does not rank whole boards:
// the person's value each month is known; the people of one account
// clearly above it are counted, and those about even grouped by their
// metrics (queries/person_above.sql); only the accounts of people of
// several accounts, configured or excluded, are read one by one
// (queries/person_ranks.sql); all are weighed by the rules of
// engine/board.go.
func (s *Store) monthRanks(ctx context.Context, b Board, p Found) (map[time.Time]Entry, []time.Time, error) {
	byIndex, weights, err := rankedOn(b)
	if err != nil {
		return nil, nil, err
	}
	conn, ar, err := s.arrowConn(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	people, err := loadNamed(ctx, conn, b.People)
	if err != nil {
		return nil, nil, err
	}
	r := ranking{Board: b, byIndex: byIndex, weights: weights, people: people}

	// The person's accounts, and their rows month by month.
	names := map[int32][2]string{}
	var mine []string
	rows, err := conn.QueryContext(ctx, `SELECT a.author_key, a.person_key, a.ranked, a.source, a.author FROM accounts AS a
		SEMI JOIN (SELECT unnest(from_json(CAST($accounts AS VARCHAR), '[{"source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)) AS w
		USING (source, author) WHERE a.author_key IS NOT NULL`, sql.Named("accounts", accountsJSON(p.Accounts)))
	if err != nil {
		return nil, nil, fmt.Errorf("person: %w", err)
	}
	myGroup := int32(0)
	for rows.Next() {
		var k, pk int32
		var ranked bool
		var source, author string
		if err := rows.Scan(&k, &pk, &ranked, &source, &author); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("person: %w", err)
		}
		people.setAccount(k, pk, ranked)
		names[k] = [2]string{source, author}
		mine = append(mine, strconv.Itoa(int(k)))
		myGroup = people.groupOf(pk)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("person: %w", err)
	}
	if len(mine) == 0 {
		return nil, nil, nil
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
	keys := "[" + strings.Join(mine, ",") + "]"
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
	}, `SELECT month, author_key, posts, comments, questions, answers, topics, received, accepted,
		reach, helped, first_responses, audience, active_days
		FROM monthly_metrics WHERE author_key IN (SELECT unnest(from_json(CAST($mine AS VARCHAR), '["INTEGER"]')))`, sql.Named("mine", keys))
	if err != nil {
		return nil, nil, fmt.Errorf("person: %w", err)
	}
	slices.SortFunc(months, time.Time.Compare)

	// The others who may be above: those clearly above, counted
	// (queries/person_above.sql), and those the engine weighs itself,
	// grouped into people (person_ranks.sql).
	exs, err := loadExclusions(ctx, conn, b.Exclusions)
	if err != nil {
		return nil, nil, fmt.Errorf("person: %w", err)
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
		return nil, nil, fmt.Errorf("person: %w", err)
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
	}, strings.NewReplacer("{{value}}", value, "{{metrics}}", strings.Join(metrics, ", ")).Replace(queries.MustGet("person_above")), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("person: %w", err)
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
	return out, months, nil
}
