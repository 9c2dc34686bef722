package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/calvinslist/calvin/config"
	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/discourse"
	"github.com/calvinslist/calvin/ingest/mbox"
	"github.com/calvinslist/calvin/ingest/spool"
	"github.com/calvinslist/calvin/ingest/stackexchange"
)

// checkBoards ranks each board in Go (Leaderboard) and by the SQL
// reference (leaderboard.sql over board_months.sql or window_metrics.sql)
// and wants the same rows; it returns how many rows it compared.
func checkBoards(t *testing.T, s *Store, boards []Board) int {
	t.Helper()
	ctx := context.Background()
	rows := 0
	for _, b := range boards {
		got, err := s.Leaderboard(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		want, err := referenceBoard(ctx, s, b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) && (len(got) > 0 || len(want) > 0) {
			t.Errorf("%s: in Go\n%s\nin SQL (leaderboard.sql)\n%s", describe(b), entriesText(got), entriesText(want))
		}
		rows += len(want)
	}
	return rows
}

func describe(b Board) string {
	return fmt.Sprintf("%s %s %s by %q source %q area %v top %d also %v only %v excluded %v", b.Month.Format("2006-01"),
		b.Window, b.Profile.Name, b.By, b.Source, b.Areas, b.Top, b.Also, b.Only, b.ListExcluded)
}

func entriesText(es []Entry) string {
	out := ""
	for _, e := range es {
		out += fmt.Sprintf("  %+v\n", e)
	}
	return out
}

// boardsOf returns the boards of every window ending with each month of
// the store, under each profile, and ranked by two metrics under the
// first, with the excluded listed; and the same in each area, for the
// months with posts in it.
func boardsOf(t *testing.T, s *Store, base Board, profiles []Profile, areas [][]string) []Board {
	t.Helper()
	var out []Board
	for _, area := range append([][]string{nil}, areas...) {
		months := column[time.Time](t, s.db, `SELECT DISTINCT month FROM post_links
			WHERE $all OR areas_of IN (SELECT post_key FROM post_areas WHERE area_key IN (
				SELECT k.area_key FROM area_keys AS k, (SELECT unnest(from_json(CAST($patterns AS VARCHAR), '["VARCHAR"]')) AS g) AS pat
				WHERE k.area GLOB pat.g))
			ORDER BY month`, sql.Named("all", area == nil), sql.Named("patterns", listJSON(area)))
		for _, m := range months {
			for _, window := range Windows {
				for i, p := range profiles {
					b := base
					b.Month, b.Window, b.Areas, b.Profile, b.ListExcluded = m, window, area, p, true
					out = append(out, b)
					if i == 0 {
						for _, by := range []string{"reach", "first_responses"} {
							b.By = by
							out = append(out, b)
						}
					}
				}
			}
		}
	}
	return out
}

// threePlatforms returns a store of the fixtures of three platforms: the
// Stack Exchange dump (source t), the mail archive (mail) and the saved
// forum (forum).
// Two areas' months are counted ahead (area_metrics); TestBoardAgrees'
// third area is not, so that its boards are counted from the links.
func threePlatforms(t *testing.T) *Store {
	t.Helper()
	s, _ := newStore(t)
	s.areas = fixtureAreas()
	ingestThreePlatforms(t, s)
	return s
}

// fixtureAreas returns the areas threePlatforms counts ahead.
func fixtureAreas() map[string][]string {
	return map[string][]string{"go": {"go"}, "everything": {"*"}}
}

// ingestThreePlatforms ingests threePlatforms' fixtures into s, always in
// the same order (the posts' keys are the same from store to store).
func ingestThreePlatforms(t *testing.T, s *Store) {
	t.Helper()
	ingestDump(t, s, fixture)
	for _, src := range []struct {
		name string
		r    ingest.Source
	}{{"mail", mbox.New("testdata/jan2005.mbox")}, {"forum", discourse.NewDir("../ingest/discourse/testdata/forum")}} {
		if _, err := s.Ingest(context.Background(), src.r, ingest.Options{Source: src.name}); err != nil {
			t.Fatal(err)
		}
	}
}

// configuredBoard is a board of threePlatforms' with configured people
// (one of them across platforms) and exclusions: an account bounded in
// time, a domain, a pattern.
func configuredBoard() Board {
	return Board{
		People: []Person{{Name: "Alice Everywhere", Accounts: [][2]string{{"mail", "alice@example.org"}, {"t", "1"}}}},
		Exclusions: []Exclusion{
			{Source: "t", Author: "2", From: time.Date(2021, 5, 31, 0, 0, 0, 0, time.UTC), Reason: "employee"},
			{Domain: "example.com", Reason: "vendor"},
			{Name: "Carol*", Reason: "bot"},
		},
	}
}

var mvpProfile = Profile{Name: "mvp", Weights: map[string]float64{"posts": 1, "received": 1, "accepted": 3, "first_responses": 2, "helped": 1, "reach": 0.5, "audience": 0.001}}

// TestBoardAgrees: the boards ranked in Go are those of the SQL reference,
// row for row, on the fixtures of three platforms, with configured people
// (one of them across platforms), exclusions (an account, a domain, a
// pattern, one bounded in time), every window, every area, three
// rankings, one source, top 2 (ties at the cut), people asked for by key
// and only them.
func TestBoardAgrees(t *testing.T) {
	s := threePlatforms(t)
	base := configuredBoard()
	areas := [][]string{{"go"}, {"s?l", "nothing*"}, {"*"}}
	boards := boardsOf(t, s, base, []Profile{calvinProfile, mvpProfile}, areas)
	for _, b := range boards[:len(boards)/3] {
		b.Top, b.By = 2, ""
		b.Also = []string{"person:Alice Everywhere", "account:t/4", "mail:bob@example.org"}
		boards = append(boards, b)
		b.Only, b.Source = []string{"account:t/3", "person:Alice Everywhere"}, "t"
		boards = append(boards, b)
	}
	n := checkBoards(t, s, boards)
	if n < 100 {
		t.Errorf("only %d rows compared", n)
	}
	t.Logf("%d boards, %d rows compared", len(boards), n)
}

// TestSharedDataAgrees: on the real archives of ../shared/data (skipped
// where they are not), every board of the shipped configuration (every
// month, every window, every configured area in the months it has posts,
// with its people and exclusions, under its mvp profile) ranked in Go is
// the SQL reference's, row for row and metric for metric.
func TestSharedDataAgrees(t *testing.T) {
	const data = "../../shared/data/"
	if _, err := os.Stat(data); err != nil {
		t.Skip("no ../shared/data beside the repository")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	cfg, err := config.Load("../configs/calvin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newStore(t)
	s.areas = cfg.Areas // counted ahead, as calvin ingest counts them
	ctx := context.Background()
	for src, r := range map[string]ingest.Source{
		"alcohol.meta":    stackexchange.New("../demo/alcohol.meta.stackexchange.com"),
		"bicycles.meta":   stackexchange.New(data + "stackexchange/bicycles.meta.stackexchange.com"),
		"french.meta":     stackexchange.New(data + "stackexchange/french.meta.stackexchange.com.7z"),
		"linux-mips":      mbox.New(data + "mbox/linux-mips-2005.mbox"),
		"fetchmail-users": mbox.New(data + "pipermail/fetchmail-users"),
		"usenet":          spool.New(data + "usenet-spool"),
		"fdb":             discourse.NewDir(data + "discourse/foundationdb"),
	} {
		if _, err := s.Ingest(ctx, r, ingest.Options{Source: src}); err != nil {
			t.Fatal(src, err)
		}
	}
	var base Board
	base.Configure(cfg)
	var areas [][]string
	for _, name := range []string{"databases", "graphics", "mail", "mips", "windows"} {
		areas = append(areas, cfg.Areas[name])
	}
	// The mvp profile only (it weighs five metrics; every metric is
	// compared whatever the profile), ranked by score: the fixtures try
	// the rest.
	var boards []Board
	for _, b := range boardsOf(t, s, base, []Profile{{Name: "mvp", Weights: cfg.Profiles["mvp"]}}, areas) {
		if b.By == "" {
			boards = append(boards, b)
		}
	}
	n := checkBoards(t, s, boards)
	t.Logf("%d boards, %d rows compared", len(boards), n)
	t.Logf("%d account-months' focus compared", checkFocus(t, s, cfg.Areas, 300))
}

// TestHistoryRanks: a person's rank, score and metrics each month, as
// History finds them without ranking whole boards, are those of the
// month's board (Leaderboard, asked for that person only), for every
// person of the fixtures of three platforms, with configured people and
// exclusions, under two profiles and by a metric.
func TestHistoryRanks(t *testing.T) {
	s := threePlatforms(t)
	ctx := context.Background()
	if n := checkAccountMonths(t, s); n == 0 {
		t.Fatal("account_months is empty: the months it would hold are not tried")
	}
	base := configuredBoard()
	var everyone []string
	rows, err := s.db.Query("SELECT DISTINCT person FROM accounts UNION SELECT 'person:Alice Everywhere' ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		everyone = append(everyone, k)
	}
	rows.Close()
	compared := 0
	for _, b := range []Board{{Profile: calvinProfile}, {Profile: mvpProfile}, {Profile: calvinProfile, By: "reach"}} {
		b.People, b.Exclusions = base.People, base.Exclusions
		for _, key := range everyone {
			found, err := s.FindPerson(ctx, key, b.People)
			var nobody *NotFound
			if errors.As(err, &nobody) {
				continue // an automatic person the configuration names otherwise
			}
			if err != nil {
				t.Fatal(key, err)
			}
			got, months, _, err := s.monthRanks(ctx, b, found)
			if err != nil {
				t.Fatal(err)
			}
			if want := personMonths(t, s, found.Accounts); !slices.Equal(months, want) {
				t.Errorf("%s: months %v, want %v", key, months, want)
			}
			for _, m := range months {
				want := Entry{}
				mb := b
				mb.Month, mb.Only, mb.ListExcluded = m, []string{found.Key}, true
				entries, err := s.Leaderboard(ctx, mb)
				if err != nil {
					t.Fatal(err)
				}
				if len(entries) > 0 {
					want = entries[0]
				}
				g := got[m]
				if g.Rank != want.Rank || g.Score != want.Score || g.Value != want.Value || g.Metrics != want.Metrics || g.Excluded != want.Excluded {
					t.Errorf("%s %s %s by %q: history %d %g %g %+v %q, board %d %g %g %+v %q", key, m.Format("2006-01"), b.Profile.Name, b.By,
						g.Rank, g.Score, g.Value, g.Metrics, g.Excluded, want.Rank, want.Score, want.Value, want.Metrics, want.Excluded)
				}
				compared++
			}
		}
	}
	if compared < 30 {
		t.Errorf("only %d months compared", compared)
	}
	t.Logf("%d person-months compared", compared)
}

// TestHistoryFocus: a person's posts by area, month by month, counted
// ahead (area_metrics) are those counted from their links, for every
// account of three platforms; and by hand, Bob's May (A11, Q20, c2 and
// c4, all in go threads, Q20 and c4 in duckdb's too: engine's
// store_test) holds four posts, four in go, two in duckdb, four in
// everything.
func TestHistoryFocus(t *testing.T) {
	s := threePlatforms(t)
	ctx := context.Background()
	if n := checkFocus(t, s, fixtureAreas(), 0); n < 10 {
		t.Errorf("only %d account-months compared", n)
	}

	bob := column[int32](t, s.db, "SELECT author_key FROM account_keys WHERE source = 't' AND author = '2'")
	may := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	_, _, mine, err := s.monthRanks(ctx, Board{Profile: calvinProfile}, Found{Accounts: [][2]string{{"t", "2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(mine.keys, bob) || mine.posts[may] != 4 {
		t.Fatalf("Bob: keys %v (want %v), %d posts in May, want 4", mine.keys, bob, mine.posts[may])
	}
	for _, tc := range []struct {
		areas map[string][]string
		want  map[string]int
	}{
		{map[string][]string{"golang": {"go"}, "all": {"*"}}, map[string]int{"golang": 4, "all": 4}},   // counted ahead
		{map[string][]string{"golang": {"go"}, "db": {"duck*"}}, map[string]int{"golang": 4, "db": 2}}, // db is not: from the links
		{nil, map[string]int{"go": 4, "duckdb": 2}},                                                    // the posts' own tags
	} {
		byMonth, err := s.personFocus(ctx, mine, tc.areas)
		if err != nil {
			t.Fatal(err)
		}
		if f := byMonth[may]; f == nil || f.posts != 4 || !maps.Equal(f.in, tc.want) {
			t.Errorf("Bob's May by %v: %+v, want 4 posts, %v", tc.areas, f, tc.want)
		}
	}
}

// checkFocus holds, for each account of s with posts (the first limit by
// posts, or all when limit is 0), its posts by area month by month
// counted ahead (countedFocus) to those counted from its links
// (linkedFocus), for areas, all counted ahead; it returns the number of
// account-months compared.
func checkFocus(t *testing.T, s *Store, areas map[string][]string, limit int) int {
	t.Helper()
	ctx := context.Background()
	counted, err := s.countedIDs(ctx, areas)
	if err != nil || counted == nil {
		t.Fatalf("areas %v not counted ahead: %v", areas, err)
	}
	query := "SELECT author_key FROM monthly_metrics GROUP BY author_key HAVING sum(posts + comments) > 0 ORDER BY sum(posts + comments) DESC, author_key"
	if limit > 0 {
		query += " LIMIT " + strconv.Itoa(limit)
	}
	compared := 0
	for _, k := range column[int32](t, s.db, query) {
		months := column[time.Time](t, s.db, "SELECT month FROM monthly_metrics WHERE author_key = ? AND posts + comments > 0 ORDER BY month", k)
		posts := column[int64](t, s.db, "SELECT posts + comments FROM monthly_metrics WHERE author_key = ? AND posts + comments > 0 ORDER BY month", k)
		ahead, linked := map[time.Time]*focus{}, map[time.Time]*focus{}
		for i, m := range months {
			ahead[m] = &focus{posts: int(posts[i]), in: map[string]int{}}
			linked[m] = &focus{posts: int(posts[i]), in: map[string]int{}}
		}
		if err := s.countedFocus(ctx, ahead, []int32{k}, counted); err != nil {
			t.Fatal(err)
		}
		if err := s.linkedFocus(ctx, linked, []int32{k}, areas); err != nil {
			t.Fatal(err)
		}
		for _, m := range months {
			if !maps.Equal(ahead[m].in, linked[m].in) {
				t.Errorf("account %d, %s: counted ahead %v, from the links %v", k, m.Format("2006-01"), ahead[m].in, linked[m].in)
			}
			compared++
		}
	}
	// Every post counts in its author's posts or comments: the focus's
	// whole is monthly_metrics'.
	if n := column[int64](t, s.db, `SELECT count(*) FROM (
		(SELECT author_key, month, count(*) FROM post_links WHERE author_key IS NOT NULL GROUP BY ALL
		 EXCEPT SELECT author_key, month, posts + comments FROM monthly_metrics WHERE posts + comments > 0)
		UNION ALL
		(SELECT author_key, month, posts + comments FROM monthly_metrics WHERE posts + comments > 0
		 EXCEPT SELECT author_key, month, count(*) FROM post_links WHERE author_key IS NOT NULL GROUP BY ALL))`); n[0] != 0 {
		t.Errorf("%d account-months whose posts and comments are not their links", n[0])
	}
	return compared
}

// TestHistoryTies: a person about even with another by SQL's tolerance is
// above them or not by the engine's arithmetic, as on the board. With
// weights 0.1 a post and 0.3 a reply received, in May 2021 ann's three
// topics make 0.1 * 3 = 0.30000000000000004 and the reply bo received
// makes 0.3: ann is first and bo second, though within a millionth of a
// millionth of each other; cy's reply makes 0.1, third.
func TestHistoryTies(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	at := func(m time.Month, d int) int64 { return time.Date(2021, m, d, 12, 0, 0, 0, time.UTC).UnixMicro() }
	topic := func(id, author string, ts int64) ingest.Post {
		return ingest.Post{PostID: []byte(id), ThreadID: []byte(id), Kind: ingest.KindTopic, Author: []byte(author), CreatedAt: ts}
	}
	if _, err := s.Ingest(ctx, posts{
		topic("t1", "bo", at(4, 1)),
		topic("t2", "ann", at(5, 2)), topic("t3", "ann", at(5, 3)), topic("t4", "ann", at(5, 4)),
		{PostID: []byte("r1"), ThreadID: []byte("t1"), ParentID: []byte("t1"), Kind: ingest.KindReply, Author: []byte("cy"), CreatedAt: at(5, 5)},
	}, ingest.Options{Source: "t"}); err != nil {
		t.Fatal(err)
	}
	b := Board{Profile: Profile{Name: "ties", Weights: map[string]float64{"posts": 0.1, "received": 0.3}}}
	may := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	for name, want := range map[string]int{"ann": 1, "bo": 2, "cy": 3} {
		found, err := s.FindPerson(ctx, name, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, _, _, err := s.monthRanks(ctx, b, found)
		if err != nil {
			t.Fatal(err)
		}
		if got[may].Rank != want {
			t.Errorf("%s in May 2021: rank %d (value %v), want %d", name, got[may].Rank, got[may].Value, want)
		}
	}
}

// TestFindPeople: a name finds the people one of whose accounts it names
// (shown name or id), or whom it names by key or configured name, case
// aside; an automatic person the configuration names is found by its
// configured key only. On the fixtures of three platforms, with Alice
// Everywhere configured (mail alice@example.org and the dump's user 1).
func TestFindPeople(t *testing.T) {
	s := threePlatforms(t)
	people := configuredBoard().People
	alice := "person:Alice Everywhere (Alice Everywhere) [[mail alice@example.org] [t 1]]"
	for _, c := range []struct {
		name string
		want []string
	}{
		{"alice", []string{"account:forum/alice (Alice A) [[forum alice]]", alice}},
		{"Alice Everywhere", []string{alice}},
		{"PERSON:alice everywhere", []string{alice}},
		{"mail:alice@example.org", nil}, // configured: found as Alice Everywhere
		{"se:101", nil},
		{"MAIL:bob@example.org", []string{"mail:bob@example.org (Bob) [[mail bob@example.org]]"}},
		{"4", []string{"se:104 (Dave) [[t 4]]"}},
		{"carol & co", []string{"se:103 (Carol & Co) [[t 3]]"}},
		{"dave", []string{"account:forum/dave (Dave) [[forum dave]]", "mail:dave@example.org (Dave) [[mail dave@example.org]]", "se:104 (Dave) [[t 4]]"}},
		{"Zed", nil},
		{"%", nil}, // a name, not a pattern: no one is called that
		{"d_ve", nil},
		{`dave\`, nil},
	} {
		found, err := s.FindPeople(context.Background(), c.name, people)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range found {
			got = append(got, fmt.Sprintf("%s (%s) %v", f.Key, f.Name, f.Accounts))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q finds %q, want %q", c.name, got, c.want)
		}
	}
}

// personMonths returns the months in which accounts have metrics.
func personMonths(t *testing.T, s *Store, accounts [][2]string) []time.Time {
	t.Helper()
	var months []time.Time
	for _, a := range accounts {
		months = append(months, column[time.Time](t, s.db, "SELECT month FROM monthly_metrics WHERE source = ? AND author = ?", a[0], a[1])...)
	}
	slices.SortFunc(months, time.Time.Compare)
	return slices.Compact(months)
}

// TestExplainOthers: explain names the others as the boards do, by their
// accounts' latest names (bob wrote as Bob, then as Robert), and a deleted
// user by the name on the post.
func TestExplainOthers(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	at := func(d int) int64 { return time.Date(2021, 5, d, 12, 0, 0, 0, time.UTC).UnixMicro() }
	reply := func(id, parent, author, name string, d int) ingest.Post {
		p := ingest.Post{PostID: []byte(id), ThreadID: []byte("t1"), ParentID: []byte(parent), Kind: ingest.KindReply, AuthorName: []byte(name), CreatedAt: at(d)}
		if author != "" {
			p.Author = []byte(author)
		}
		return p
	}
	if _, err := s.Ingest(ctx, posts{
		{PostID: []byte("t1"), ThreadID: []byte("t1"), Kind: ingest.KindTopic, Author: []byte("ann"), AuthorName: []byte("Ann"), CreatedAt: at(1)},
		reply("r1", "t1", "bob", "Bob", 2),
		reply("r2", "t1", "bob", "Robert", 3),
		reply("r3", "t1", "", "Ghost", 4),
		reply("r4", "r2", "ann", "Ann", 5),
	}, ingest.Options{Source: "t"}); err != nil {
		t.Fatal(err)
	}
	whys, err := s.Explain(ctx, [][2]string{{"t", "ann"}}, time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range whys {
		got = append(got, w.Metric+" "+w.PostID+" "+w.Kind+" "+w.Other)
	}
	want := []string{"sent t1 topic ", "sent r4 reply Robert", "received r1 reply Robert", "received r2 reply Robert", "received r3 reply Ghost (deleted)"}
	if !slices.Equal(got, want) {
		t.Errorf("explain ann:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestExplainCounts: the posts explain lists for a person and a month are
// as many as the month's metrics say, metric by metric (sent: posts and
// comments), for every account of three platforms' fixtures and every
// month with their metrics.
func TestExplainCounts(t *testing.T) {
	s := threePlatforms(t)
	ctx := context.Background()
	rows, err := s.db.Query(`SELECT source, author, month, posts + comments, received, accepted, first_responses FROM monthly_metrics ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	compared := 0
	for rows.Next() {
		var source, author string
		var month time.Time
		var want [4]int
		if err := rows.Scan(&source, &author, &month, &want[0], &want[1], &want[2], &want[3]); err != nil {
			t.Fatal(err)
		}
		whys, err := s.Explain(ctx, [][2]string{{source, author}}, month, month.AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		var got [4]int
		for _, w := range whys {
			got[map[string]int{"sent": 0, "received": 1, "accepted": 2, "first_response": 3}[w.Metric]]++
		}
		if got != want {
			t.Errorf("%s/%s %s: explain lists %v (sent, received, accepted, first responses), the metrics say %v", source, author, month.Format("2006-01"), got, want)
		}
		compared++
	}
	if compared < 18 { // the fixtures' monthly_metrics rows
		t.Errorf("only %d account-months", compared)
	}
}
