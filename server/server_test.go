package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calvinslist/calvin/config"
	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/mbox"
)

// The fixture: a mailing list, source "list". In September 2026 Bob starts
// a thread (m5). In October Alice starts one (m1), Bob (m2) and Carol (m3)
// answer her, and she answers Bob (m4).
//
// October, calvin profile (posts sent + replies received):
//
//	Alice: sent m1, m4 = 2; received m2, m3 = 2; score 4, rank 1
//	Bob:   sent m2 = 1;     received m4 = 1;     score 2, rank 2
//	Carol: sent m3 = 1;     received 0;          score 1, rank 3
//
// September: Bob alone, score 1, rank 1. So October's movers: Alice new,
// Bob 1 -> 2 ("-1"), Carol new.
const fixture = `From alice@x.org Thu Oct  1 10:00:00 2026
From: Alice Doe <alice@x.org>
Message-ID: <m1@list>
Date: Thu, 01 Oct 2026 10:00:00 +0000
Subject: Hello

Hello.

From bob@y.org Fri Oct  2 10:00:00 2026
From: Bob Roe <bob@y.org>
Message-ID: <m2@list>
In-Reply-To: <m1@list>
Date: Fri, 02 Oct 2026 10:00:00 +0000
Subject: Re: Hello

Hi.

From carol@z.org Sat Oct  3 10:00:00 2026
From: Carol Poe <carol@z.org>
Message-ID: <m3@list>
In-Reply-To: <m1@list>
Date: Sat, 03 Oct 2026 10:00:00 +0000
Subject: Re: Hello

Hey.

From alice@x.org Sun Oct  4 10:00:00 2026
From: Alice Doe <alice@x.org>
Message-ID: <m4@list>
In-Reply-To: <m2@list>
Date: Sun, 04 Oct 2026 10:00:00 +0000
Subject: Re: Hello

Thanks.

From bob@y.org Thu Sep 10 10:00:00 2026
From: Bob Roe <bob@y.org>
Message-ID: <m5@list>
Date: Thu, 10 Sep 2026 10:00:00 +0000
Subject: Earlier

Earlier.

`

// october is the clock of the tests: the current month is October 2026,
// so the default month (the one before) is September.
var october = func() time.Time { return time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC) }

// newFixture stores the fixture in a new database and returns it open.
func newFixture(t testing.TB) *engine.Store {
	t.Helper()
	dir := t.TempDir()
	mb := filepath.Join(dir, "list.mbox")
	if err := os.WriteFile(mb, []byte(fixture), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := engine.Open(ctx, filepath.Join(dir, "calvin.duckdb"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.Ingest(ctx, mbox.New(mb), ingest.Options{Source: "list"}); err != nil {
		t.Fatal(err)
	}
	return store
}

const testConfig = `
sources:
  - name: list
    platform: mbox
    location: list.mbox
areas:
  hello: ["lists.*"]
server:
  top: 2
`

func testServer(t testing.TB, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "calvin.yaml"), []byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	if opts.Now == nil {
		opts.Now = october
	}
	opts.Log = quietLog()
	s := New(newFixture(t), cfg, opts)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

// get fetches path and decodes the envelope, checking the status code.
func get(t *testing.T, ts *httptest.Server, path string, code int, data any) envelope {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != code {
		t.Fatalf("GET %s: status %d, want %d: %s", path, resp.StatusCode, code, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	var env struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  any             `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, body)
	}
	if data != nil {
		if err := json.Unmarshal(env.Data, data); err != nil {
			t.Fatalf("GET %s: data: %v: %s", path, err, body)
		}
	}
	return envelope{Status: env.Status, Error: env.Error}
}

func TestLeaderboardAPI(t *testing.T) {
	_, ts := testServer(t, Options{})
	var b boardJSON
	env := get(t, ts, "/api/v1/leaderboard?month=2026-10&movers=true", 200, &b)
	if env.Status != "ok" || env.Error != nil {
		t.Fatalf("envelope %+v", env)
	}
	type row struct {
		rank            int
		name, change    string
		score           float64
		posts, received int64
	}
	want := []row{{1, "Alice Doe", "new", 4, 2, 2}, {2, "Bob Roe", "-1", 2, 1, 1}, {3, "Carol Poe", "new", 1, 1, 0}}
	if len(b.Entries) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(b.Entries), len(want), b.Entries)
	}
	for i, w := range want {
		e := b.Entries[i]
		got := row{e.Rank, e.Name, e.Change, e.Score, e.Metrics["posts"], e.Metrics["received"]}
		if got != w {
			t.Errorf("entry %d: %+v, want %+v", i, got, w)
		}
	}
	if b.From != "2026-10-01" || b.To != "2026-10-31" || b.Profile != "calvin" || b.Window != "month" {
		t.Errorf("board %+v", b)
	}
	if p := b.Entries[1].Previous; p == nil || *p != 1 {
		t.Errorf("Bob's previous rank %v, want 1", p)
	}
	if b.Entries[0].Person != "mail:alice@x.org" {
		t.Errorf("Alice's key %q", b.Entries[0].Person)
	}

	// The default month is the one before the clock's: September, Bob alone.
	get(t, ts, "/api/v1/leaderboard", 200, &b)
	if b.Month != "2026-09" || len(b.Entries) != 1 || b.Entries[0].Name != "Bob Roe" || b.Entries[0].Score != 1 {
		t.Errorf("default board: %+v", b)
	}
	// by one metric, top 1, one source; a quarter sums its months.
	get(t, ts, "/api/v1/leaderboard?month=2026-10&by=received&top=1&source=list", 200, &b)
	if len(b.Entries) != 1 || b.Entries[0].Name != "Alice Doe" || b.Entries[0].Value != 2 {
		t.Errorf("by received: %+v", b.Entries)
	}
	get(t, ts, "/api/v1/leaderboard?month=2026-10&window=quarter", 200, &b)
	// Q4 is October alone here; the quarter holding September is Q3.
	if len(b.Entries) != 3 || b.Entries[0].Score != 4 || b.From != "2026-10-01" {
		t.Errorf("quarter: %+v", b)
	}
	get(t, ts, "/api/v1/leaderboard?month=2026-10&window=12m", 200, &b)
	// Twelve months: Alice 4; Bob 2 in October + 1 in September = 3; Carol 1.
	if len(b.Entries) != 3 || b.Entries[1].Name != "Bob Roe" || b.Entries[1].Score != 3 || *b.Entries[1].ActiveMonths != 2 {
		t.Errorf("12m: %+v", b.Entries)
	}
}

// lateMail is a message that reaches the store after October was
// published: Dave answers Carol (m3) on 5 October.
const lateMail = `From dave@w.org Mon Oct  5 10:00:00 2026
From: Dave Doe <dave@w.org>
Message-ID: <m6@list>
In-Reply-To: <m3@list>
Date: Mon, 05 Oct 2026 10:00:00 +0000
Subject: Re: Hello

Late.

`

// TestPublishedAPI: October's boards published, then lateMail stored.
// The board reads as published (Alice 4, Bob 2, Carol 1, with the time);
// live, and with movers (which publishing does not keep), as the data
// stand: Carol sent 1 and received Dave's m6, score 2, equal with Bob;
// Dave sent 1, score 1, rank 4.
func TestPublishedAPI(t *testing.T) {
	s, ts := testServer(t, Options{})
	ctx := context.Background()
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.store.Publish(ctx, engine.ConfiguredBoards(s.cfg, oct, 10)); err != nil {
		t.Fatal(err)
	}
	late := filepath.Join(t.TempDir(), "late.mbox")
	if err := os.WriteFile(late, []byte(lateMail), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.Ingest(ctx, mbox.New(late), ingest.Options{Source: "list"}); err != nil {
		t.Fatal(err)
	}
	type row struct {
		rank  int
		name  string
		score float64
	}
	rows := func(b boardJSON) []row {
		var out []row
		for _, e := range b.Entries {
			out = append(out, row{e.Rank, e.Name, e.Score})
		}
		return out
	}
	published := []row{{1, "Alice Doe", 4}, {2, "Bob Roe", 2}, {3, "Carol Poe", 1}}
	live := []row{{1, "Alice Doe", 4}, {2, "Bob Roe", 2}, {2, "Carol Poe", 2}, {4, "Dave Doe", 1}}
	for _, c := range []struct {
		query     string
		want      []row
		published bool
	}{
		{"", published, true},
		{"&live=true", live, false},
		{"&movers=true", live, false},
	} {
		var b boardJSON
		get(t, ts, "/api/v1/leaderboard?month=2026-10"+c.query, 200, &b)
		if got := rows(b); !slices.Equal(got, c.want) {
			t.Errorf("board%s: %+v, want %+v", c.query, got, c.want)
		}
		if (b.PublishedAt != nil) != c.published {
			t.Errorf("board%s: published_at %v, want it set: %v", c.query, b.PublishedAt, c.published)
		}
	}
}

func TestBadParameters(t *testing.T) {
	_, ts := testServer(t, Options{})
	for _, c := range []struct{ path, want string }{
		{"/api/v1/leaderboard?month=2026-13", `month: want YYYY-MM, got "2026-13"`},
		{"/api/v1/leaderboard?window=week", `window: "week" is not one of month, quarter, 12m, 90d`},
		{"/api/v1/leaderboard?profile=gold", `profile: "gold" is not one of calvin, mvp`},
		{"/api/v1/leaderboard?by=likes", `by: "likes" is not one of score, posts`},
		{"/api/v1/leaderboard?top=0", `top: want a number from 1 to 1000, got "0"`},
		{"/api/v1/leaderboard?area=cooking", `area: no area "cooking"`},
		{"/api/v1/leaderboard?live=maybe", `live: want true or false, got "maybe"`},
		{"/api/v1/leaderboard?colour=red", `unknown parameter "colour"`},
		{"/api/v1/leaderboard?month=2026-10&month=2026-09", `parameter "month" given 2 times`},
		{"/api/v1/person", `name: required`},
		{"/api/v1/explain?name=alice@x.org", `month: required`},
		{"/api/v1/queries/history?source=list", `history needs parameter author`},
		{"/api/v1/queries/runs?colour=red", `runs takes no parameter "colour"`},
		{"/api/v1/queries/runs?limit=abc", `runs: parameter limit wants a whole number, got "abc"`},
		{"/api/v1/leaderboard?month=2026-10&source=nosuch", `unknown source "nosuch" (the database holds list)`},
		{"/api/v1/leaderboard?month=2026-10&source=" + strings.Repeat("x", 300), `parameter "source" is 300 bytes long: at most 256`},
		{"/api/v1/person?name=" + strings.Repeat("x", 300), `parameter "name" is 300 bytes long: at most 256`},
		{"/api/v1/queries/runs?source=" + strings.Repeat("x", 300), `parameter "source" is 300 bytes long: at most 256`},
		// Go's parser gives up past 10,000 parameters, and the request
		// would be answered for none: the query is too long first.
		{"/api/v1/leaderboard?month=2005-04&top=2" + strings.Repeat("&a=1", 10001), `the query is 40023 bytes long: at most 8192`},
		{"/api/v1/leaderboard?month=2005-04&top=%zz", `the query does not parse: invalid URL escape "%zz"`},
	} {
		env := get(t, ts, c.path, 400, nil)
		msg, _ := env.Error.(string)
		if env.Status != "error" || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %+v, want an error with %q", c.path, env, c.want)
		}
	}
	for _, path := range []string{"/api/v1/person?name=nobody", "/api/v1/queries/nothing", "/api/v1/nothing"} {
		if env := get(t, ts, path, 404, nil); env.Status != "error" {
			t.Errorf("%s: %+v", path, env)
		}
	}
}

func TestPersonExplainQueriesSources(t *testing.T) {
	_, ts := testServer(t, Options{})
	var p personJSON
	get(t, ts, "/api/v1/person?name=Bob%20Roe", 200, &p)
	// Bob: September rank 1 (score 1), October rank 2 (score 2).
	if p.Key != "mail:bob@y.org" || len(p.Months) != 2 ||
		p.Months[0].Month != "2026-09" || p.Months[0].Rank != 1 || p.Months[0].Score != 1 ||
		p.Months[1].Month != "2026-10" || p.Months[1].Rank != 2 || p.Months[1].Score != 2 {
		t.Errorf("person: %+v", p)
	}
	var x explainJSON
	get(t, ts, "/api/v1/explain?name=alice@x.org&month=2026-10", 200, &x)
	// Alice in October: sent m1 and m4, received m2 and m3; no first
	// response (m4 answers in her own thread) and nothing accepted.
	if x.Counts["sent"] != 2 || x.Counts["received"] != 2 || x.Counts["first_response"] != 0 || x.Counts["accepted"] != 0 || len(x.Posts) != 4 {
		t.Errorf("explain: %+v", x)
	}
	var reports []reportJSON
	get(t, ts, "/api/v1/queries", 200, &reports)
	if len(reports) == 0 {
		t.Fatal("no reports")
	}
	var q struct {
		Columns []string         `json:"columns"`
		Rows    []map[string]any `json:"rows"`
	}
	get(t, ts, "/api/v1/queries/history?source=list&author=bob@y.org", 200, &q)
	if len(q.Rows) != 2 {
		t.Errorf("history of Bob: %d rows, want his 2 months: %+v", len(q.Rows), q)
	}
	var srcs []sourceJSON
	get(t, ts, "/api/v1/sources", 200, &srcs)
	if len(srcs) != 1 || srcs[0].Name != "list" || !srcs[0].Declared || srcs[0].Posts != 5 || srcs[0].Runs != 1 {
		t.Errorf("sources: %+v", srcs)
	}
}

func TestToken(t *testing.T) {
	_, ts := testServer(t, Options{Token: "s3cret"})
	for _, c := range []struct {
		path   string
		header string
		code   int
	}{
		{"/api/v1/sources", "", 401},
		{"/api/v1/sources", "Bearer wrong", 401},
		{"/api/v1/sources", "Bearer s3cret", 200},
		{"/", "", 401},
		{"/", "Basic " + basic("anyone", "s3cret"), 200},
		{"/person?name=bob@y.org", "Basic " + basic("anyone", "nope"), 401},
		{"/metrics", "", 200},
	} {
		req, _ := http.NewRequest("GET", ts.URL+c.path, nil)
		if c.header != "" {
			req.Header.Set("Authorization", c.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("%s with %q: %d, want %d", c.path, c.header, resp.StatusCode, c.code)
		}
		if strings.Contains(string(body), "s3cret") {
			t.Errorf("%s: the answer holds the token", c.path)
		}
	}
}

func basic(user, password string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, password)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

// TestCacheBounded: the answers kept are bounded by bytes, the least
// recently used dropped first, one larger than the bound not kept; many
// distinct requests keep the server's cache under its bound.
func TestCacheBounded(t *testing.T) {
	c := newCache(100)
	c.put("a", make([]byte, 39)) // 40 bytes with its key
	c.put("b", make([]byte, 39))
	c.get("a")                   // b is now the least recently used
	c.put("c", make([]byte, 39)) // 120 > 100: b goes
	_, hasA := c.get("a")
	_, hasB := c.get("b")
	_, hasC := c.get("c")
	if !hasA || hasB || !hasC || c.bytes() != 80 {
		t.Errorf("a %v, b %v, c %v, %d bytes; want a and c, 80 bytes", hasA, hasB, hasC, c.bytes())
	}
	c.put("d", make([]byte, 200)) // larger than the bound
	if _, ok := c.get("d"); ok || c.bytes() != 80 {
		t.Errorf("an answer larger than the bound was kept (%d bytes)", c.bytes())
	}

	s, ts := testServer(t, Options{CacheBytes: 8 << 10})
	for i := range 60 {
		get(t, ts, fmt.Sprintf("/api/v1/leaderboard?month=%d-%02d", 2000+i/12, i%12+1), 200, nil)
		if n := s.cache.bytes(); n > 8<<10 {
			t.Fatalf("after %d boards the cache holds %d bytes, over its 8 KiB", i+1, n)
		}
	}
	if s.cache.bytes() == 0 {
		t.Error("nothing cached")
	}
}
