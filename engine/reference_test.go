package engine

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/calvinslist/calvin/queries"
)

// The boards' rules and the metrics over a span, written again in SQL
// (queries/leaderboard.sql, window_metrics.sql) over the posts: the
// references the engine's Go is held to.

// AccountMetrics is one account's metrics over a span of time.
type AccountMetrics struct {
	Key int32 // author_key
	Metrics
	// Mask has bit i set when the account sent anything in the i-th month
	// from the span's first month.
	Mask uint64
}

// referenceSpan computes the metrics of every account over [from, to),
// counting only the posts in an area matching one of patterns (every
// post when there are none), from the posts themselves (window_metrics.sql).
func referenceSpan(ctx context.Context, s *Store, source string, from, to time.Time, patterns []string) ([]AccountMetrics, error) {
	pat := listJSON(patterns)
	var src any
	if source != "" {
		src = source
	}
	rows, err := s.db.QueryContext(ctx, queries.MustGet("window_metrics"),
		sql.Named("source", src), sql.Named("from", from.UTC()), sql.Named("to", to.UTC()), sql.Named("patterns", pat))
	if err != nil {
		return nil, fmt.Errorf("window metrics: %w", err)
	}
	defer rows.Close()
	var out []AccountMetrics
	for rows.Next() {
		var a AccountMetrics
		var mask int64
		m := &a.Metrics
		if err := rows.Scan(&a.Key, &m.Posts, &m.Comments, &m.Questions, &m.Answers, &m.Topics,
			&m.Received, &m.Accepted, &m.Reach, &m.Helped, &m.FirstResponses, &m.Audience, &m.ActiveDays, &mask); err != nil {
			return nil, fmt.Errorf("window metrics: %w", err)
		}
		a.Mask = uint64(mask)
		out = append(out, a)
	}
	return out, rows.Err()
}

// referenceBoard ranks a board by queries/leaderboard.sql, the rules of
// engine/board.go in SQL, over board_months.sql or, for a span of days or
// an area, window_metrics.sql (the metrics computed from the posts).
func referenceBoard(ctx context.Context, s *Store, b Board) ([]Entry, error) {
	by := b.By
	if by == "" {
		by = "score"
	}
	if by != "score" && !slices.Contains(MetricNames(), by) {
		return nil, fmt.Errorf("unknown metric %q: rank by score or one of %s", by, strings.Join(MetricNames(), ", "))
	}
	for name := range b.Profile.Weights {
		if !slices.Contains(MetricNames(), name) {
			return nil, fmt.Errorf("profile %s: unknown metric %q", b.Profile.Name, name)
		}
	}
	top := b.top()
	keys := b.Also
	if len(b.Only) > 0 {
		top, keys = 0, b.Only
	}
	var source any
	if b.Source != "" {
		if err := s.CheckSources(ctx, b.Declared, b.Source); err != nil {
			return nil, err
		}
		source = b.Source
	}
	first, last, err := Span(b.Window, b.Month.UTC())
	if err != nil {
		return nil, err
	}
	// Whole months of every area are summed from monthly_metrics; a span
	// of days is computed from the posts; whole months of an area are
	// the sums of its months, each computed from the posts.
	accounts := "board_months"
	var spanArgs []any
	var sub string
	switch {
	case b.Window == "90d":
		accounts = "window_metrics"
		spanArgs = []any{sql.Named("from", first), sql.Named("to", last.AddDate(0, 0, 1)), sql.Named("patterns", listJSON(b.Areas))}
		sub = queries.MustGet(accounts)
	case len(b.Areas) > 0:
		if sub, spanArgs, err = areaMonthsReference(ctx, s, b.Source, first, last, b.Areas); err != nil {
			return nil, err
		}
	default:
		sub = queries.MustGet(accounts)
	}
	args := []any{
		sql.Named("first", first.Format(time.DateOnly)),
		sql.Named("last", last.Format(time.DateOnly)),
		sql.Named("source", source),
		sql.Named("by", by),
		sql.Named("top", top),
	}
	for _, m := range MetricNames() {
		args = append(args, sql.Named("w_"+m, b.Profile.Weights[m]))
	}
	exs, err := exclusionsJSON(b.Exclusions)
	if err != nil {
		return nil, err
	}
	ppl, err := peopleJSON(b.People)
	if err != nil {
		return nil, err
	}
	args = append(args, sql.Named("exclusions", exs), sql.Named("list_excluded", b.ListExcluded), sql.Named("people", ppl), sql.Named("keys", listJSON(keys)))
	args = append(args, spanArgs...)
	if accounts == "board_months" {
		sub = `SELECT author_key, sum(posts) AS posts, sum(comments) AS comments, sum(questions) AS questions,
		       sum(answers) AS answers, sum(topics) AS topics, sum(received) AS received, sum(accepted) AS accepted,
		       sum(reach) AS reach, sum(helped) AS helped, sum(first_responses) AS first_responses,
		       sum(audience) AS audience, sum(active_days) AS active_days,
		       coalesce(bit_or(CAST(1 AS BIGINT) << CAST(i AS BIGINT)) FILTER (WHERE posts + comments > 0), 0) AS mask
		FROM (` + sub + `) GROUP BY author_key`
	}
	query := strings.Replace(queries.MustGet("leaderboard"), "{{accounts}}", sub, 1)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("leaderboard: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var excluded sql.NullString
		var mask int64
		var list string
		m := &e.Metrics
		if err := rows.Scan(&e.Rank, &e.Name, &e.Source, &e.Author, &e.Value, &e.Score,
			&m.Posts, &m.Comments, &m.Questions, &m.Answers, &m.Topics, &m.Received, &m.Accepted,
			&m.Reach, &m.Helped, &m.FirstResponses, &m.Audience, &m.ActiveDays, &excluded,
			&mask, &e.Accounts, &e.Person, &list); err != nil {
			return nil, fmt.Errorf("leaderboard: %w", err)
		}
		e.AccountList = splitAccounts(list)
		e.ActiveMonths, e.LongestRun = runs(uint64(mask))
		e.Excluded = excluded.String
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("leaderboard: %w", err)
	}
	return out, nil
}

// areaMonthsReference computes the metrics of every account in an area in
// each month from first to last from the posts (window_metrics.sql), and
// returns a query with board_months.sql's columns that reads them, and its
// arguments. The months computed are kept in a table of the store
// (reference_area_months), for the other boards of the same months.
func areaMonthsReference(ctx context.Context, s *Store, source string, first, last time.Time, patterns []string) (string, []any, error) {
	const metrics = "posts, comments, questions, answers, topics, received, accepted, reach, helped, first_responses, audience, active_days"
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS reference_area_months
		(patterns VARCHAR, source VARCHAR, month DATE, author_key INTEGER, `+strings.ReplaceAll(metrics, ",", " BIGINT,")+` BIGINT);
		CREATE TABLE IF NOT EXISTS reference_area_done (patterns VARCHAR, source VARCHAR, month DATE)`); err != nil {
		return "", nil, err
	}
	pat := listJSON(patterns)
	for m := MonthOf(first); !m.After(last); m = m.AddDate(0, 1, 0) {
		var done bool
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) > 0 FROM reference_area_done WHERE patterns = ? AND source = ? AND month = ?",
			pat, source, m).Scan(&done); err != nil || done {
			if err != nil {
				return "", nil, err
			}
			continue
		}
		rows, err := referenceSpan(ctx, s, source, m, m.AddDate(0, 1, 0), patterns)
		if err != nil {
			return "", nil, err
		}
		inserts := []string{"INSERT INTO reference_area_done VALUES ($1, $2, $3)"}
		if len(rows) > 0 {
			var values []string
			for _, a := range rows {
				v := []string{"$1", "$2", "$3", fmt.Sprint(a.Key)}
				for _, p := range a.Metrics.pointers() {
					v = append(v, fmt.Sprint(*p))
				}
				values = append(values, "("+strings.Join(v, ", ")+")")
			}
			inserts = append(inserts, "INSERT INTO reference_area_months VALUES "+strings.Join(values, ", "))
		}
		for _, insert := range inserts {
			if _, err := s.db.ExecContext(ctx, insert, pat, source, m); err != nil {
				return "", nil, err
			}
		}
	}
	return `SELECT author_key, CAST(datediff('month', CAST($first AS DATE), month) AS INTEGER) AS i, ` + metrics + `
		FROM reference_area_months WHERE patterns = $ref_patterns AND source = $ref_source
		AND month BETWEEN CAST($first AS DATE) AND CAST($last AS DATE)`,
		[]any{sql.Named("ref_patterns", pat), sql.Named("ref_source", source)}, nil
}
