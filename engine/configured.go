package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/calvinslist/calvin/config"
	"github.com/calvinslist/calvin/queries"
)

// Profiles are the scoring profiles of a configuration, or the built-in
// ones when cfg is nil.
func Profiles(cfg *config.Config) map[string]map[string]float64 {
	if cfg != nil {
		return cfg.Profiles
	}
	return config.DefaultProfiles()
}

// Configure gives a board a configuration's people, exclusions and
// sources; a nil cfg gives none.
func (b *Board) Configure(cfg *config.Config) {
	if cfg == nil {
		return
	}
	for _, s := range cfg.Sources {
		b.Declared = append(b.Declared, s.Name)
	}
	for _, p := range cfg.People {
		person := Person{Name: p.Name}
		for _, a := range p.Accounts {
			person.Accounts = append(person.Accounts, [2]string{a.Source, a.Author})
		}
		b.People = append(b.People, person)
	}
	for _, x := range cfg.Exclusions {
		ex := Exclusion{Domain: x.Domain, Name: x.Name, From: x.From, To: x.To, Reason: x.Reason}
		if x.Account != nil {
			ex.Source, ex.Author = x.Account.Source, x.Account.Author
		}
		b.Exclusions = append(b.Exclusions, ex)
	}
}

// SetArea gives a board one of the configuration's areas: its patterns.
func (b *Board) SetArea(cfg *config.Config, name string) error {
	if cfg == nil || cfg.Areas[name] == nil {
		return fmt.Errorf("no area %q: areas are defined in the configuration (--config)", name)
	}
	b.Areas, b.AreaName = cfg.Areas[name], name
	return nil
}

// ConfiguredBoards are the boards of month m a configuration names: every
// window, every profile, over every post and each area, with its people
// and exclusions (the built-in profiles alone when cfg is nil).
func ConfiguredBoards(cfg *config.Config, m time.Time, top int) []Board {
	profiles := Profiles(cfg)
	areas := []string{""}
	if cfg != nil {
		areas = append(areas, slices.Sorted(maps.Keys(cfg.Areas))...)
	}
	var boards []Board
	for _, w := range Windows {
		for _, name := range slices.Sorted(maps.Keys(profiles)) {
			for _, area := range areas {
				b := Board{Month: m, Window: w, Top: top, Profile: Profile{Name: name, Weights: profiles[name]}}
				b.Configure(cfg)
				if area != "" {
					b.SetArea(cfg, area) // one of the configuration's own
				}
				boards = append(boards, b)
			}
		}
	}
	return boards
}

// NotFound is the error of a name that finds nobody.
type NotFound struct{ Name string }

func (e *NotFound) Error() string { return fmt.Sprintf("nobody is called %q", e.Name) }

// UnknownSource is the error of a source the store holds nothing of.
type UnknownSource struct {
	Name  string
	Known []string // the sources it holds, in order
}

func (e *UnknownSource) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("unknown source %q: the database holds none yet (calvin ingest)", e.Name)
	}
	hint := ""
	if near := config.Nearest(e.Name, e.Known); near != "" {
		hint = fmt.Sprintf(": did you mean %s?", near)
	}
	return fmt.Sprintf("unknown source %q%s (the database holds %s)", e.Name, hint, strings.Join(e.Known, ", "))
}

// CheckSources returns an *UnknownSource for the first of sources that
// is not declared (a configuration's, which may have nothing stored yet)
// and that the store holds nothing of: no ingest ran for it and no pull
// stored any of it (both small tables, so that checking costs nothing at
// any size).
func (s *Store) CheckSources(ctx context.Context, declared []string, sources ...string) error {
	if len(sources) == 0 {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, "SELECT source FROM ingest_runs UNION SELECT source FROM pull_marks ORDER BY source")
	if err != nil {
		return err
	}
	defer rows.Close()
	var known []string
	for rows.Next() {
		var src string
		if err := rows.Scan(&src); err != nil {
			return err
		}
		known = append(known, src)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, src := range declared {
		if !slices.Contains(known, src) {
			known = append(known, src)
		}
	}
	slices.Sort(known)
	for _, src := range sources {
		if !slices.Contains(known, src) {
			return &UnknownSource{Name: src, Known: known}
		}
	}
	return nil
}

// Ambiguous is the error of a name that finds several people.
type Ambiguous struct {
	Name  string
	Found []Found
}

func (e *Ambiguous) Error() string {
	var keys []string
	for _, f := range e.Found {
		keys = append(keys, fmt.Sprintf("%s (%s)", f.Key, f.Name))
	}
	return fmt.Sprintf("%q finds %d people: %s; name one by its key", e.Name, len(e.Found), strings.Join(keys, ", "))
}

// FindPerson finds the one person a name names (see FindPeople), or says
// why not: a *NotFound or an *Ambiguous.
func (s *Store) FindPerson(ctx context.Context, name string, people []Person) (Found, error) {
	found, err := s.FindPeople(ctx, name, people)
	if err != nil {
		return Found{}, err
	}
	switch len(found) {
	case 0:
		return Found{}, &NotFound{Name: name}
	case 1:
		return found[0], nil
	}
	return Found{}, &Ambiguous{Name: name, Found: found}
}

// PersonMonth is one month of a person's history: their entry on that
// month's board (rank 0 when not ranked; Excluded says why when excluded)
// and their top area with its share of their posts.
type PersonMonth struct {
	Month   time.Time
	Entry   Entry
	TopArea string
	Share   float64
}

// History is a person's months with posts, each with their place on the
// month's board and their focus that month, and their focus over all
// their posts: the area (as for personFocus) holding most of them, its share,
// and how many posts there are.
type History struct {
	Months  []PersonMonth
	TopArea string
	Share   float64
	Posts   int
}

// History reads a person's history; board gives the profile, people and
// exclusions of each month's board, areas are as for personFocus.
func (s *Store) History(ctx context.Context, board Board, p Found, areas map[string][]string) (History, error) {
	var h History
	ranks, months, mine, err := s.monthRanks(ctx, board, p)
	if err != nil {
		return h, err
	}
	byMonth, err := s.personFocus(ctx, mine, areas)
	if err != nil {
		return h, err
	}
	all := focus{in: map[string]int{}}
	for _, m := range months {
		pm := PersonMonth{Month: m, Entry: ranks[m]}
		if f := byMonth[m]; f != nil {
			pm.TopArea, pm.Share = f.top()
			all.add(f)
		}
		h.Months = append(h.Months, pm)
	}
	h.TopArea, h.Share = all.top()
	h.Posts = all.posts
	return h, nil
}

// SourceStats is one stored source as the sources report gives it.
type SourceStats struct {
	Source, Platform    string
	Posts, Accounts     int64
	FirstPost, LastPost time.Time
	LastIngest          *time.Time // nil when no ingest of it has landed (a pull cut off)
	Runs                int64
}

// Sources reads every stored source (queries/reports/sources.sql).
func (s *Store) Sources(ctx context.Context) ([]SourceStats, error) {
	r, err := queries.GetReport("sources")
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, r.SQL)
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	defer rows.Close()
	var out []SourceStats
	for rows.Next() {
		var st SourceStats
		if err := rows.Scan(&st.Source, &st.Platform, &st.Posts, &st.Accounts, &st.FirstPost, &st.LastPost, &st.LastIngest, &st.Runs); err != nil {
			return nil, fmt.Errorf("sources: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
