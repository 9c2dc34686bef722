package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/nntp/inntest"
)

// calvin runs the command in-process and returns its exit code and output.
func calvin(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return calvinEnv(t, nil, args...)
}

// calvinEnv is calvin with environment variables.
func calvinEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string // expected in stdout or stderr
	}{
		{nil, 2, "Usage:"},
		{[]string{"help"}, 0, "leaderboard"},
		{[]string{"nope"}, 2, `unknown command "nope"`},
		{[]string{"ingest", "--help"}, 0, "Usage: calvin ingest PLATFORM PATH"},
		{[]string{"leaderboard", "-h"}, 0, "-month YYYY-MM"},
		{[]string{"sql", "--help"}, 0, "read-only unless --write"},
		{[]string{"help", "sql"}, 0, "Usage: calvin sql"},
		{[]string{"refresh", "--help"}, 0, "Usage: calvin refresh [--source NAME]"},
		{[]string{"serve", "--help"}, 0, "Usage: calvin serve [--config FILE]"},
		{[]string{"serve", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"serve", "--config", "../../config/testdata/good.yaml"}, 1, "server.token_env names"},
		{[]string{"explain", "Bob"}, 2, "want --month YYYY-MM"},
		{[]string{"publish"}, 2, "want --month YYYY-MM"},
		{[]string{"ingest", "stackexchange", "x"}, 2, "--source is required"},
		{[]string{"ingest", "usenet", "x", "--source", "s"}, 2, `unknown platform "usenet"`},
		{[]string{"ingest", "stackexchange", "a", "b", "--source", "s"}, 2, "stackexchange reads one dump, got 2"},
		{[]string{"ingest", "mbox", "--source", "s"}, 2, "want a platform and a path, got 1 arguments"},
		{[]string{"ingest", "nntp", "ftp://h/g", "--source", "s"}, 2, "want a news://, nntp:// or nntps:// URL"},
		{[]string{"ingest", "nntp", "news://h", "--source", "s"}, 2, "no groups: add them after the server"},
		{[]string{"ingest", "nntp", "nntps://u:secret@h/g", "--source", "s"}, 2, "a password does not belong in the URL: set CALVIN_NNTP_PASSWORD"},
		{[]string{"ingest", "spool", "a", "b", "--source", "s"}, 2, "spool reads one folder, got 2"},
		{[]string{"ingest", "discourse", "a", "b", "--source", "s"}, 2, "discourse reads one forum or folder, got 2"},
		{[]string{"ingest", "csv", "posts.csv", "--source", "s"}, 2, "csv needs --mapping FILE"},
		{[]string{"ingest", "jsonl", "posts.jsonl", "--mapping", "../../configs/phpbb.yaml", "--source", "s"}, 2, "../../configs/phpbb.yaml says format csv, not jsonl"},
		{[]string{"ingest", "discourse", "https://key:secret@forum.example.org", "--source", "s"}, 2, "credentials do not belong in the URL"},
		{[]string{"leaderboard", "--by", "likes"}, 2, `unknown metric "likes"`},
		{[]string{"leaderboard", "--month", "May"}, 2, `bad --month "May"`},
		{[]string{"leaderboard", "--window", "week"}, 2, `unknown window "week": use one of month, quarter, 12m, 90d`},
		{[]string{"leaderboard", "--format", "xml"}, 2, `unknown format "xml"`},
		{[]string{"leaderboard", "--bogus"}, 2, "unknown flag --bogus\nRun 'calvin leaderboard --help' for usage."},
		{[]string{"leaderboard", "--sourc", "x"}, 2, "unknown flag --sourc: did you mean --source?"},
		{[]string{"leaderbord"}, 2, `unknown command "leaderbord": did you mean leaderboard?`},
		{[]string{"--version"}, 0, "calvin "},
		{[]string{"leaderboard", "--config"}, 2, "--config needs a file"},
		{[]string{"config", "check", "../../config/testdata/good.yaml", "--config", "../../configs/calvin.yaml"}, 1, "good.yaml"},
		{[]string{"leaderboard", "--db", "/nonexistent/x.duckdb"}, 1, "calvin: no database at /nonexistent/x.duckdb"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := calvin(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.out) {
				t.Errorf("exit %d, output:\n%s%s\nwant exit %d and %q", code, stdout, stderr, tt.code, tt.out)
			}
		})
	}
}

// TestHelpOnce: every command's --help prints its text once, to stdout;
// an unknown flag prints only its error and the pointer to --help.
func TestHelpOnce(t *testing.T) {
	for _, c := range commands() {
		code, stdout, stderr := calvin(t, c.name, "--help")
		if code != 0 || strings.Count(stdout, "Usage: calvin "+c.name) != 1 || strings.Count(stdout, "Flags:") > 1 || stderr != "" {
			t.Errorf("%s --help: exit %d, %d usages, stderr %q:\n%s", c.name, code, strings.Count(stdout, "Usage: calvin "+c.name), stderr, stdout)
		}
		code, stdout, stderr = calvin(t, c.name, "--no-such-flag")
		if want := "calvin " + c.name + ": unknown flag --no-such-flag\nRun 'calvin " + c.name + " --help' for usage.\n"; code != 2 || stdout != "" || stderr != want {
			t.Errorf("%s --no-such-flag: exit %d, stdout %q, stderr %q; want 2, nothing, %q", c.name, code, stdout, stderr, want)
		}
	}
}

// TestConfigAfterCommand: --config may follow the command, as it may
// precede it: the file's database is used either way.
func TestConfigAfterCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.duckdb")
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("database: c.duckdb\n"), 0o644)
	if code, _, stderr := calvin(t, "ingest", "stackexchange", "../../engine/testdata/may2021", "--source", "t", "--db", db); code != 0 {
		t.Fatal(stderr)
	}
	for _, args := range [][]string{
		{"--config", cfg, "sql", "SELECT count(*) AS n FROM posts"},
		{"sql", "SELECT count(*) AS n FROM posts", "--config", cfg},
		{"sql", "--config=" + cfg, "SELECT count(*) AS n FROM posts"},
	} {
		code, stdout, stderr := calvin(t, append(args, "--format", "csv")...)
		if code != 0 || stdout != "n\n17\n" {
			t.Errorf("%q: exit %d, %q %s; want the 17 posts of the file's database", args, code, stdout, stderr)
		}
	}
}

// TestTypos: a mistyped source, an input with nothing to read, a
// configuration naming files that are not there, a report's parameter
// of the wrong type, a write without --write: each an error in Calvin's
// words, never an empty success.
func TestTypos(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "calvin.duckdb")
	if code, _, stderr := calvin(t, "ingest", "stackexchange", "../../engine/testdata/may2021", "--source", "may", "--db", db); code != 0 {
		t.Fatal(stderr)
	}
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(readme, []byte("# Not mail\n\nJust text.\n"), 0o644)
	badCfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(badCfg, []byte("sources:\n  - name: list\n    platform: mbox\n    location: no-such.mbox\n"), 0o644)
	badMapping := filepath.Join(dir, "m.yaml")
	os.WriteFile(filepath.Join(dir, "f.csv"), []byte("a\n"), 0o644)
	os.WriteFile(badMapping, []byte("fields:\n  post_id: a\n  colour: b\n"), 0o644)
	mappingCfg := filepath.Join(dir, "m-c.yaml")
	os.WriteFile(mappingCfg, []byte("sources:\n  - name: f\n    platform: csv\n    location: f.csv\n    mapping: m.yaml\n"), 0o644)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"leaderboard", "--db", db, "--month", "2021-05", "--source", "nosuch"}, 1, `calvin: unknown source "nosuch" (the database holds may)`},
		{[]string{"leaderboard", "--db", db, "--month", "2021-05", "--source", "mya"}, 1, `unknown source "mya": did you mean may?`},
		{[]string{"refresh", "--db", db, "--source", "nosuch"}, 1, `calvin: unknown source "nosuch" (the database holds may)`},
		{[]string{"ingest", "mbox", readme, "--source", "x", "--db", db}, 1, "nothing readable"},
		{[]string{"config", "check", badCfg}, 1, badCfg + ":2: sources.list: location " + filepath.Join(dir, "no-such.mbox") + ": no such file or directory"},
		{[]string{"config", "check", mappingCfg}, 1, mappingCfg + ":2: sources.f: mapping: " + badMapping + ":3: fields.colour: unknown field"},
		{[]string{"query", "runs", "--db", db, "--param", "limit=abc"}, 2, `runs: parameter limit wants a whole number, got "abc"`},
		{[]string{"sql", "DELETE FROM posts", "--db", db}, 1, "DELETE is not a query that only reads: without --write, one SELECT or EXPLAIN runs: add --write to run it"},
		{[]string{"sql", "COPY posts TO '" + filepath.Join(dir, "x.csv") + "'", "--db", db}, 1, "COPY is not a query that only reads"},
	} {
		code, stdout, stderr := calvin(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, %s%s\nwant exit %d and %q", tt.args, code, stdout, stderr, tt.code, tt.want)
		}
	}
	// Nothing was stored by the README's ingest: one source, one run.
	code, stdout, _ := calvin(t, "sql", "SELECT count(DISTINCT source) AS s, count(*) AS r FROM ingest_runs", "--db", db, "--format", "csv")
	if code != 0 || stdout != "s,r\n1,1\n" {
		t.Errorf("after the typos: %q", stdout)
	}
}

// TestIngestMbox: the resent message of the fixture is dropped and said so.
func TestIngestMbox(t *testing.T) {
	db := filepath.Join(t.TempDir(), "calvin.duckdb")
	code, stdout, stderr := calvin(t, "ingest", "mbox", "../../engine/testdata/jan2005.mbox", "--source", "t", "--db", db)
	want := "t: read 6 posts, 6 new, 0 updated, 0 bad records skipped, 1 duplicates dropped, in "
	if code != 0 || !strings.HasPrefix(stdout, want) {
		t.Fatalf("ingest: exit %d\n%s%s\nwant %q", code, stdout, stderr, want)
	}
}

// TestIngestNNTP: calvin ingest nntp against a real INN that lets in only
// an authenticated user, over nntps: three articles of January 2024 in
// two groups, Bob's reply crossposted to both (stored once), then a pull
// with nothing new, then one more article. The password comes from the
// environment and never shows.
func TestIngestNNTP(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: []string{"calvin.test.a", "calvin.test.b"}, User: "calvin", Password: "pw-123", TLSPort: true})
	art := func(id, from, groups, date, refs string) []byte {
		a := "Path: test!not-for-mail\nFrom: " + from + "\nNewsgroups: " + groups + "\nSubject: Hello\nMessage-ID: <" + id + ">\nDate: " + date + "\n"
		if refs != "" {
			a += "References: " + refs + "\n"
		}
		return []byte(a + "\nbody\n")
	}
	srv.Post(
		art("t1@calvin.test", "Alice <alice@example.org>", "calvin.test.a", "Tue, 02 Jan 2024 10:00:00 GMT", ""),
		art("r1@calvin.test", "Bob <bob@example.org>", "calvin.test.a,calvin.test.b", "Tue, 02 Jan 2024 11:00:00 GMT", "<t1@calvin.test>"),
		art("r2@calvin.test", "Carol <carol@example.org>", "calvin.test.b", "Tue, 02 Jan 2024 12:00:00 GMT", "<t1@calvin.test> <r1@calvin.test>"),
	)
	db := filepath.Join(t.TempDir(), "calvin.duckdb")
	url := "nntps://calvin@" + srv.TLSAddr + "/calvin.test.*"
	ca := filepath.Join(srv.Dir, "etc", "cert.pem")
	env := map[string]string{"CALVIN_NNTP_PASSWORD": "pw-123"}

	code, stdout, stderr := calvin(t, "ingest", "nntp", url, "--source", "news", "--db", db, "--ca-file", ca)
	if code != 2 || !strings.Contains(stderr, "set CALVIN_NNTP_PASSWORD") {
		t.Errorf("no password: exit %d, %s", code, stderr)
	}
	want := "news: read 3 posts, 3 new, 0 updated, 0 bad records skipped, 1 duplicates dropped, in "
	code, stdout, stderr = calvinEnv(t, env, "ingest", "nntp", url, "--source", "news", "--db", db, "--ca-file", ca)
	if code != 0 || !strings.HasPrefix(stdout, want) || strings.Contains(stdout+stderr, "pw-123") {
		t.Fatalf("pull: exit %d\n%s%s\nwant %q", code, stdout, stderr, want)
	}
	code, stdout, stderr = calvinEnv(t, env, "ingest", "nntp", url, "--source", "news", "--db", db, "--ca-file", ca)
	if want := "news: read 0 posts, 0 new,"; code != 0 || !strings.HasPrefix(stdout, want) {
		t.Fatalf("pull with nothing new: exit %d\n%s%s\nwant %q", code, stdout, stderr, want)
	}
	srv.Post(art("r3@calvin.test", "Alice <alice@example.org>", "calvin.test.b", "Wed, 03 Jan 2024 09:00:00 GMT", "<t1@calvin.test> <r2@calvin.test>"))
	code, stdout, stderr = calvinEnv(t, env, "ingest", "nntp", url, "--source", "news", "--db", db, "--ca-file", ca)
	if want := "news: read 1 posts, 1 new,"; code != 0 || !strings.HasPrefix(stdout, want) {
		t.Fatalf("incremental pull: exit %d\n%s%s\nwant %q", code, stdout, stderr, want)
	}

	// received: Alice 1 (Bob's reply), Bob 1 (Carol's), Carol 1 (Alice's).
	code, stdout, _ = calvin(t, "sql", "--db", db, "SELECT string_agg(author || ' ' || received, ', ' ORDER BY author) AS r FROM monthly_metrics")
	if want := "r\nalice@example.org 1, bob@example.org 1, carol@example.org 1\n"; code != 0 || stdout != want {
		t.Errorf("received:\n%s\nwant:\n%s", stdout, want)
	}
	code, stdout, _ = calvin(t, "sql", "--db", db, "SELECT string_agg(grp || ' ' || last, ', ' ORDER BY grp) AS m FROM pull_marks")
	if want := "m\ncalvin.test.a 2, calvin.test.b 3\n"; code != 0 || stdout != want {
		t.Errorf("marks:\n%s\nwant:\n%s", stdout, want)
	}
}

// TestIngestDiscourse: calvin ingest discourse against a site replaying
// the saved topics of ingest/discourse/testdata/forum (see its tests):
// the key from the environment goes with every request; a second pull
// reads only the topic bumped at the mark (11), and stores nothing new.
func TestIngestDiscourse(t *testing.T) {
	dir := "../../ingest/discourse/testdata/forum"
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys = append(keys, r.Header.Get("Api-Key")+"/"+r.Header.Get("Api-Username"))
		switch r.URL.Path {
		case "/categories.json":
			http.ServeFile(w, r, dir+"/categories.json")
		case "/latest.json":
			w.Write([]byte(`{"topic_list": {"per_page": 30, "topics": [
				{"id": 11, "bumped_at": "2021-03-05T09:00:00.000Z"}, {"id": 10, "bumped_at": "2021-03-02T10:00:00.000Z"}]}}`))
		case "/t/10.json", "/t/11.json":
			http.ServeFile(w, r, dir+"/topics/"+strings.TrimPrefix(r.URL.Path, "/t/"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "calvin.duckdb")
	env := map[string]string{"CALVIN_DISCOURSE_API_KEY": "k-1", "CALVIN_DISCOURSE_API_USER": "system"}
	code, stdout, stderr := calvinEnv(t, env, "ingest", "discourse", srv.URL, "--source", "f", "--db", db)
	if want := "f: read 7 posts, 7 new, 0 updated, 0 bad records skipped, in "; code != 0 || !strings.HasPrefix(stdout, want) {
		t.Fatalf("pull: exit %d\n%s%s\nwant %q", code, stdout, stderr, want)
	}
	code, stdout, stderr = calvinEnv(t, env, "ingest", "discourse", srv.URL, "--source", "f", "--db", db)
	if want := "f: read 2 posts, 0 new, 0 updated,"; code != 0 || !strings.HasPrefix(stdout, want) {
		t.Fatalf("second pull: exit %d\n%s%s\nwant %q", code, stdout, stderr, want)
	}
	for _, k := range keys {
		if k != "k-1/system" {
			t.Fatalf("a request with Api-Key/Api-Username %q", k)
		}
	}
	// March 2021 (TestForumMetrics): bob 1 post + 1 received = 2, as alice
	// 2 + 1 = 3 and carol 2 + 2 = 4.
	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2021-03", "--format", "csv")
	if want := "rank,name,source,author,score"; code != 0 || !strings.HasPrefix(stdout, want) || !strings.Contains(stdout, "1,Carol,f,carol,4,") || !strings.Contains(stdout, "2,Alice A,f,alice,3,") || !strings.Contains(stdout, "3,bob,f,bob,2,") {
		t.Errorf("leaderboard:\n%s", stdout)
	}
}

// TestConfig: calvin --config FILE ingest reads every declared source into
// the file's database, or the one --source names; config check reports a
// good file and the line of a bad one's mistake.
func TestConfig(t *testing.T) {
	dir := t.TempDir()
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	cfg := filepath.Join(dir, "calvin.yaml")
	text := "database: test.duckdb\nsources:\n" +
		"  - {name: se, platform: stackexchange, location: " + abs("../../engine/testdata/may2021") + "}\n" +
		"  - {name: mail, platform: mbox, location: " + abs("../../engine/testdata/jan2005.mbox") + "}\n" +
		"  - {name: forum, platform: discourse, location: " + abs("../../ingest/discourse/testdata/forum") + "}\n" +
		"people:\n  - name: Alice Everywhere\n    accounts: [{source: mail, author: alice@example.org}, {source: se, author: \"1\"}]\n"
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := calvin(t, "--config", cfg, "ingest", "--quiet")
	for _, want := range []string{"se: read 17 posts, 17 new", "mail: read 6 posts, 6 new", "forum: read 7 posts, 7 new"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("ingest: exit %d, want %q in\n%s%s", code, want, stdout, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "test.duckdb")); err != nil {
		t.Errorf("the database is not where the file says: %v", err)
	}
	// The configured person: the SE fixture's Alice in May 2021 (6), the
	// mail fixture's in January 2005 (3 posts + 1 received).
	code, stdout, _ = calvin(t, "--config", cfg, "leaderboard", "--month", "2021-05", "--format", "csv")
	if got, want := csvBoard(t, stdout), "1 Alice Everywhere 6; 2 Bob 5; 3 Carol & Co 3; 4 Dave 2"; code != 0 || got != want {
		t.Errorf("person, May 2021: %s, want %s", got, want)
	}
	code, stdout, _ = calvin(t, "--config", cfg, "leaderboard", "--month", "2005-01", "--format", "csv", "--top", "1")
	if got, want := csvBoard(t, stdout), "1 Alice Everywhere 4"; code != 0 || got != want {
		t.Errorf("person, January 2005: %s, want %s", got, want)
	}

	// "Alice" finds the configured person (the SE and mail Alices) and the
	// forum's alice, another person; the key names one. Alice Everywhere's
	// months: January 2005 (mail, first with 4), May 2021 (SE, first with
	// 6), June 2021 (a comment only: no score, no rank).
	code, _, stderr = calvin(t, "--config", cfg, "person", "Alice")
	if want := `"Alice" finds 2 people: account:forum/alice (Alice A), person:Alice Everywhere (Alice Everywhere); name one by its key`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("person Alice: exit %d, %s", code, stderr)
	}
	code, stdout, _ = calvin(t, "--config", cfg, "person", "person:Alice Everywhere", "--format", "csv")
	var months []string
	recs, _ := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	for _, r := range recs[1:] {
		months = append(months, r[0]+" "+r[1]+" "+r[2])
	}
	if got, want := strings.Join(months, "; "), "2005-01 1 4; 2021-05 1 6; 2021-06  0"; code != 0 || got != want {
		t.Errorf("person by key: %q, want %q", got, want)
	}

	code, stdout, _ = calvin(t, "--config="+cfg, "ingest", "--source", "mail")
	if want := "mail: read 6 posts, 0 new, 0 updated"; code != 0 || !strings.HasPrefix(stdout, want) || strings.Contains(stdout, "se:") {
		t.Errorf("ingest --source mail: exit %d\n%s", code, stdout)
	}
	code, _, stderr = calvin(t, "--config", cfg, "ingest", "--source", "nope")
	if code != 2 || !strings.Contains(stderr, `declares no source named "nope"`) {
		t.Errorf("unknown source: exit %d, %s", code, stderr)
	}

	code, stdout, _ = calvin(t, "config", "check", cfg)
	if code != 0 || !strings.Contains(stdout, "sources:    3: se (stackexchange), mail (mbox), forum (discourse)") {
		t.Errorf("config check: exit %d\n%s", code, stdout)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("sources:\n  - name: x\n    platform: usenet\n"), 0o644)
	code, _, stderr = calvin(t, "config", "check", bad)
	if want := bad + `:3: sources.platform: "usenet" is not one of`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("config check of a bad file: exit %d, %s; want %q", code, stderr, want)
	}
	code, _, stderr = calvin(t, "--config", bad, "leaderboard")
	if code != 1 || !strings.Contains(stderr, bad+":3:") {
		t.Errorf("--config with a bad file: exit %d, %s", code, stderr)
	}
}

// csvBoard reads a CSV board as "rank name score; ...".
func csvBoard(t *testing.T, out string) string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("not a CSV board: %v\n%s", err, out)
	}
	var rows []string
	for _, r := range recs[1:] {
		rows = append(rows, r[0]+" "+r[1]+" "+r[4])
	}
	return strings.Join(rows, "; ")
}

// TestShippedConfig: configs/calvin.yaml ingests every source it declares
// from ../shared/data (beside the repository; the test is skipped where it
// is not), and each source has a board. The counts come from the files:
// alcohol.meta 94 questions + 141 answers + 367 comments; bicycles.meta
// 453 + 971 + 2,448; linux-mips 2,895 messages; fetchmail-users 3,504
// messages, 5 of them met twice; the spool's 1,000 articles; foundationdb
// 1,922 posts less 10 small actions; Forums-SM's 13 rows.
func TestShippedConfig(t *testing.T) {
	if _, err := os.Stat("../../../shared/data"); err != nil {
		t.Skip("no ../shared/data beside the repository")
	}
	db := filepath.Join(t.TempDir(), "calvin.duckdb")
	code, stdout, stderr := calvin(t, "--config", "../../configs/calvin.yaml", "ingest", "--db", db, "--quiet")
	if code != 0 {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"alcohol.meta: read 602 posts, 602 new", "bicycles.meta: read 3872 posts, 3872 new",
		"linux-mips: read 2895 posts, 2895 new", "fetchmail-users: read 3499 posts, 3499 new, 0 updated, 0 bad records skipped, 5 duplicates dropped",
		"usenet: read 1000 posts, 1000 new", "fdb: read 1912 posts, 1912 new", "cinder: read 13 posts, 13 new",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("want %q in\n%s", want, stdout)
		}
	}
	for source, month := range map[string]string{"alcohol.meta": "2014-01", "bicycles.meta": "2010-08", "linux-mips": "2005-03",
		"fetchmail-users": "2004-06", "usenet": "1993-04", "fdb": "2018-05", "cinder": "2013-03"} {
		code, stdout, _ := calvin(t, "--config", "../../configs/calvin.yaml", "leaderboard", "--db", db, "--source", source, "--month", month, "--profile", "mvp", "--format", "csv")
		if rows := strings.Count(stdout, "\n"); code != 0 || rows < 2 {
			t.Errorf("%s %s: exit %d, no board:\n%s", source, month, code, stdout)
		}
	}
}

// TestPeopleSuggest: two mail archives written for the test. Ann Lee
// writes as ann.lee@corp.example and, in the other, with a +tag: the same
// name and the same address but for the tag. Bo Chan has two addresses:
// the same name. cydee writes from two domains under two names: the same
// user name. Once the configuration makes Bo's accounts one person, Bo is
// not suggested again. Hamish writes as hamish_nospam@yahoo.com in one
// and hamish@yahoo.com in the other, Lou from fixit.nospammail.net and
// fixit.mail.net: kept as written (each may be real), suggested as one.
func TestPeopleSuggest(t *testing.T) {
	dir := t.TempDir()
	msg := func(from, id, date string) string {
		return "From x@y Sat Jan  1 10:00:00 2005\nFrom: " + from + "\nDate: " + date + "\nSubject: s\nMessage-ID: <" + id + ">\n\nbody\n\n"
	}
	list1 := msg("Ann Lee <ann.lee@corp.example>", "a1@t", "Sat, 1 Jan 2005 10:00:00 +0000") +
		msg("Bo Chan <bchan@a.example>", "b1@t", "Sat, 1 Jan 2005 11:00:00 +0000") +
		msg("Cy Dee <cydee@x.example>", "c1@t", "Sat, 1 Jan 2005 12:00:00 +0000") +
		msg("H <hamish_nospam@yahoo.com>", "h1@t", "Sat, 1 Jan 2005 13:00:00 +0000") +
		msg("L <lou.openocd012@fixit.nospammail.net>", "l1@t", "Sat, 1 Jan 2005 14:00:00 +0000")
	list2 := msg("Ann Lee <ann.lee+lists@corp.example>", "a2@t", "Sun, 2 Jan 2005 10:00:00 +0000") +
		msg("Bo Chan <bo@b.example>", "b2@t", "Sun, 2 Jan 2005 11:00:00 +0000") +
		msg("Someone <cydee@y.example>", "c2@t", "Sun, 2 Jan 2005 12:00:00 +0000") +
		msg("Hm <hamish@yahoo.com>", "h2@t", "Sun, 2 Jan 2005 13:00:00 +0000") +
		msg("Lu <lou.openocd012@fixit.mail.net>", "l2@t", "Sun, 2 Jan 2005 14:00:00 +0000")
	db := filepath.Join(dir, "calvin.duckdb")
	for name, text := range map[string]string{"list1": list1, "list2": list2} {
		path := filepath.Join(dir, name+".mbox")
		os.WriteFile(path, []byte(text), 0o644)
		if code, stdout, stderr := calvin(t, "ingest", "mbox", path, "--source", name, "--db", db); code != 0 {
			t.Fatalf("ingest %s: %s%s", name, stdout, stderr)
		}
	}
	suggest := func(args ...string) string {
		code, stdout, stderr := calvin(t, append(args, "people", "suggest", "--db", db, "--format", "csv")...)
		if code != 0 {
			t.Fatalf("people suggest: exit %d, %s", code, stderr)
		}
		recs, _ := csv.NewReader(strings.NewReader(stdout)).ReadAll()
		var out []string
		for _, r := range recs[1:] {
			out = append(out, r[0]+" | "+r[2]+" | "+r[6])
		}
		return strings.Join(out, "\n")
	}
	want := `same name "Ann Lee"; the same address but for a +tag | ann.lee+lists@corp.example | ann.lee@corp.example
the address lou.openocd012@fixit.nospammail.net is lou.openocd012@fixit.mail.net with an anti-spam marker; the same user name at fixit.mail.net and fixit.nospammail.net | lou.openocd012@fixit.mail.net | lou.openocd012@fixit.nospammail.net
same name "Bo Chan" | bchan@a.example | bo@b.example
the same user name at x.example and y.example | cydee@x.example | cydee@y.example
the address hamish_nospam@yahoo.com is hamish@yahoo.com with an anti-spam marker | hamish@yahoo.com | hamish_nospam@yahoo.com`
	if got := suggest(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("people:\n  - name: Bo Chan\n    accounts: [{source: list1, author: bchan@a.example}, {source: list2, author: bo@b.example}]\n"), 0o644)
	want = `same name "Ann Lee"; the same address but for a +tag | ann.lee+lists@corp.example | ann.lee@corp.example
the address lou.openocd012@fixit.nospammail.net is lou.openocd012@fixit.mail.net with an anti-spam marker; the same user name at fixit.mail.net and fixit.nospammail.net | lou.openocd012@fixit.mail.net | lou.openocd012@fixit.nospammail.net
the same user name at x.example and y.example | cydee@x.example | cydee@y.example
the address hamish_nospam@yahoo.com is hamish@yahoo.com with an anti-spam marker | hamish@yahoo.com | hamish_nospam@yahoo.com`
	if got := suggest("--config", cfg); got != want {
		t.Errorf("with Bo merged: got\n%s\nwant\n%s", got, want)
	}
}

// TestPublish: January 2005 of the mail fixture published (engine's
// TestPublishAndDiff works the numbers out), then a late message stored:
// the board reads as published, --live as it stands, and published --diff
// says what changed and why.
func TestPublish(t *testing.T) {
	db := filepath.Join(t.TempDir(), "calvin.duckdb")
	if code, _, stderr := calvin(t, "ingest", "mbox", "../../engine/testdata/jan2005.mbox", "--source", "list1", "--db", db); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := calvin(t, "publish", "--month", "2005-01", "--db", db)
	if code != 0 || !strings.HasPrefix(stdout, "Published 8 boards of 2005-01 at ") || !strings.HasSuffix(stdout, "UTC: month/calvin, month/mvp, quarter/calvin, quarter/mvp, 12m/calvin, 12m/mvp, 90d/calvin, 90d/mvp\n") {
		t.Fatalf("publish: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := calvin(t, "ingest", "mbox", "../../engine/testdata/jan2005.mbox", "../../engine/testdata/jan2005-late.mbox", "--source", "list1", "--db", db); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2005-01", "--format", "csv")
	if got, want := csvBoard(t, stdout), "1 Alice 4; 2 Bob 2; 2 Carol 2; 4 Dave 1"; code != 0 || got != want {
		t.Errorf("published board: %s, want %s", got, want)
	}
	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2005-01")
	if code != 0 || !strings.Contains(stdout, "\nAs published ") {
		t.Errorf("a published board says so:\n%s", stdout)
	}
	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2005-01", "--format", "csv", "--live")
	if got, want := csvBoard(t, stdout), "1 Alice 4; 2 Bob 3; 3 Dave 2; 3 Carol 2"; code != 0 || got != want {
		t.Errorf("live board: %s, want %s", got, want)
	}
	code, stdout, _ = calvin(t, "published", "--db", db, "--month", "2005-01", "--window", "month", "--profile", "calvin", "--diff", "--format", "csv")
	want := "window,profile,area,name,then,then_value,now,now_value,cause\n" +
		"month,calvin,,Bob,2,2,2,3,\"late data: received 1→2, reach 2→3\"\n" +
		"month,calvin,,Carol,2,2,3,2,others moved\n" +
		"month,calvin,,Dave,4,1,3,2,\"late data: posts 1→2, reach 0→1, helped 0→1, active_days 1→2\"\n"
	if code != 0 || stdout != want {
		t.Errorf("published --diff:\n%s\nwant\n%s", stdout, want)
	}
	code, stdout, _ = calvin(t, "published", "--db", db, "--month", "2005-01")
	if code != 0 || strings.Count(stdout, "\n") != 9 {
		t.Errorf("published: eight boards and a header:\n%s", stdout)
	}
	code, stdout, _ = calvin(t, "published", "--db", db, "--month", "2004-12")
	if code != 0 || stdout != "Nothing published for 2004-12.\n" {
		t.Errorf("nothing published: %q", stdout)
	}
}

func TestIngestAndLeaderboard(t *testing.T) {
	db := filepath.Join(t.TempDir(), "calvin.duckdb")
	dump := "../../engine/testdata/may2021"
	code, stdout, stderr := calvin(t, "ingest", "stackexchange", dump, "--source", "t", "--db", db)
	if code != 0 || !strings.HasPrefix(stdout, "t: read 17 posts, 17 new, 0 updated, 0 bad records skipped") {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	// The summary names each phase with its own time: a dump's posts come
	// with their threads (no threads phase).
	if !regexp.MustCompile(`, in [0-9.]+m?s \(read and store posts [0-9.]+m?s, link posts [0-9.]+m?s, accounts [0-9.]+m?s, monthly metrics [0-9.]+m?s, commit [0-9.]+m?s\)\n$`).MatchString(stdout) {
		t.Errorf("ingest's summary: %q", stdout)
	}

	// The May 2021 board of the engine's fixture (see engine/store_test.go):
	// Alice 6, Bob 5, Carol & Co 3, Dave 2.
	code, stdout, stderr = calvin(t, "leaderboard", "--db", db, "--month", "2021-05", "--format", "csv")
	if code != 0 {
		t.Fatalf("leaderboard: exit %d\n%s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs[1:] {
		got = append(got, r[0]+" "+r[1]+" "+r[4])
	}
	if want := "1 Alice 6; 2 Bob 5; 3 Carol & Co 3; 4 Dave 2"; strings.Join(got, "; ") != want || recs[0][4] != "score" {
		t.Errorf("csv: header %v, rows %q; want %s", recs[0], got, want)
	}

	// The read commands take DuckDB's cap: a small one gives the same
	// board, a wrong one an error that says which setting.
	code, stdout2, _ := calvin(t, "leaderboard", "--db", db, "--month", "2021-05", "--format", "csv", "--memory-limit", "64MB")
	if code != 0 || stdout2 != stdout {
		t.Errorf("--memory-limit 64MB: exit %d\n%s\nwant\n%s", code, stdout2, stdout)
	}
	for _, cmd := range [][]string{{"leaderboard", "--month", "2021-05"}, {"person", "Alice"}, {"explain", "Alice", "--month", "2021-05"}} {
		code, _, stderr = calvin(t, append(cmd, "--db", db, "--memory-limit", "lots")...)
		if code != 1 || !strings.Contains(stderr, "memory limit") {
			t.Errorf("%s --memory-limit lots: exit %d, %q; want an error naming the memory limit", cmd[0], code, stderr)
		}
	}

	// The mvp profile: posts + received + 3 accepted + 2 first responses
	// + helped. Alice 3+3+0+2+1 = 9, Bob 2+3+0+2+1 = 8, Carol 2+1+3+0+2
	// = 8, Dave 1+1+0+2+1 = 5 (engine/store_test.go's May metrics: the
	// Community user Dave answered is nobody, not someone helped).
	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2021-05", "--format", "csv", "--profile", "mvp")
	if got, want := csvBoard(t, stdout), "1 Alice 9; 2 Bob 8; 2 Carol & Co 8; 4 Dave 5"; code != 0 || got != want {
		t.Errorf("mvp: %s, want %s", got, want)
	}
	// A profile of the configuration's: answers alone. Alice 2 and Carol
	// 2 (Alice first, with more posts), Bob 1 and Dave 1.
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfg, []byte("profiles:\n  answers_only:\n    answers: 1\n"), 0o644)
	code, stdout, _ = calvin(t, "--config", cfg, "leaderboard", "--db", db, "--month", "2021-05", "--format", "csv", "--profile", "answers_only")
	if got, want := csvBoard(t, stdout), "1 Alice 2; 1 Carol & Co 2; 3 Bob 1; 3 Dave 1"; code != 0 || got != want {
		t.Errorf("answers_only: %s, want %s", got, want)
	}
	if code, _, stderr := calvin(t, "leaderboard", "--db", db, "--profile", "answers_only"); code != 2 || !strings.Contains(stderr, `unknown profile "answers_only": use one of calvin, mvp`) {
		t.Errorf("a profile without its configuration: exit %d, %s", code, stderr)
	}

	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2021-05", "--format", "json", "--by", "received", "--top", "2")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); code != 0 || err != nil {
		t.Fatalf("json: exit %d, %v\n%s", code, err, stdout)
	}
	if len(rows) != 2 || rows[0]["name"] != "Alice" || rows[1]["name"] != "Bob" || rows[1]["rank"] != 1.0 || rows[1]["received"] != 3.0 {
		t.Errorf("json by received: %v; want Alice and Bob sharing rank 1 with 3 received", rows)
	}

	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2021-05", "--format", "markdown", "--top", "1")
	if want := "| 1 | Alice | 6 | 3 |"; code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("markdown:\n%s\nwant a row starting %s", stdout, want)
	}

	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2030-01")
	if want := "No contributors in 2030-01. The latest month with posts is 2021-06."; code != 0 || strings.TrimSpace(stdout) != want {
		t.Errorf("empty month: %q, want %q", stdout, want)
	}

	// The second quarter (engine's TestWindows): the months' sums.
	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2021-06", "--window", "quarter", "--format", "csv")
	if got, want := csvBoard(t, stdout), "1 Alice 6; 2 Bob 5; 3 Carol & Co 3; 3 Dave 3; 5 Erin 2"; code != 0 || got != want || !strings.HasSuffix(strings.SplitN(stdout, "\n", 2)[0], ",active_months,longest_run") {
		t.Errorf("quarter: %s, want %s\n%s", got, want, stdout)
	}

	// The 90 days to June 30 hold Dave's Q30 of April 30 and all of May
	// and June: the quarter's board. The area of the tag go in May
	// (engine's TestAreaBoard): Alice 5, Bob 5, Carol 3.
	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2021-06", "--window", "90d", "--format", "csv")
	if got, want := csvBoard(t, stdout), "1 Alice 6; 2 Bob 5; 3 Carol & Co 3; 3 Dave 3; 5 Erin 2"; code != 0 || got != want {
		t.Errorf("90d: %s, want %s", got, want)
	}
	areaCfg := filepath.Join(t.TempDir(), "a.yaml")
	os.WriteFile(areaCfg, []byte("areas:\n  golang: [go]\n"), 0o644)
	code, stdout, _ = calvin(t, "--config", areaCfg, "leaderboard", "--db", db, "--month", "2021-05", "--area", "golang", "--format", "csv")
	if got, want := csvBoard(t, stdout), "1 Alice 5; 1 Bob 5; 3 Carol & Co 3"; code != 0 || got != want {
		t.Errorf("area: %s, want %s", got, want)
	}
	if code, _, stderr := calvin(t, "leaderboard", "--db", db, "--area", "golang"); code != 2 || !strings.Contains(stderr, `no area "golang": areas are defined in the configuration`) {
		t.Errorf("area without a configuration: exit %d, %s", code, stderr)
	}

	// The configuration's exclusions: Bob (staff) is off May's board and
	// listed apart with --excluded; the others close ranks.
	exCfg := filepath.Join(t.TempDir(), "x.yaml")
	os.WriteFile(exCfg, []byte("exclusions:\n  - account: {source: t, author: \"2\"}\n    reason: staff\n"), 0o644)
	code, stdout, _ = calvin(t, "--config", exCfg, "leaderboard", "--db", db, "--month", "2021-05", "--format", "csv")
	if got, want := csvBoard(t, stdout), "1 Alice 6; 2 Carol & Co 3; 3 Dave 2"; code != 0 || got != want {
		t.Errorf("excluded: %s, want %s", got, want)
	}
	code, stdout, _ = calvin(t, "--config", exCfg, "leaderboard", "--db", db, "--month", "2021-05", "--excluded")
	if want := "\nNot ranked, excluded in 2021-05:\n\nname  reason  score\nBob   staff       5\n"; code != 0 || !strings.HasSuffix(stdout, want) {
		t.Errorf("--excluded:\n%s\nwant it to end %q", stdout, want)
	}

	// Movers. April's board is Dave alone (Q30: 1); in May he is fourth
	// (-3) and the other three are new. June's board is Erin alone (Q60
	// and Alice's comment on it: 2): May's four are out of the top.
	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2021-05", "--movers", "--format", "csv")
	var moved []string
	recs, _ = csv.NewReader(strings.NewReader(stdout)).ReadAll()
	for _, r := range recs {
		moved = append(moved, strings.Join(r[:4], " "))
	}
	if want := "rank previous change name; 1  new Alice; 2  new Bob; 3  new Carol & Co; 4 1 -3 Dave"; code != 0 || strings.Join(moved, "; ") != want {
		t.Errorf("movers May: %q, want %q", strings.Join(moved, "; "), want)
	}
	code, stdout, _ = calvin(t, "leaderboard", "--db", db, "--month", "2021-06", "--movers")
	if want := "\nOut of the top 10 since 2021-05: Alice (1, not ranked), Bob (2, not ranked), Carol & Co (3, not ranked), Dave (4, not ranked)\n"; code != 0 || !strings.HasSuffix(stdout, want) || !strings.HasPrefix(strings.Join(strings.Fields(strings.Split(stdout, "\n")[1]), " "), "1 new Erin 2") {
		t.Errorf("movers June:\n%s\nwant Erin new, and ending %q", stdout, want)
	}

	// Bob, month by month (engine/store_test.go's metrics): second in May
	// with 2 posts and 3 received; in June only A11's acceptance, no rank.
	// His May posts (A11, Q20, c2, c4) are all in go threads, two in
	// duckdb's too: go, 100%. June has no post of his.
	code, stdout, stderr = calvin(t, "person", "Bob", "--db", db, "--format", "csv")
	if want := "month,rank,score,posts,comments,received,accepted,reach,helped,first_responses,active_days,top_area,focus\n" +
		"2021-05,2,5,2,2,3,0,2,1,1,3,go,100%\n2021-06,,0,0,0,0,1,0,0,0,0,,\n"; code != 0 || stdout != want {
		t.Errorf("person Bob: exit %d\n%s%s\nwant\n%s", code, stdout, stderr, want)
	}
	// The posts behind Bob's May: 2 posts and 2 comments sent, 3 received
	// (A22 by the deleted user, A21, c1), none accepted (A11's vote is in
	// June), the first response to Q10; he replied to or was replied to by
	// Alice and Carol (c2 answers himself).
	code, stdout, _ = calvin(t, "explain", "Bob", "--month", "2021-05", "--db", db)
	if want := "\nsent 4, received 3, accepted 0, first responses 1; others replied to or by: Alice, Carol & Co\n"; code != 0 || !strings.HasSuffix(stdout, want) {
		t.Errorf("explain Bob:\n%s\nwant it to end %q", stdout, want)
	}
	if code, _, stderr := calvin(t, "person", "Zed", "--db", db); code != 1 || !strings.Contains(stderr, `nobody is called "Zed"`) {
		t.Errorf("person Zed: exit %d, %s", code, stderr)
	}

	// Named reports. Bob's history (engine/store_test.go): May, second by
	// the calvin score (2 posts + 3 received, after Alice's 6); June, only
	// A11's acceptance: no score, no rank.
	code, stdout, stderr = calvin(t, "query", "history", "--db", db, "--param", "source=t", "--param", "author=2", "--format", "csv")
	if want := "month,calvin_rank,calvin_score,posts,comments,received,accepted,reach,helped,first_responses,active_days\n" +
		"2021-05,2,5,2,2,3,0,2,1,1,3\n2021-06,,0,0,0,0,1,0,0,0,0\n"; code != 0 || stdout != want {
		t.Errorf("query history: exit %d\n%s%s\nwant\n%s", code, stdout, stderr, want)
	}
	code, stdout, _ = calvin(t, "query", "--list")
	if code != 0 || !strings.Contains(stdout, "runs\n    the latest ingests") || !strings.Contains(stdout, "--param limit=...  how many runs at most (default: 20)") {
		t.Errorf("query --list: exit %d\n%s", code, stdout)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"query", "history", "--db", db, "--param", "source=t"}, "history needs parameter author"},
		{[]string{"query", "runs", "--db", db, "--param", "colour=red"}, `runs takes no parameter "colour"`},
		{[]string{"query", "nope", "--db", db}, `no report named "nope"`},
		{[]string{"query", "runs", "--db", db, "--param", "limit"}, `want NAME=VALUE, got "limit"`},
	} {
		if code, _, stderr := calvin(t, tc.args...); code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %s; want %q", tc.args, code, stderr, tc.want)
		}
	}

	code, stdout, _ = calvin(t, "sql", "--db", db, "SELECT kind, count(*) AS n FROM posts GROUP BY kind ORDER BY kind")
	// "question" sets the first column's width, 8, then two blanks.
	if want := "kind      n\nanswer    7\ncomment   5\nquestion  5\n"; code != 0 || stdout != want {
		t.Errorf("sql:\n%s\nwant:\n%s", stdout, want)
	}
	// Read-only unless --write.
	if code, _, stderr = calvin(t, "sql", "--db", db, "DELETE FROM posts"); code != 1 || !strings.Contains(stderr, "DELETE is not a query that only reads") || !strings.Contains(stderr, "add --write") {
		t.Errorf("a write without --write: exit %d, %s", code, stderr)
	}
	if code, stdout, _ = calvin(t, "sql", "--db", db, "SELECT count(*) AS n FROM posts", "--format", "csv"); stdout != "n\n17\n" {
		t.Errorf("after a refused DELETE: %q, want the 17 posts", stdout)
	}
}

func TestProgressLine(t *testing.T) {
	tests := []struct {
		posts, bytes, total int64
		elapsed             time.Duration
		want                string
	}{
		// A quarter of 200 MiB in 10 s: 30 s more at that rate.
		{500_000, 50 << 20, 200 << 20, 10 * time.Second, "500k posts, 50k posts/s, 25% of 200 MiB, 30s left"},
		{2_500_000, 0, 0, 2 * time.Second, "2.5M posts, 1.2M posts/s"},
		{9_000, 300 << 20, 300 << 20, time.Second, "9000 posts read"},
	}
	for _, tt := range tests {
		if got := progressLine(tt.posts, tt.bytes, tt.total, size, tt.elapsed); got != tt.want {
			t.Errorf("progressLine(%d, %d, %d, %s) = %q, want %q", tt.posts, tt.bytes, tt.total, tt.elapsed, got, tt.want)
		}
	}
	// The phases after the read, named as the summary names them.
	if got, want := phaseLine(2_500_000, "monthly metrics", 34, 156, 12*time.Second+300*time.Millisecond), "2.5M posts read; monthly metrics 34 of 156, 12s"; got != want {
		t.Errorf("phase: got %q, want %q", got, want)
	}
	if got, want := phaseLine(9_000, "linking posts", 0, 0, 3*time.Second), "9000 posts read; linking posts, 3s"; got != want {
		t.Errorf("phase: got %q, want %q", got, want)
	}
	// A news server: 40,000 of 160,000 article numbers in 20 s, 60 s left.
	if got, want := progressLine(38_000, 40_000, 160_000, articles, 20*time.Second), "38k posts, 1900 posts/s, 25% of 160k articles, 1m0s left"; got != want {
		t.Errorf("articles: got %q, want %q", got, want)
	}
}

// TestQuietWhenNotATerminal: progress goes only to a terminal.
func TestQuietWhenNotATerminal(t *testing.T) {
	var b bytes.Buffer
	stats := new(ingest.Stats)
	stats.Total.Store(100)
	stop := showProgress(&b, true, stats)
	time.Sleep(600 * time.Millisecond) // past the first tick
	stop()
	if b.Len() != 0 {
		t.Errorf("progress written to a buffer: %q", b.String())
	}
}
