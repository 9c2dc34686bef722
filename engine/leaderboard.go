package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/calvinslist/calvin/queries"
)

// MetricNames returns the names of the per-month metrics, in the order of
// the monthly_metrics table's columns.
func MetricNames() []string { return queries.Metrics() }

// Metrics are one account's numbers for a period, as DESIGN.md defines them.
type Metrics struct {
	Posts          int64
	Comments       int64
	Questions      int64
	Answers        int64
	Topics         int64
	Received       int64
	Accepted       int64
	Reach          int64
	Helped         int64
	FirstResponses int64
	Audience       int64
	ActiveDays     int64
}

// Profile is a scoring profile: the weight of each metric in the score.
// Metrics it does not name weigh nothing.
type Profile struct {
	Name    string
	Weights map[string]float64
}

// Windows are the periods a board can rank: its month, the calendar
// quarter holding it, the twelve months ending with it, the ninety days
// ending with its last day.
var Windows = []string{"month", "quarter", "12m", "90d"}

// Board asks for a leaderboard.
type Board struct {
	Month   time.Time // any time in the month; its UTC calendar month is ranked, or the window ending with it
	Window  string    // one of Windows; "" is month
	Source  string    // empty: every source
	By      string    // "score" (empty means the same) or one metric's name
	Top     int       // at most this many rows; 0 means 10
	Profile Profile
	// Exclusions keep people off the board in the months they cover;
	// ListExcluded lists those of the window after the board, rank 0.
	Exclusions   []Exclusion
	ListExcluded bool
	// Also are people's keys listed besides the top, at their rank (rank 0
	// when excluded or scoring nothing); Only, when set, are listed alone,
	// the top left out.
	Also, Only []string
	// Areas, if set, are the patterns (* and ?) of a technology area:
	// only posts in it count (see window_metrics.sql). AreaName names it.
	Areas    []string
	AreaName string
	// People are the configured people: a name and accounts that are
	// theirs (see leaderboard.sql for the rules that join accounts).
	People []Person
	// Declared are the configured sources: Source may name one that has
	// nothing stored yet (a live source not pulled yet); any other must
	// be in the store.
	Declared []string
}

// top is the board's number of rows: Top, or 10 when unset.
func (b Board) top() int {
	if b.Top <= 0 {
		return 10
	}
	return b.Top
}

// Person is a configured person: their name and accounts.
type Person struct {
	Name     string
	Accounts [][2]string // source, author
}

// peopleJSON writes people as leaderboard.sql's $people.
func peopleJSON(people []Person) (string, error) {
	type row struct {
		Name   string `json:"name"`
		Source string `json:"source"`
		Author string `json:"author"`
	}
	rows := []row{}
	for _, p := range people {
		for _, a := range p.Accounts {
			rows = append(rows, row{p.Name, a[0], a[1]})
		}
	}
	b, err := json.Marshal(rows)
	return string(b), err
}

// Exclusion keeps accounts off the boards: one account (Source and
// Author), the addresses of a mail Domain (and its subdomains), or the
// accounts whose name or id matches Name (a pattern: * and ?); in the
// months From to To overlap (zero: unbounded).
type Exclusion struct {
	Source, Author string
	Domain         string
	Name           string
	From, To       time.Time
	Reason         string
}

// exclusionsJSON writes exclusions as leaderboard.sql's $exclusions.
func exclusionsJSON(exs []Exclusion) (string, error) {
	type row struct {
		Source *string `json:"source"`
		Author *string `json:"author"`
		Domain *string `json:"domain"`
		Name   *string `json:"name"`
		From   *string `json:"from"`
		To     *string `json:"to"`
		Reason string  `json:"reason"`
	}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	day := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		return opt(t.Format(time.DateOnly))
	}
	rows := make([]row, 0, len(exs))
	for _, e := range exs {
		rows = append(rows, row{Source: opt(e.Source), Author: opt(e.Author), Domain: opt(strings.ToLower(e.Domain)),
			Name: opt(e.Name), From: day(e.From), To: day(e.To), Reason: e.Reason})
	}
	b, err := json.Marshal(rows)
	return string(b), err
}

// Entry is one ranked person, or, with rank 0 and the reason, one kept
// off the board by an exclusion.
type Entry struct {
	Rank     int
	Name     string
	Source   string // the person's sources, comma-separated
	Author   string // the account, or for a person of several, their key (person:NAME, mail:ADDRESS)
	Accounts int    // the person's accounts with posts in the window
	Person   string // the person's key: person:NAME, mail:ADDRESS, account:SOURCE/AUTHOR
	// AccountList are the person's accounts with posts in the window:
	// source and author.
	AccountList [][2]string
	Value       float64 // what was ranked on: the score or the chosen metric
	Score       float64
	Excluded    string // why the account is not ranked; "" for a ranked one
	Metrics            // the window's totals
	// ActiveMonths are the window's months with a post or comment sent;
	// LongestRun the longest unbroken run of them.
	ActiveMonths, LongestRun int
}

// Span returns the first and the last day of the window of kind ending
// with (or, for a quarter, holding) the month of t.
func Span(window string, t time.Time) (first, last time.Time, err error) {
	m := MonthOf(t)
	end := m.AddDate(0, 1, -1) // the month's last day
	switch window {
	case "", "month":
		return m, end, nil
	case "quarter":
		first = time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
		return first, first.AddDate(0, 3, -1), nil
	case "12m":
		return m.AddDate(0, -11, 0), end, nil
	case "90d":
		return end.AddDate(0, 0, -89), end, nil
	}
	return first, last, fmt.Errorf("unknown window %q: use one of %s", window, strings.Join(Windows, ", "))
}

// MonthOf returns the first day of t's UTC month.
func MonthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// Previous returns the month the window before a board's ends with: the
// month before, the quarter before, the twelve months before; for 90
// days, three months before.
func Previous(window string, t time.Time) time.Time {
	back := map[string]int{"": 1, "month": 1, "quarter": 3, "12m": 12, "90d": 3}[window]
	return MonthOf(t).AddDate(0, -back, 0)
}

// LatestMonth returns the first day of the most recent month with posts, or
// the zero time for an empty store.
func (s *Store) LatestMonth(ctx context.Context, source string) (time.Time, error) {
	var m sql.NullTime
	var src any
	if source != "" {
		src = source
	}
	err := s.db.QueryRowContext(ctx, "SELECT max(month) FROM monthly_metrics WHERE $source IS NULL OR source = $source",
		sql.Named("source", src)).Scan(&m)
	if err != nil {
		return time.Time{}, err
	}
	return m.Time, nil
}

// Moves compares a board with the one of the period before it: each
// entry's rank then (0: not on that board at all, a new entry), and the
// entries of that board's top who are not in this one's.
type Moves struct {
	Previous map[string]int // person key -> rank on the previous board (for this board's people and that board's top)
	Dropped  []Dropped      // of the previous top, not in this top, by their previous rank
}

// Change says how an entry of the board moved: its rank on the board
// before (0: not ranked then) and "new" (not ranked then), "=" (the same
// rank), "+2" (up two places) or "-1" (down one). An entry not ranked
// now (excluded) has neither.
func (m Moves) Change(e Entry) (previous int, change string) {
	if e.Rank == 0 {
		return 0, ""
	}
	previous = m.Previous[e.Person]
	switch previous {
	case 0:
		return 0, "new"
	case e.Rank:
		return previous, "="
	}
	return previous, fmt.Sprintf("%+d", previous-e.Rank)
}

// Dropped is an account that left the top: its rank before, and its rank
// now (0: not ranked at all).
type Dropped struct {
	Entry
	Now int
}

// Movers compares entries, the board b asks for, with the board of the
// window of the same length just before (the month before, the quarter
// before, the twelve months before): ranks there come from its whole
// board, not only its top.
func (s *Store) Movers(ctx context.Context, b Board, entries []Entry) (Moves, error) {
	if _, _, err := Span(b.Window, b.Month); err != nil {
		return Moves{}, err
	}
	top := b.top()
	// The board before: its top, and where this board's people stood.
	inTop := map[string]bool{}
	prev := b
	prev.Month, prev.ListExcluded, prev.Also = Previous(b.Window, b.Month), false, nil
	for _, e := range entries {
		if e.Rank > 0 {
			inTop[e.Person] = true
			prev.Also = append(prev.Also, e.Person)
		}
	}
	before, err := s.Leaderboard(ctx, prev)
	if err != nil {
		return Moves{}, err
	}
	m := Moves{Previous: map[string]int{}}
	var dropped []Entry
	for i, e := range before {
		m.Previous[e.Person] = e.Rank
		if i < top && !inTop[e.Person] {
			dropped = append(dropped, e)
		}
	}
	if len(dropped) == 0 {
		return m, nil
	}
	// Where those who left the top stand now.
	now := b
	now.ListExcluded, now.Also, now.Only = false, nil, nil
	for _, e := range dropped {
		now.Only = append(now.Only, e.Person)
	}
	after, err := s.Leaderboard(ctx, now)
	if err != nil {
		return Moves{}, err
	}
	rankNow := map[string]int{}
	for _, e := range after {
		rankNow[e.Person] = e.Rank
	}
	for _, e := range dropped {
		m.Dropped = append(m.Dropped, Dropped{Entry: e, Now: rankNow[e.Person]})
	}
	return m, nil
}

// runs counts the bits set in a mask of active months, and the longest
// unbroken run of them.
func runs(mask uint64) (active, longest int) {
	run := 0
	for ; mask != 0; mask >>= 1 {
		if mask&1 == 0 {
			run = 0
			continue
		}
		active++
		run++
		longest = max(longest, run)
	}
	return active, longest
}
