// Package config reads Calvin's configuration file (configs/calvin.yaml):
// the database, the sources to ingest, the scoring profiles, the
// technology areas, the people and the exclusions, and the server's
// settings. The YAML is strict: a key Calvin does not know is an error,
// and every error names the file, the line and the key.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/calvinslist/calvin/queries"
)

// Config is a configuration file, read and checked.
type Config struct {
	File     string // the file it was read from
	Database string // the database file; "" for the default
	TimeZone *time.Location
	Sources  []Source
	// Profiles are the scoring profiles by name: each metric's weight.
	// calvin and mvp are there unless the file redefines them.
	Profiles   map[string]map[string]float64
	Areas      map[string][]string // area name -> patterns on tags, newsgroups, categories
	People     []Person
	Exclusions []Exclusion
	Server     Server
}

// Platforms are the platforms a source may have.
var Platforms = []string{"stackexchange", "mbox", "spool", "nntp", "discourse", "csv", "jsonl"}

// Source is one source to ingest.
type Source struct {
	Name     string
	Platform string
	// Locations are where the posts are: paths (relative ones are taken
	// from the configuration file's folder) or a URL.
	Locations []string
	Mapping   string // csv, jsonl: the mapping file
	// The names of the environment variables holding secrets: an NNTP
	// password, a Discourse API key and user.
	PasswordEnv, APIKeyEnv, APIUserEnv string
	CAFile                             string        // nntp: a PEM file of certificates to trust
	Strict                             bool          // a bad record ends the ingest
	Earliest                           time.Time     // the earliest date a post may have; zero: ingest's default (1980)
	MaxWait                            time.Duration // discourse: the longest a forum's Retry-After is honoured; 0: 10 minutes
	MaxRecord                          int           // the longest record read (a line, a header, a topic), bytes; 0: 16 MiB
	Interval                           time.Duration // live sources: how often calvin serve pulls; 0: never
	Line                               int           // where the source is declared
}

// Person names a person and the accounts that are theirs.
type Person struct {
	Name     string
	Accounts []Account
	Line     int
}

// Account is one account of one source.
type Account struct {
	Source, Author string
}

// Exclusion keeps accounts off the boards: one account, every address of
// a mail domain, or every name matching a pattern; from a date, until a
// date, or always.
type Exclusion struct {
	Account  *Account
	Domain   string
	Name     string    // a pattern (path.Match) on the account's name
	From, To time.Time // zero: unbounded; To is the last day excluded
	Reason   string    // staff, employee, bot, or the file's words
	Line     int
}

// Server holds calvin serve's settings.
type Server struct {
	Listen   string // host:port
	TokenEnv string // the environment variable holding the API's token; "" for none
	Top      int    // how many places each board's gauges carry
}

// DefaultProfiles are the profiles every configuration has unless it
// redefines them: calvin, the original list (posts sent plus replies
// received), and mvp, which also weighs accepted answers, first
// responses and the people helped.
func DefaultProfiles() map[string]map[string]float64 {
	return map[string]map[string]float64{
		"calvin": {"posts": 1, "received": 1},
		"mvp":    {"posts": 1, "received": 1, "accepted": 3, "first_responses": 2, "helped": 1},
	}
}

// Load reads and checks a configuration file.
func Load(file string) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(file, data)
}

// Parse reads and checks a configuration, data, read from file (relative
// paths in it are taken from file's folder).
func Parse(file string, data []byte) (*Config, error) {
	root, r, err := Document(file, data)
	if err != nil {
		return nil, err
	}
	c := &Config{File: file, TimeZone: time.UTC, Profiles: DefaultProfiles(), Areas: map[string][]string{}, Server: Server{Listen: "127.0.0.1:9187", Top: 10}}
	dir := filepath.Dir(file)
	local := func(p string) string {
		if p == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
			return p
		}
		return filepath.Join(dir, p)
	}
	r.Map(root, "", func(key string, v *yaml.Node) {
		switch key {
		case "database":
			c.Database = local(r.Str(v, key))
		case "time_zone":
			z := r.Str(v, key)
			loc, err := time.LoadLocation(z)
			switch {
			case err != nil:
				r.Fail(v, key, "unknown zone %q (write it as Area/City, America/Los_Angeles)", z)
			case loc != time.UTC:
				r.Fail(v, key, "%s: months are UTC months for now; other zones are not applied yet", z)
			}
			c.TimeZone = loc
		case "sources":
			r.List(v, key, func(i int, n *yaml.Node) { c.Sources = append(c.Sources, source(r, n, local)) })
		case "profiles":
			r.Map(v, key, func(name string, n *yaml.Node) {
				weights := map[string]float64{}
				r.Map(n, "profiles."+name, func(metric string, w *yaml.Node) {
					if !slices.Contains(queries.Metrics(), metric) {
						r.Fail(w, "profiles."+name+"."+metric, "unknown metric (known: %s)", strings.Join(queries.Metrics(), ", "))
					}
					weights[metric] = r.Float(w, "profiles."+name+"."+metric)
				})
				c.Profiles[name] = weights
			})
		case "areas":
			r.Map(v, key, func(name string, n *yaml.Node) {
				patterns := r.Strs(n, "areas."+name)
				for _, p := range patterns {
					if _, err := path.Match(p, ""); err != nil {
						r.Fail(n, "areas."+name, "bad pattern %q: %v", p, err)
					}
				}
				c.Areas[name] = patterns
			})
		case "people":
			r.List(v, key, func(i int, n *yaml.Node) { c.People = append(c.People, person(r, n)) })
		case "exclusions":
			r.List(v, key, func(i int, n *yaml.Node) { c.Exclusions = append(c.Exclusions, exclusion(r, n)) })
		case "server":
			r.Map(v, key, func(k string, n *yaml.Node) {
				switch k {
				case "listen":
					c.Server.Listen = r.Str(n, "server.listen")
					if _, _, err := net.SplitHostPort(c.Server.Listen); err != nil {
						r.Fail(n, "server.listen", "want host:port, got %q", c.Server.Listen)
					}
				case "token_env":
					c.Server.TokenEnv = envName(r, n, "server.token_env")
				case "top":
					if c.Server.Top = int(r.Int(n, "server.top")); c.Server.Top < 1 {
						r.Fail(n, "server.top", "want at least 1")
					}
				default:
					r.Unknown(n, "server."+k, "listen", "token_env", "top")
				}
			})
		default:
			if secretKey(key) {
				r.Fail(v, key, "a secret does not belong in the file: name the environment variable that holds it")
				return
			}
			r.Unknown(v, key, "database", "time_zone", "sources", "profiles", "areas", "people", "exclusions", "server")
		}
	})
	if err := r.Err(); err != nil {
		return nil, err
	}
	owner := map[Account]Person{}
	for _, p := range c.People {
		for _, a := range p.Accounts {
			if o, ok := owner[a]; ok && o.Name != p.Name {
				return nil, fmt.Errorf("%s:%d: people: %s/%s is %s's already (line %d)", file, p.Line, a.Source, a.Author, o.Name, o.Line)
			}
			owner[a] = p
		}
	}
	seen := map[string]int{}
	for _, s := range c.Sources {
		if line, ok := seen[s.Name]; ok {
			return nil, fmt.Errorf("%s:%d: sources: %q is declared twice (first at line %d)", file, s.Line, s.Name, line)
		}
		seen[s.Name] = s.Line
	}
	return c, nil
}

// secretKey reports whether a key looks like it holds a secret.
func secretKey(key string) bool {
	k := strings.ToLower(key)
	for _, s := range []string{"password", "api_key", "apikey", "token", "secret"} {
		if k == s || strings.HasSuffix(k, "_"+s) {
			return true
		}
	}
	return false
}

// envName reads the name of an environment variable.
func envName(r *Reader, n *yaml.Node, key string) string {
	v := r.Str(n, key)
	for _, c := range v {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			r.Fail(n, key, "%q is not the name of an environment variable (the secret itself does not belong here)", v)
			break
		}
	}
	return v
}

func source(r *Reader, n *yaml.Node, local func(string) string) Source {
	s := Source{Line: n.Line}
	r.Map(n, "sources", func(k string, v *yaml.Node) {
		key := "sources." + k
		switch k {
		case "name":
			s.Name = r.Str(v, key)
		case "platform":
			s.Platform = r.OneOf(v, key, Platforms...)
		case "location":
			for _, l := range r.Strs(v, key) {
				if u, err := url.Parse(l); err == nil && u.User != nil {
					if _, hasPassword := u.User.Password(); hasPassword {
						r.Fail(v, key, "a password does not belong in the URL (%s): name the environment variable that holds it (password_env)", u.Redacted())
					}
				}
				s.Locations = append(s.Locations, local(l))
			}
		case "mapping":
			s.Mapping = local(r.Str(v, key))
		case "password_env":
			s.PasswordEnv = envName(r, v, key)
		case "api_key_env":
			s.APIKeyEnv = envName(r, v, key)
		case "api_user_env":
			s.APIUserEnv = envName(r, v, key)
		case "ca_file":
			s.CAFile = local(r.Str(v, key))
		case "strict":
			s.Strict = r.Bool(v, key)
		case "max_record":
			n, err := parseSize(r.Str(v, key))
			if err != nil {
				r.Fail(v, key, "want a size such as 64MB, got %q", v.Value)
			}
			s.MaxRecord = n
		case "max_wait":
			d, err := time.ParseDuration(r.Str(v, key))
			if err != nil || d < time.Second {
				r.Fail(v, key, "want a duration such as 10m, got %q", v.Value)
			}
			s.MaxWait = d
		case "earliest":
			t, err := time.Parse(time.DateOnly, r.Str(v, key))
			if err != nil {
				r.Fail(v, key, "want a date such as 1975-01-01, got %q", v.Value)
			}
			s.Earliest = t
		case "interval":
			d, err := time.ParseDuration(r.Str(v, key))
			if err != nil || d < time.Minute {
				r.Fail(v, key, "want a duration of a minute or more, such as 15m or 6h, got %q", v.Value)
			}
			s.Interval = d
		default:
			if secretKey(k) {
				r.Fail(v, key, "a secret does not belong in the file: name the environment variable that holds it (%s_env)", k)
				return
			}
			r.Unknown(v, key, "name", "platform", "location", "mapping", "password_env", "api_key_env", "api_user_env", "ca_file", "strict", "interval", "earliest", "max_wait", "max_record")
		}
	})
	if r.Err() != nil {
		return s
	}
	switch {
	case s.Name == "":
		r.Fail(n, "sources", "a source needs a name")
	case s.Platform == "":
		r.Fail(n, "sources."+s.Name, "no platform (one of %s)", strings.Join(Platforms, ", "))
	case len(s.Locations) == 0:
		r.Fail(n, "sources."+s.Name, "no location: a file, a folder or a URL")
	case (s.Platform == "csv" || s.Platform == "jsonl") && s.Mapping == "":
		r.Fail(n, "sources."+s.Name, "a %s source needs a mapping file", s.Platform)
	case s.Platform != "mbox" && len(s.Locations) > 1:
		r.Fail(n, "sources."+s.Name, "one location for a %s source", s.Platform)
	case s.Interval > 0 && !live(s):
		r.Fail(n, "sources."+s.Name, "an interval is for live sources (a news server, a forum's URL)")
	}
	return s
}

// parseSize reads a size in bytes, with KB, MB or GB (powers of 1024).
func parseSize(s string) (int, error) {
	mult := 1
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if t, ok := strings.CutSuffix(strings.ToUpper(strings.TrimSpace(s)), u.suffix); ok {
			s, mult = strings.TrimSpace(t), u.mult
			break
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > (1<<40)/mult {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// live reports whether a source is a server that calvin serve pulls.
func live(s Source) bool {
	l := s.Locations[0]
	return s.Platform == "nntp" && strings.Contains(l, "://") ||
		s.Platform == "discourse" && (strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://"))
}

func person(r *Reader, n *yaml.Node) Person {
	p := Person{Line: n.Line}
	r.Map(n, "people", func(k string, v *yaml.Node) {
		switch k {
		case "name":
			p.Name = r.Str(v, "people.name")
		case "accounts":
			r.List(v, "people.accounts", func(i int, a *yaml.Node) { p.Accounts = append(p.Accounts, account(r, a, "people.accounts")) })
		default:
			r.Unknown(v, "people."+k, "name", "accounts")
		}
	})
	if r.Err() == nil && (p.Name == "" || len(p.Accounts) == 0) {
		r.Fail(n, "people", "a person needs a name and accounts")
	}
	return p
}

func account(r *Reader, n *yaml.Node, key string) Account {
	var a Account
	r.Map(n, key, func(k string, v *yaml.Node) {
		switch k {
		case "source":
			a.Source = r.Str(v, key+".source")
		case "author":
			a.Author = r.Str(v, key+".author")
		default:
			r.Unknown(v, key+"."+k, "source", "author")
		}
	})
	if r.Err() == nil && (a.Source == "" || a.Author == "") {
		r.Fail(n, key, "an account is a source and an author")
	}
	return a
}

func exclusion(r *Reader, n *yaml.Node) Exclusion {
	e := Exclusion{Line: n.Line}
	date := func(v *yaml.Node, key string) time.Time {
		t, err := time.Parse("2006-01-02", r.Str(v, key))
		if err != nil {
			r.Fail(v, key, "want a date, YYYY-MM-DD, got %q", v.Value)
		}
		return t
	}
	kinds := 0
	r.Map(n, "exclusions", func(k string, v *yaml.Node) {
		key := "exclusions." + k
		switch k {
		case "account":
			a := account(r, v, key)
			e.Account = &a
			kinds++
		case "domain":
			e.Domain = strings.ToLower(strings.TrimPrefix(r.Str(v, key), "@"))
			kinds++
		case "name":
			e.Name = r.Str(v, key)
			if _, err := path.Match(e.Name, ""); err != nil {
				r.Fail(v, key, "bad pattern %q: %v", e.Name, err)
			}
			kinds++
		case "from":
			e.From = date(v, key)
		case "to":
			e.To = date(v, key)
		case "reason":
			e.Reason = r.Str(v, key)
		default:
			r.Unknown(v, key, "account", "domain", "name", "from", "to", "reason")
		}
	})
	switch {
	case r.Err() != nil:
	case kinds != 1:
		r.Fail(n, "exclusions", "name one of account, domain or name")
	case e.Reason == "":
		r.Fail(n, "exclusions", "give the reason (staff, employee, bot, ...)")
	case !e.From.IsZero() && !e.To.IsZero() && e.To.Before(e.From):
		r.Fail(n, "exclusions", "to (%s) is before from (%s)", e.To.Format(time.DateOnly), e.From.Format(time.DateOnly))
	}
	return e
}
