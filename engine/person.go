package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

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
	rows, err := s.db.QueryContext(ctx, queries.MustGet("person_find"), sql.Named("name", name), sql.Named("people", ppl))
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

// PostAreas are the areas of a person's posts, month by month.
type PostAreas struct {
	Month time.Time
	Areas []string // the post's own, or its thread's first post's
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

// PersonMonths returns the months in which the accounts have metrics.
func (s *Store) PersonMonths(ctx context.Context, accounts [][2]string) ([]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, queries.MustGet("person_months"), sql.Named("accounts", accountsJSON(accounts)))
	if err != nil {
		return nil, fmt.Errorf("person: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var m time.Time
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// PersonPosts returns the month and areas of every post of the accounts.
func (s *Store) PersonPosts(ctx context.Context, accounts [][2]string) ([]PostAreas, error) {
	rows, err := s.db.QueryContext(ctx, queries.MustGet("person_posts"), sql.Named("accounts", accountsJSON(accounts)))
	if err != nil {
		return nil, fmt.Errorf("person: %w", err)
	}
	defer rows.Close()
	var out []PostAreas
	for rows.Next() {
		var p PostAreas
		var areas []any
		if err := rows.Scan(&p.Month, &areas); err != nil {
			return nil, fmt.Errorf("person: %w", err)
		}
		for _, a := range areas {
			if s, ok := a.(string); ok {
				p.Areas = append(p.Areas, s)
			}
		}
		out = append(out, p)
	}
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
