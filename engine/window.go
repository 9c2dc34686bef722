package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/calvinslist/calvin/queries"
)

// ActiveAccounts counts, per source, the accounts that sent a post or a
// comment in [from, to), counting only the posts in an area matching one
// of patterns (every post when there are none): queries/active_accounts.sql.
func (s *Store) ActiveAccounts(ctx context.Context, from, to time.Time, patterns []string) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, queries.MustGet("active_accounts"),
		sql.Named("from", from.UTC()), sql.Named("to", to.UTC()), sql.Named("patterns", listJSON(patterns)))
	if err != nil {
		return nil, fmt.Errorf("active accounts: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var source string
		var n int64
		if err := rows.Scan(&source, &n); err != nil {
			return nil, fmt.Errorf("active accounts: %w", err)
		}
		out[source] = n
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
