package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestShipped: configs/calvin.yaml reads, and says what it says.
func TestShipped(t *testing.T) {
	c, err := Load("../configs/calvin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("..", "configs", "..", "calvin.duckdb"); c.Database != want {
		t.Errorf("database %q, want %q (relative to the file)", c.Database, want)
	}
	var names []string
	for _, s := range c.Sources {
		names = append(names, s.Name+":"+s.Platform)
	}
	if got, want := strings.Join(names, " "), "alcohol.meta:stackexchange bicycles.meta:stackexchange linux-mips:mbox fetchmail-users:mbox usenet:spool fdb:discourse cinder:csv"; got != want {
		t.Errorf("sources %s, want %s", got, want)
	}
	cinder := c.Sources[6]
	if cinder.Mapping != filepath.Join("..", "configs", "forums-sm.yaml") || cinder.Locations[0] != filepath.Join("..", "configs", "../../shared/data/csv/Forums-SM.csv") {
		t.Errorf("cinder: %+v", cinder)
	}
	if c.Profiles["mvp"]["accepted"] != 3 || c.Profiles["calvin"]["received"] != 1 || len(c.Profiles) != 2 {
		t.Errorf("profiles %v", c.Profiles)
	}
	if got := strings.Join(c.Areas["windows"], " "); got != "comp.os.ms-windows.* windows*" || len(c.Areas) != 5 {
		t.Errorf("areas.windows %q", got)
	}
	if len(c.People) != 1 || c.People[0].Accounts[0] != (Account{"usenet", "dhinds@allegro.stanford.edu"}) {
		t.Errorf("people %+v", c.People)
	}
	if len(c.Exclusions) != 2 || c.Exclusions[0].Domain != "does.not.exist.com" || c.Exclusions[1].Account.Author != "-1" {
		t.Errorf("exclusions %+v", c.Exclusions)
	}
	if c.Server.Listen != "127.0.0.1:9187" || c.Server.Top != 10 {
		t.Errorf("server %+v", c.Server)
	}
}

// TestDefaults: an empty set of keys gives the built-in profiles, UTC,
// no sources, the default listen address.
func TestDefaults(t *testing.T) {
	c, err := Parse("c.yaml", []byte("sources: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.TimeZone != time.UTC || len(c.Profiles) != 2 || c.Server.Listen != "127.0.0.1:9187" || c.Database != "" {
		t.Errorf("%+v", c)
	}
}

// TestSource: every key of a source, a live one with its interval.
func TestSource(t *testing.T) {
	c, err := Parse("dir/c.yaml", []byte(`sources:
  - name: news
    platform: nntp
    location: nntps://me@news.example.org/comp.lang.*
    password_env: CALVIN_NNTP_PASSWORD
    ca_file: ca.pem
    strict: true
    interval: 30m
  - name: mail
    platform: mbox
    location: [a.mbox, /abs/b.mbox]
    earliest: 1975-06-01
  - name: forum
    platform: discourse
    location: https://forum.example.org
    max_wait: 2m
    max_record: 64MB
`))
	if err != nil {
		t.Fatal(err)
	}
	n, m := c.Sources[0], c.Sources[1]
	if c.Sources[2].MaxWait != 2*time.Minute || c.Sources[2].MaxRecord != 64<<20 {
		t.Errorf("forum: max_wait %s, want 2m", c.Sources[2].MaxWait)
	}
	if n.PasswordEnv != "CALVIN_NNTP_PASSWORD" || n.CAFile != filepath.Join("dir", "ca.pem") || !n.Strict || n.Interval != 30*time.Minute || n.Locations[0] != "nntps://me@news.example.org/comp.lang.*" || n.Line != 2 {
		t.Errorf("news: %+v", n)
	}
	if len(m.Locations) != 2 || m.Locations[0] != filepath.Join("dir", "a.mbox") || m.Locations[1] != "/abs/b.mbox" ||
		!m.Earliest.Equal(time.Date(1975, 6, 1, 0, 0, 0, 0, time.UTC)) || !n.Earliest.IsZero() {
		t.Errorf("mail: %+v", m)
	}
}

// TestErrors: every mistake names the file, the line and the key.
func TestErrors(t *testing.T) {
	src := "sources:\n  - name: s\n    platform: mbox\n    location: a.mbox\n"
	tests := []struct{ yaml, want string }{
		{"colour: red\n", `c.yaml:1: colour: unknown key`},
		{"password: hunter2\n", `c.yaml:1: password: a secret does not belong in the file`},
		{"sources:\n  - name: s\n    platform: nntp\n    location: news://h/g\n    password: x\n", `c.yaml:5: sources.password: a secret does not belong in the file: name the environment variable that holds it (password_env)`},
		{"sources:\n  - name: s\n    platform: nntp\n    location: news://h/g\n    password_env: hunter2!\n", `c.yaml:5: sources.password_env: "hunter2!" is not the name of an environment variable`},
		{"sources:\n  - name: s\n    platform: usenet\n    location: x\n", `c.yaml:3: sources.platform: "usenet" is not one of stackexchange, mbox, spool, nntp, discourse, csv, jsonl`},
		{"sources:\n  - platform: mbox\n    location: x\n", `c.yaml:2: sources: a source needs a name`},
		{"sources:\n  - name: s\n    platform: mbox\n", `c.yaml:2: sources.s: no location`},
		{"sources:\n  - name: s\n    platform: csv\n    location: x.csv\n", `c.yaml:2: sources.s: a csv source needs a mapping file`},
		{"sources:\n  - name: s\n    platform: spool\n    location: [a, b]\n", `c.yaml:2: sources.s: one location for a spool source`},
		{"sources:\n  - name: s\n    platform: mbox\n    location: a\n    interval: 1h\n", `c.yaml:2: sources.s: an interval is for live sources`},
		{"sources:\n  - name: s\n    platform: nntp\n    location: news://h/g\n    interval: soon\n", `c.yaml:5: sources.interval: want a duration of a minute or more`},
		{"sources:\n  - name: s\n    platform: mbox\n    location: a\n    earliest: 1975\n", `c.yaml:5: sources.earliest: want a date such as 1975-01-01, got "1975"`},
		{"sources:\n  - name: s\n    platform: nntp\n    location: nntps://me:hunter2@host/comp.*\n", `c.yaml:4: sources.location: a password does not belong in the URL (nntps://me:xxxxx@host/comp.*)`},
		{"sources:\n  - name: s\n    platform: mbox\n    location: a\n    location: b\n", `c.yaml:5: sources.location: given twice (first on line 4)`},
		{"profiles:\n  calvin: {posts: 1}\n  calvin: {received: 1}\n", `c.yaml:3: profiles.calvin: given twice (first on line 2)`},
		{"database: a.duckdb\ndatabase: b.duckdb\n", `c.yaml:2: database: given twice (first on line 1)`},
		{src + "  - name: s\n    platform: spool\n    location: d\n", `c.yaml:5: sources: "s" is declared twice (first at line 2)`},
		{"sources:\n  - name: s\n    platform: mbox\n    location: a\n    colour: red\n", `c.yaml:5: sources.colour: unknown key`},
		{"time_zone: Mars/Olympus\n", `c.yaml:1: time_zone: unknown zone "Mars/Olympus"`},
		{"time_zone: Europe/Paris\n", `c.yaml:1: time_zone: Europe/Paris: months are UTC months for now`},
		{"profiles:\n  mine:\n    posts: 1\n    likes: 2\n", `c.yaml:4: profiles.mine.likes: unknown metric`},
		{"profiles:\n  mine:\n    posts: lots\n", `c.yaml:3: profiles.mine.posts: want a number, got "lots"`},
		{"areas:\n  go: [\"[go\"]\n", `c.yaml:2: areas.go: bad pattern "[go"`},
		{"people:\n  - name: Ann\n", `c.yaml:2: people: a person needs a name and accounts`},
		{"people:\n  - name: Ann\n    accounts:\n      - {source: s}\n", `c.yaml:4: people.accounts: an account is a source and an author`},
		{"exclusions:\n  - domain: example.com\n", `c.yaml:2: exclusions: give the reason`},
		{"exclusions:\n  - domain: example.com\n    name: \"*bot\"\n    reason: bot\n", `c.yaml:2: exclusions: name one of account, domain or name`},
		{"exclusions:\n  - domain: example.com\n    from: 2024-13-01\n    reason: staff\n", `c.yaml:3: exclusions.from: want a date, YYYY-MM-DD, got "2024-13-01"`},
		{"exclusions:\n  - domain: example.com\n    from: 2024-02-01\n    to: 2024-01-01\n    reason: staff\n", `c.yaml:2: exclusions: to (2024-01-01) is before from (2024-02-01)`},
		{"server:\n  listen: 9187\n", `c.yaml:2: server.listen: want host:port, got "9187"`},
		{"server:\n  top: 0\n", `c.yaml:2: server.top: want at least 1`},
		{"server:\n  token: abc\n", `c.yaml:2: server.token: unknown key`},
		{"- a\n", `c.yaml:1: file: want keys and values`},
		{"people:\n  - name: Ann\n    accounts: [{source: s, author: a}]\n  - name: Bo\n    accounts: [{source: s, author: a}]\n", `c.yaml:4: people: s/a is Ann's already (line 2)`},
		{"sources: {a: b}\n", `c.yaml:1: sources: want a list`},
	}
	for _, tc := range tests {
		_, err := Parse("c.yaml", []byte(tc.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %s...", tc.yaml, err, tc.want)
		}
	}
}

// TestFiles: testdata/good.yaml reads; each file of testdata/bad gives
// the error its first line wants, with its file's name and line.
func TestFiles(t *testing.T) {
	c, err := Load("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 4 || len(c.Profiles) != 3 || len(c.People) != 1 || len(c.Exclusions) != 3 || c.Server.Top != 20 ||
		c.Sources[1].Interval != time.Hour || c.Database != filepath.Join("testdata", "data", "calvin.duckdb") {
		t.Errorf("good.yaml read as %+v", c)
	}
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad files: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, ok := strings.CutPrefix(strings.SplitN(string(data), "\n", 2)[0], "# want: ")
		if !ok {
			t.Fatalf("%s: no '# want:' line", f)
		}
		_, err = Load(f)
		if err == nil || !strings.HasPrefix(err.Error(), filepath.Join("testdata", "bad", want)) {
			t.Errorf("%s: got %v, want %s...", f, err, want)
		}
	}
}

// TestNearest: a mistyped name gets the known one it is nearest to, if
// any is near enough to be meant.
func TestNearest(t *testing.T) {
	known := []string{"leaderboard", "ingest", "interval", "may", "location"}
	for word, want := range map[string]string{
		"leaderbord": "leaderboard", // a letter left out
		"ingset":     "ingest",      // two swapped
		"mya":        "may",
		"Interval":   "interval", // case
		"locatoin":   "location",
		"xyz":        "", // nothing near
		"inter":      "", // three edits from interval
	} {
		if got := Nearest(word, known); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", word, got, want)
		}
	}
	if _, err := Parse("c.yaml", []byte("sources:\n  - name: s\n    platform: mbox\n    locaton: a\n")); err == nil || !strings.Contains(err.Error(), "c.yaml:4: sources.locaton: unknown key: did you mean location?") {
		t.Errorf("a mistyped key: %v", err)
	}
}
