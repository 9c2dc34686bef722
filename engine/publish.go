package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Publish freezes boards as they stand: each board is ranked and its rows
// stored in the published table, replacing what was published before for
// the same month, window and profile, all in one transaction. Boards are
// of every source; their Source is ignored. It returns the time stored.
func (s *Store) Publish(ctx context.Context, boards []Board) (time.Time, error) {
	at := time.Now().UTC().Truncate(time.Second)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return at, err
	}
	defer tx.Rollback()
	for _, b := range boards {
		// The excluded are kept too (rank 0), for a diff to tell who was
		// excluded then.
		b.Source, b.ListExcluded, b.Top = "", true, b.top()
		entries, err := s.Leaderboard(ctx, b)
		if err != nil {
			return at, err
		}
		month := MonthOf(b.Month)
		window := b.Window
		if window == "" {
			window = "month"
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM published WHERE month = ? AND "window" = ? AND profile = ? AND area = ?`,
			month, window, b.Profile.Name, b.AreaName); err != nil {
			return at, fmt.Errorf("publish: %w", err)
		}
		for _, e := range entries {
			m := e.Metrics
			var excluded any
			if e.Excluded != "" {
				excluded = e.Excluded
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO published BY NAME SELECT
				? AS month, ? AS "window", ? AS profile, ? AS area, ? AS published_at, ? AS rank, ? AS person, ? AS name,
				? AS sources, ? AS author, ? AS account_list, ? AS value, ? AS score, ? AS posts, ? AS comments,
				? AS questions, ? AS answers, ? AS topics, ? AS received, ? AS accepted, ? AS reach, ? AS helped,
				? AS first_responses, ? AS audience, ? AS active_days, ? AS active_months, ? AS longest_run,
				? AS excluded, ? AS top`,
				month, window, b.Profile.Name, b.AreaName, at, e.Rank, e.Person, e.Name, e.Source, e.Author, joinAccounts(e.AccountList),
				e.Value, e.Score, m.Posts, m.Comments, m.Questions, m.Answers, m.Topics, m.Received, m.Accepted,
				m.Reach, m.Helped, m.FirstResponses, m.Audience, m.ActiveDays, e.ActiveMonths, e.LongestRun,
				excluded, b.Top); err != nil {
				return at, fmt.Errorf("publish: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return at, fmt.Errorf("publish: %w", err)
	}
	return at, nil
}

// PublishedBoard is a board as it was published.
type PublishedBoard struct {
	At       time.Time
	Entries  []Entry // the ranked rows, in order
	Excluded []Entry // the people of the window excluded then (rank 0; Excluded says why)
	Top      int     // the board's top N; 0 when not known (published before it was kept)
}

// Published returns a board as it was published; ok is false when it
// never was. area is the configuration's area's name, "" for every post.
func (s *Store) Published(ctx context.Context, month time.Time, window, profile, area string) (board PublishedBoard, ok bool, err error) {
	first := MonthOf(month)
	if window == "" {
		window = "month"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT published_at, rank, person, name, sources, author, account_list, value, score,
		posts, comments, questions, answers, topics, received, accepted, reach, helped, first_responses, audience,
		active_days, active_months, longest_run, coalesce(excluded, ''), coalesce(top, 0)
		FROM published WHERE month = ? AND "window" = ? AND profile = ? AND area = ? ORDER BY rank, value DESC, name`, first, window, profile, area)
	if err != nil {
		return board, false, fmt.Errorf("published: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		var list string
		m := &e.Metrics
		if err := rows.Scan(&board.At, &e.Rank, &e.Person, &e.Name, &e.Source, &e.Author, &list, &e.Value, &e.Score,
			&m.Posts, &m.Comments, &m.Questions, &m.Answers, &m.Topics, &m.Received, &m.Accepted, &m.Reach,
			&m.Helped, &m.FirstResponses, &m.Audience, &m.ActiveDays, &e.ActiveMonths, &e.LongestRun,
			&e.Excluded, &board.Top); err != nil {
			return board, false, fmt.Errorf("published: %w", err)
		}
		e.AccountList = splitAccounts(list)
		e.Accounts = len(e.AccountList)
		if e.Rank == 0 {
			board.Excluded = append(board.Excluded, e)
		} else {
			board.Entries = append(board.Entries, e)
		}
	}
	return board, !board.At.IsZero(), rows.Err()
}

// ReadBoard returns board b as a reader gets it: as published, cut to b's
// top, when b's month was published and publishing keeps what b asks for
// (every source, ranked by score, the excluded not listed); else ranked
// now. at is when it was published, zero when ranked now. live ranks it
// now in any case.
func (s *Store) ReadBoard(ctx context.Context, b Board, live bool) (entries []Entry, at time.Time, err error) {
	if !live && b.Source == "" && (b.By == "" || b.By == "score") && !b.ListExcluded {
		stored, ok, err := s.Published(ctx, b.Month, b.Window, b.Profile.Name, b.AreaName)
		if err != nil {
			return nil, stored.At, err
		}
		if ok {
			return stored.Entries[:min(len(stored.Entries), b.top())], stored.At, nil
		}
	}
	entries, err = s.Leaderboard(ctx, b)
	return entries, time.Time{}, err
}

// PublishedBoards lists the boards published for a month: their window,
// profile and area.
func (s *Store) PublishedBoards(ctx context.Context, month time.Time) ([][3]string, error) {
	first := MonthOf(month)
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT "window", profile, area FROM published WHERE month = ?
		ORDER BY list_position(['month', 'quarter', '12m', '90d'], "window"), profile, area`, first)
	if err != nil {
		return nil, fmt.Errorf("published: %w", err)
	}
	defer rows.Close()
	var out [][3]string
	for rows.Next() {
		var w, p, a string
		if err := rows.Scan(&w, &p, &a); err != nil {
			return nil, err
		}
		out = append(out, [3]string{w, p, a})
	}
	return out, rows.Err()
}

func joinAccounts(list [][2]string) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a[0] + "\x1f" + a[1]
	}
	return strings.Join(parts, "\x1e")
}

func splitAccounts(s string) [][2]string {
	var out [][2]string
	for _, a := range strings.Split(s, "\x1e") {
		source, author, _ := strings.Cut(a, "\x1f")
		out = append(out, [2]string{source, author})
	}
	return out
}

// Change is how a person's place differs between a published board and
// the board recomputed now, and why.
type Change struct {
	Person, Name        string
	Then, Now           int // ranks; 0: not on that board
	ThenValue, NowValue float64
	Cause               string
}

// Changes recomputes board b, published as then, and says what differs
// and why (Diff). b is ranked as then was (its top N), with the excluded
// listed and then's people listed wherever they rank now, so that one
// pushed off the board is told from one whose numbers changed.
func (s *Store) Changes(ctx context.Context, b Board, then PublishedBoard) ([]Change, error) {
	b.Top = max(then.Top, len(then.Entries))
	b.ListExcluded = true
	b.Also = nil
	for _, e := range then.Entries {
		b.Also = append(b.Also, e.Person)
	}
	now, err := s.Leaderboard(ctx, b)
	if err != nil {
		return nil, err
	}
	return Diff(then, now), nil
}

// Diff compares a published board (then) with the same board recomputed
// now (now, with the people excluded now listed apart, rank 0, and then's
// people wherever they rank now) and explains each difference by its
// cause:
//
//   - "excluded now: REASON" and "no longer excluded": the configuration's
//     exclusions changed (then's excluded are known from the board);
//   - "a merge: ...": the person's accounts are not the same;
//   - "late data: ...": the person's own metrics changed, or a person
//     absent then now ranks above the board's last place then, where
//     they would have been listed had their numbers been the same;
//   - "others moved": the person's numbers are the same, others' are not
//     (a person pushed off the board, or up), or people above left the
//     board (excluded, merged), letting one below its last place then
//     onto it.
//
// People whose rank and value did not change are left out.
func Diff(then PublishedBoard, now []Entry) []Change {
	byKey := map[string]Entry{}
	owner := map[[2]string]Entry{} // account -> who holds it now
	for _, e := range now {
		byKey[e.Person] = e
		for _, a := range e.AccountList {
			owner[a] = e
		}
	}
	thenKeys := map[string]bool{}
	thenOwner := map[[2]string]Entry{}
	for _, e := range then.Entries {
		thenKeys[e.Person] = true
		for _, a := range e.AccountList {
			thenOwner[a] = e
		}
	}
	excludedThen := map[string]bool{}
	for _, e := range then.Excluded {
		excludedThen[e.Person] = true
	}
	var out []Change
	for _, p := range then.Entries {
		c := Change{Person: p.Person, Name: p.Name, Then: p.Rank, ThenValue: p.Value}
		q, ok := byKey[p.Person]
		switch {
		case ok && q.Excluded != "":
			c.NowValue, c.Cause = q.Value, "excluded now: "+q.Excluded
		case ok:
			c.Now, c.NowValue = q.Rank, q.Value
			switch {
			case q.Rank == p.Rank && q.Value == p.Value:
				continue
			case !slices.Equal(q.AccountList, p.AccountList):
				c.Cause = "a merge: accounts " + accounts(p.AccountList) + " then, " + accounts(q.AccountList) + " now"
			case q.Metrics != p.Metrics:
				c.Cause = "late data: " + metricChanges(p.Metrics, q.Metrics)
			default:
				c.Cause = "others moved"
			}
		default:
			if q, ok := mergedInto(p, owner); ok {
				c.Now, c.NowValue = q.Rank, q.Value
				c.Cause = "a merge: now part of " + q.Name
			} else {
				c.Cause = "late data: out of the board now"
			}
		}
		out = append(out, c)
	}
	// The board's last place then: one absent then who ranks above it now
	// has other numbers than then (had they had these, they would have
	// been listed); one below it was pushed up by people leaving. A board
	// shorter than its top listed everyone, so anyone absent then had no
	// numbers then.
	var last *Entry
	if n := len(then.Entries); n > 0 && (then.Top == 0 || n >= then.Top) {
		last = &then.Entries[n-1]
	}
	for _, q := range now {
		if thenKeys[q.Person] || q.Excluded != "" {
			continue
		}
		c := Change{Person: q.Person, Name: q.Name, Now: q.Rank, NowValue: q.Value}
		switch {
		case excludedThen[q.Person]:
			c.Cause = "no longer excluded"
		case last != nil && !above(q, *last):
			c.Cause = "others moved: people above left the board"
		default:
			c.Cause = "late data: new on the board"
		}
		for _, a := range q.AccountList {
			if p, ok := thenOwner[a]; ok {
				c.Cause = "a merge: now holds " + p.Name + "'s account " + a[0] + "/" + a[1]
				break
			}
		}
		out = append(out, c)
	}
	return out
}

// above reports whether q ranks above e on a board: a higher value, or
// the same with more posts, or the same posts and a name first.
func above(q, e Entry) bool {
	if q.Value != e.Value {
		return q.Value > e.Value
	}
	if q.Metrics.Posts != e.Metrics.Posts {
		return q.Metrics.Posts > e.Metrics.Posts
	}
	return q.Name < e.Name
}

// mergedInto finds who holds one of p's accounts now.
func mergedInto(p Entry, owner map[[2]string]Entry) (Entry, bool) {
	for _, a := range p.AccountList {
		if q, ok := owner[a]; ok && q.Person != p.Person {
			return q, true
		}
	}
	return Entry{}, false
}

func accounts(list [][2]string) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a[0] + "/" + a[1]
	}
	return strings.Join(parts, " ")
}

// metricChanges writes the metrics that differ, "posts 3→4, received 1→2".
func metricChanges(a, b Metrics) string {
	names := MetricNames()
	av, bv := a.Values(), b.Values()
	var parts []string
	for i := range names {
		if av[i] != bv[i] {
			parts = append(parts, fmt.Sprintf("%s %d→%d", names[i], av[i], bv[i]))
		}
	}
	return strings.Join(parts, ", ")
}

// Values returns the metrics in the order of MetricNames.
func (m Metrics) Values() []int64 {
	out := make([]int64, 0, 12)
	for _, v := range m.pointers() {
		out = append(out, *v)
	}
	return out
}
