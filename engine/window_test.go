package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calvinslist/calvin/ingest"
)

// monthlyRows returns monthly_metrics of a store, a line per account and
// month.
func monthlyRows(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.Query(`SELECT source, author, month, posts, comments, questions, answers, topics, received,
		accepted, reach, helped, first_responses, audience, active_days FROM monthly_metrics`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var source, author string
		var month time.Time
		var m Metrics
		if err := rows.Scan(&source, &author, &month, &m.Posts, &m.Comments, &m.Questions, &m.Answers, &m.Topics,
			&m.Received, &m.Accepted, &m.Reach, &m.Helped, &m.FirstResponses, &m.Audience, &m.ActiveDays); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %s %v", source, author, month.Format("2006-01"), m))
	}
	slices.Sort(out)
	return out
}

// areaRows returns area_metrics, a line per area, account and month as
// monthlyRows writes them, each area by its patterns.
func areaRows(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.Query(`SELECT c.patterns, k.source, k.author, m.month, posts, comments, questions, answers, topics, received,
		accepted, reach, helped, first_responses, audience, active_days
		FROM area_metrics AS m JOIN counted_areas AS c USING (area_id) JOIN account_keys AS k USING (author_key)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var patterns, source, author string
		var month time.Time
		var m Metrics
		if err := rows.Scan(&patterns, &source, &author, &month, &m.Posts, &m.Comments, &m.Questions, &m.Answers, &m.Topics,
			&m.Received, &m.Accepted, &m.Reach, &m.Helped, &m.FirstResponses, &m.Audience, &m.ActiveDays); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("area %s %s %s %s %v", patterns, source, author, month.Format("2006-01"), m))
	}
	slices.Sort(out)
	return out
}

// TestSpanMetricsAgree: the metrics over a span, counted from post_links
// (engine/span.go), are exactly those computed from the posts in SQL
// (window_metrics.sql), over every calendar month, every 90 days ending
// with a month, every area alone and all of them, for the fixtures of
// three platforms; and over every calendar month and every area, both are
// monthly_metrics (engine/metrics.go): three writings of the definitions
// that must not drift.
func TestSpanMetricsAgree(t *testing.T) {
	s := threePlatforms(t)
	checkSpans(t, s, 0)
}

// checkSpans compares, over every month with links or metrics (at most
// the last months of them, when not 0), the span counts with
// window_metrics.sql
// and, for whole months of every area, with monthly_metrics: in every
// area alone and all areas together, over each month and the 90 days
// ending with it.
func checkSpans(t *testing.T, s *Store, months int) {
	t.Helper()
	ctx := context.Background()
	names := map[int32]string{}
	rows, err := s.db.Query("SELECT author_key, source, author FROM account_keys")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k int32
		var source, author string
		if err := rows.Scan(&k, &source, &author); err != nil {
			t.Fatal(err)
		}
		names[k] = source + " " + author
	}
	rows.Close()
	all := column[time.Time](t, s.db, "SELECT month FROM post_links UNION SELECT month FROM monthly_metrics ORDER BY month")
	if months > 0 && len(all) > months {
		all = all[len(all)-months:]
	}
	areas := [][]string{nil, {"*"}}
	rows, err = s.db.Query("SELECT area FROM area_keys ORDER BY area")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		// GLOB's own characters matched as themselves.
		areas = append(areas, []string{strings.NewReplacer("*", "[*]", "?", "[?]", "[", "[[]").Replace(a)})
	}
	rows.Close()

	monthly := map[string]bool{}
	for _, r := range monthlyRows(t, s) {
		monthly[r] = true
	}
	line := func(key int32, month time.Time, m Metrics) string {
		return fmt.Sprintf("%s %s %v", names[key], month.Format("2006-01"), m)
	}
	conn, ar, err := s.arrowConn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	people, err := loadPeople(ctx, conn, ar, Board{})
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, month := range all {
		for _, window := range []string{"month", "90d"} {
			first, last, _ := Span(window, month)
			for _, area := range areas {
				sp := span{from: first, to: last.AddDate(0, 0, 1)}
				if area != nil {
					if sp.area, err = areaPosts(ctx, conn, ar, area); err != nil {
						t.Fatal(err)
					}
				}
				_, got, err := spanMetrics(ctx, ar, sp, people.nobody, len(people.person), true)
				if err != nil {
					t.Fatal(err)
				}
				ref, err := referenceSpan(ctx, s, "", sp.from, sp.to, area)
				if err != nil {
					t.Fatal(err)
				}
				var g, w []string
				for _, a := range got {
					g = append(g, line(a.author, month, a.m)+fmt.Sprintf(" %b", a.mask))
				}
				for _, a := range ref {
					w = append(w, line(a.Key, month, a.Metrics)+fmt.Sprintf(" %b", a.Mask))
				}
				slices.Sort(g)
				slices.Sort(w)
				if gs, ws := strings.Join(g, "\n"), strings.Join(w, "\n"); gs != ws {
					t.Errorf("%s %s %v: from post_links:\n%s\nfrom the posts (window_metrics.sql):\n%s", month.Format("2006-01"), window, area, gs, ws)
				}
				compared += len(g)
				if window != "month" || area != nil {
					continue
				}
				for _, a := range got {
					if l := line(a.author, month, a.m); !monthly[l] {
						t.Errorf("%s: not in monthly_metrics", l)
					}
					delete(monthly, line(a.author, month, a.m))
				}
			}
		}
	}
	// Each counted area's area_metrics, month by month, are the span
	// counts of the month in the area.
	areaMonthly := map[string]bool{}
	for _, r := range areaRows(t, s) {
		areaMonthly[r] = true
	}
	for _, patterns := range column[string](t, s.db, "SELECT patterns FROM counted_areas ORDER BY area_id") {
		var area []string
		if err := json.Unmarshal([]byte(patterns), &area); err != nil {
			t.Fatal(err)
		}
		posts, err := areaPosts(ctx, conn, ar, area)
		if err != nil {
			t.Fatal(err)
		}
		for _, month := range all {
			sp := span{from: month, to: month.AddDate(0, 1, 0), area: posts}
			_, got, err := spanMetrics(ctx, ar, sp, people.nobody, len(people.person), true)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range got {
				l := "area " + patterns + " " + line(a.author, month, a.m)
				if !areaMonthly[l] {
					t.Errorf("%s: not in area_metrics", l)
				}
				delete(areaMonthly, l)
				compared++
			}
		}
	}
	if months == 0 {
		for l := range monthly {
			t.Errorf("monthly_metrics has %s, the span counts do not", l)
		}
		for l := range areaMonthly {
			t.Errorf("area_metrics has %s, the span counts do not", l)
		}
	}
	if compared == 0 {
		t.Error("no rows compared")
	}
	t.Logf("%d months, %d areas: %d rows compared", len(all), len(areas)-1, compared)
}

// TestNinetyDays: the 90 days ending with June 2021 run from 2 April to
// 30 June. ann's topic of 1 April is outside; bo answers it on the 2nd of
// April and again on the 30th of June, both inside; cy's reply of 1 July
// is outside. ann received 2, bo sent 2 (calvin score 2 each); over the
// 90 days ann and bo reach one other each, where the quarter, summing its
// months, counts them twice. Active months: bo April and June (the run
// is 1); ann none in the 90 days, April in the quarter.
func TestNinetyDays(t *testing.T) {
	s, _ := newStore(t)
	at := func(m time.Month, d, h, min int) int64 {
		return time.Date(2021, m, d, h, min, 0, 0, time.UTC).UnixMicro()
	}
	post := func(id, parent, author string, ts int64) ingest.Post {
		p := ingest.Post{PostID: []byte(id), ThreadID: []byte("t1"), Kind: ingest.KindReply, Author: []byte(author), CreatedAt: ts}
		if parent == "" {
			p.Kind = ingest.KindTopic
		} else {
			p.ParentID = []byte(parent)
		}
		return p
	}
	src := posts{
		post("t1", "", "ann", at(4, 1, 12, 0)),
		post("r1", "t1", "bo", at(4, 2, 0, 0)),
		post("r2", "t1", "bo", at(6, 30, 23, 59)),
		post("r3", "r1", "cy", at(7, 1, 0, 0)),
	}
	if _, err := s.Ingest(context.Background(), src, ingest.Options{Source: "n"}); err != nil {
		t.Fatal(err)
	}
	june := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ window, by, want string }{
		{"90d", "score", "1 bo 2 (2/1); 1 ann 2 (0/0)"},
		{"90d", "reach", "1 bo 1 (2/1); 1 ann 1 (0/0)"},
		{"quarter", "reach", "1 bo 2 (2/1); 1 ann 2 (1/1)"},
	} {
		got := boardRuns(t, s, Board{Month: june, Window: tc.window, By: tc.by, Profile: calvinProfile})
		if got != tc.want {
			t.Errorf("%s by %s: %q, want %q", tc.window, tc.by, got, tc.want)
		}
	}
}

// boardRuns writes a board as "rank name value (active months/longest run)".
func boardRuns(t *testing.T, s *Store, b Board) string {
	t.Helper()
	entries, err := s.Leaderboard(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, fmt.Sprintf("%d %s %g (%d/%d)", e.Rank, e.Name, e.Value, e.ActiveMonths, e.LongestRun))
	}
	return strings.Join(out, "; ")
}

// TestAreaBoard: May 2021 of the Stack Exchange fixture in the area of
// the tag go (threads 10 and 20; 30 is sql, 40 meta), by hand: Alice
// sent Q10 and A13 and received A11, A12 and c3 (5); Bob sent A11 and
// Q20 and received A22, A21 and c1 (5); Carol sent A12 and A21 and
// received c4 (3); Dave only commented (0). In sql: Alice's A31 and Dave's
// Q30 (April), answered by it: 1 each.
func TestAreaBoard(t *testing.T) {
	s, _ := newStore(t)
	ingestDump(t, s, fixture)
	may := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		areas []string
		want  string
	}{
		{[]string{"go"}, "1 Alice 5 (1/1); 1 Bob 5 (1/1); 3 Carol & Co 3 (1/1)"},
		{[]string{"s?l", "nothing*"}, "1 Alice 1 (1/1); 1 Dave 1 (0/0)"},
	} {
		if got := boardRuns(t, s, Board{Month: may, Areas: tc.areas, Profile: calvinProfile}); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.areas, got, tc.want)
		}
	}
}

// TestAreasCountedLater: areas added to the configuration of a store
// whose sources are counted already are counted, in every source, by the
// next refresh of any one of them, here an ingest that only adds a post:
// area_metrics is then what counting them from the first ingest made, row
// for row, and the boards the same whether an area is counted ahead or
// month by month from the links. Then, with the areas' patterns
// reordered and one area renamed, nothing is counted again; a refresh
// without a configuration keeps both areas, one with a configuration
// that has only one of them drops the other, and its rows.
func TestAreasCountedLater(t *testing.T) {
	ctx := context.Background()
	want := areaRows(t, threePlatforms(t))
	if len(want) == 0 {
		t.Fatal("the fixtures have no area rows")
	}
	s, _ := newStore(t)
	ingestThreePlatforms(t, s)
	may := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	var before []string
	for _, window := range []string{"month", "quarter", "12m"} {
		before = append(before, boardRuns(t, s, Board{Month: may, Window: window, Areas: []string{"go"}, Profile: mvpProfile}))
	}
	if got := areaRows(t, s); len(got) != 0 {
		t.Fatalf("area rows without areas: %q", got)
	}
	s.areas = fixtureAreas()
	late := posts{{PostID: []byte("late"), ThreadID: []byte("late"), Kind: ingest.KindTopic, Author: []byte("zed"),
		CreatedAt: time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC).UnixMicro(), Areas: [][]byte{[]byte("elsewhere")}}}
	run, err := s.Ingest(ctx, late, ingest.Options{Source: "forum2"})
	if err != nil {
		t.Fatal(err)
	}
	got := areaRows(t, s)
	// The new post is in the area of every post.
	want = append(want, "area [\"*\"] forum2 zed 2021-07 {1 0 0 0 1 0 0 0 0 0 0 1}")
	slices.Sort(want)
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("areas counted later (%v):\n%s\nwant, as counted from the first ingest:\n%s", run.Refreshed, g, w)
	}
	for i, window := range []string{"month", "quarter", "12m"} {
		if got := boardRuns(t, s, Board{Month: may, Window: window, Areas: []string{"go"}, Profile: mvpProfile}); got != before[i] {
			t.Errorf("%s: counted ahead %q, from the links %q", window, got, before[i])
		}
	}
	s.areas = map[string][]string{"golang": {"go", "go"}, "everything": {"*"}}
	if _, err := s.Refresh(ctx, "forum2"); err != nil {
		t.Fatal(err)
	}
	if n := column[int64](t, s.db, "SELECT count(*) FROM counted_areas"); n[0] != 2 {
		t.Errorf("%d areas counted, want 2", n[0])
	}
	// Without a configuration, every counted area is kept; with one, an
	// area it no longer has is dropped, its rows with it.
	s.areas = nil
	if _, err := s.Refresh(ctx, "forum2"); err != nil {
		t.Fatal(err)
	}
	if n := column[int64](t, s.db, "SELECT count(*) FROM counted_areas"); n[0] != 2 {
		t.Errorf("without a configuration: %d areas counted, want 2", n[0])
	}
	s.areas = map[string][]string{"golang": {"go"}}
	if _, err := s.Refresh(ctx, "forum2"); err != nil {
		t.Fatal(err)
	}
	if got := column[string](t, s.db, `SELECT DISTINCT patterns FROM counted_areas
		UNION ALL SELECT DISTINCT 'rows of ' || c.patterns FROM area_metrics JOIN counted_areas AS c USING (area_id)
		UNION ALL SELECT 'rows of a dropped area' FROM area_metrics WHERE area_id NOT IN (SELECT area_id FROM counted_areas)
		ORDER BY 1`); strings.Join(got, "; ") != `["go"]; rows of ["go"]` {
		t.Errorf("after dropping an area: %q", got)
	}
}
