package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/calvinslist/calvin/queries"
)

// AccountMetrics is one account's metrics over a span of time.
type AccountMetrics struct {
	Source, Author string
	Metrics
	// Mask has bit i set when the account sent anything in the i-th month
	// from the span's first month.
	Mask uint64
}

// SpanMetrics computes the metrics of every account over [from, to),
// counting only the posts in an area matching one of patterns (every
// post when there are none), from the posts themselves (window_metrics.sql).
func (s *Store) SpanMetrics(ctx context.Context, source string, from, to time.Time, patterns []string) ([]AccountMetrics, error) {
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
		if err := rows.Scan(&a.Source, &a.Author, &m.Posts, &m.Comments, &m.Questions, &m.Answers, &m.Topics,
			&m.Received, &m.Accepted, &m.Reach, &m.Helped, &m.FirstResponses, &m.Audience, &m.ActiveDays, &mask); err != nil {
			return nil, fmt.Errorf("window metrics: %w", err)
		}
		a.Mask = uint64(mask)
		out = append(out, a)
	}
	return out, rows.Err()
}

// listJSON writes strings as a JSON list: window_metrics.sql's $patterns,
// leaderboard.sql's $keys.
func listJSON(patterns []string) string {
	if patterns == nil {
		patterns = []string{}
	}
	js, _ := json.Marshal(patterns) // strings only: it cannot fail
	return string(js)
}
