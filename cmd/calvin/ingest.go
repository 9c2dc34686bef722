package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/calvinslist/calvin/config"
	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/discourse"
	"github.com/calvinslist/calvin/ingest/export"
	"github.com/calvinslist/calvin/ingest/mbox"
	"github.com/calvinslist/calvin/ingest/nntp"
	"github.com/calvinslist/calvin/ingest/spool"
	"github.com/calvinslist/calvin/ingest/stackexchange"
)

const ingestUsage = `Usage: calvin ingest PLATFORM PATH... --source NAME [flags]
       calvin --config FILE ingest [--source NAME] [flags]

With --config, ingests every source the file declares, in order (or the
one --source names), into the file's database.

Reads a source and stores its posts. A file or folder is stored in one
transaction: all of it lands or, on an error or an interrupt, none of it.
Ingesting the same data again adds nothing; a newer dump updates scores,
views and acceptance.

Platforms:

	stackexchange PATH   a Stack Exchange dump: a folder holding Posts.xml
	                     (and Comments.xml, Users.xml, Votes.xml), or the
	                     site's .7z archive as published
	mbox PATH...         mail or news archives: mbox files (mboxo, mboxrd),
	                     Mailman's monthly YYYY-Month.txt, gzipped or not,
	                     or folders of them
	discourse URL        a live Discourse forum, https://forum.example.org,
	                     through its JSON API; an API key, if needed, from
	                     CALVIN_DISCOURSE_API_KEY and _USER
	discourse DIR        a folder of saved Discourse topics (/t/{id}.json
	                     responses, ID.json), with the forum's
	                     categories.json if saved
	csv FILE             a forum's CSV export, read as --mapping says (any
	                     delimiter, with or without a header)
	jsonl FILE           a JSON Lines export, read as --mapping says
	spool DIR            a news spool: GROUP/NUMBER article files (or INN's
	                     tradspool, comp/lang/go/NUMBER)
	nntp URL             a live news server: news://HOST[:PORT]/GROUPS or
	                     nntps://[USER@]HOST[:PORT]/GROUPS, GROUPS a list
	                     or wildmat ("comp.lang.*,!comp.lang.java.*"); the
	                     password, if any, from CALVIN_NNTP_PASSWORD

A news server is pulled in steps of 5,000 articles per group, a forum in
steps of 50 topics, each stored with how far it got; a pull that is cut off
keeps the steps it stored, and the next one resumes after them and reads
only what is new since (a forum: the topics bumped since). The metrics are
brought up to date at the end of a pull. TLS certificates are
checked against the system's roots and those of --ca-file.

Bad records are reported with their file and line, counted and skipped;
--strict makes the first one fatal. A post dated before 1980 (--earliest,
or a source's earliest: in the configuration, moves that) or more than a
day ahead of now is a bad record: a mail or news message whose Date is
such, or cannot be read, takes its mbox separator's date if that is good.
A post whose sender gives no address is kept without an author (received
by whom it answers, never ranked) and reported as a note.
`

// maxReported is how many bad records are printed one by one; the rest are
// only counted.
const maxReported = 20

func runIngest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ingest", ingestUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	source := fs.String("source", "", "the source's `name`, the source column of its posts (required; with --config, the declared source to ingest)")
	strict := fs.Bool("strict", false, "stop at the first bad record")
	quiet := fs.Bool("quiet", false, "print no progress")
	memory := memoryFlag(fs, otherMemory)
	mappingFile := fs.String("mapping", "", "csv, jsonl: the YAML `file` saying which column holds what (see configs/)")
	caFile := fs.String("ca-file", "", "trust the TLS certificates in this PEM `file` too (nntp: a server's own)")
	earliest := fs.String("earliest", "", "the earliest `date` (YYYY-MM-DD) a post may have; earlier ones are bad records (default 1980-01-01)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	var from time.Time
	if *earliest != "" {
		if from, err = time.Parse(time.DateOnly, *earliest); err != nil {
			return usageError("--earliest: want a date such as 1975-01-01, got %q", *earliest)
		}
	}
	var sources []config.Source
	switch {
	case len(pos) == 0 && e.cfg != nil:
		for _, s := range e.cfg.Sources {
			if *source == "" || s.Name == *source {
				s.Strict = s.Strict || *strict
				if !from.IsZero() {
					s.Earliest = from
				}
				sources = append(sources, s)
			}
		}
		if len(sources) == 0 {
			return usageError("%s declares no source named %q", e.cfg.File, *source)
		}
	case len(pos) < 2:
		return usageError("want a platform and a path, got %d arguments", len(pos))
	case *source == "":
		return usageError("--source is required")
	default:
		sources = []config.Source{{Name: *source, Platform: pos[0], Locations: pos[1:], Mapping: *mappingFile, CAFile: *caFile, Strict: *strict, Earliest: from}}
	}
	readers := make([]reader, len(sources))
	for i, s := range sources {
		if readers[i], err = open(e, s); err != nil {
			return err
		}
	}

	store, err := openCapped(ctx, e, dbPath(e, fs, *db), *memory)
	if err != nil {
		return err
	}
	defer store.Close()
	for i, s := range sources {
		if err := ingestOne(ctx, e, store, s, readers[i], *quiet); err != nil {
			return err
		}
	}
	return nil
}

// reader is what reads a source: a Source read whole, or a Feed pulled in
// steps.
type reader struct {
	src  ingest.Source
	feed ingest.Feed
}

func (r reader) input() string {
	if r.feed != nil {
		return r.feed.Input()
	}
	return r.src.Input()
}

// open makes the reader of a source, declared or given on the command
// line. Secrets come from the environment variables the source names, or
// CALVIN_NNTP_PASSWORD and CALVIN_DISCOURSE_API_KEY / _USER.
func open(e *env, s config.Source) (reader, error) {
	loc := s.Locations
	one := func(what string) error {
		if len(loc) != 1 {
			return usageError("%s reads one %s, got %d", s.Platform, what, len(loc))
		}
		return nil
	}
	warn := func(err error) { fmt.Fprintf(e.stderr, "calvin: %s: %v\n", s.Name, err) }
	switch s.Platform {
	case stackexchange.Platform:
		if err := one("dump"); err != nil {
			return reader{}, err
		}
		return reader{src: stackexchange.New(loc[0])}, nil
	case mbox.Platform:
		return reader{src: mbox.New(loc...)}, nil
	case "spool":
		if err := one("folder"); err != nil {
			return reader{}, err
		}
		return reader{src: spool.New(loc[0])}, nil
	case discourse.Platform:
		if err := one("forum or folder"); err != nil {
			return reader{}, err
		}
		if !strings.HasPrefix(loc[0], "http://") && !strings.HasPrefix(loc[0], "https://") {
			return reader{src: discourse.NewDir(loc[0])}, nil
		}
		site, err := discourse.NewSite(loc[0])
		if err != nil {
			return reader{}, usageError("%v", err)
		}
		keyEnv, userEnv := or(s.APIKeyEnv, "CALVIN_DISCOURSE_API_KEY"), or(s.APIUserEnv, "CALVIN_DISCOURSE_API_USER")
		site.APIKey, site.APIUser = e.getenv(keyEnv), e.getenv(userEnv)
		if (site.APIKey == "") != (site.APIUser == "") {
			return reader{}, usageError("set both %s and %s, or neither", keyEnv, userEnv)
		}
		site.Warn = warn
		site.MaxWait = s.MaxWait
		return reader{feed: site}, nil
	case "csv", "jsonl":
		if err := one("file"); err != nil {
			return reader{}, err
		}
		if s.Mapping == "" {
			return reader{}, usageError("%s needs --mapping FILE: which column holds what (examples in configs/)", s.Platform)
		}
		m, err := export.LoadMapping(s.Mapping)
		if err != nil {
			return reader{}, err
		}
		if m.Format != "" && m.Format != s.Platform {
			return reader{}, usageError("%s says format %s, not %s", s.Mapping, m.Format, s.Platform)
		}
		m.Format = s.Platform
		return reader{src: export.New(loc[0], m)}, nil
	case nntp.Platform:
		if err := one("server's URL"); err != nil {
			return reader{}, err
		}
		f, err := nntp.Parse(loc[0])
		if err != nil {
			return reader{}, usageError("%v", err)
		}
		passEnv := or(s.PasswordEnv, "CALVIN_NNTP_PASSWORD")
		f.Dialer.Password = e.getenv(passEnv)
		if f.Dialer.User != "" && f.Dialer.Password == "" {
			return reader{}, usageError("%s names user %q: set %s", f.Input(), f.Dialer.User, passEnv)
		}
		f.Warn = warn
		if s.CAFile != "" {
			if f.Dialer.TLSConfig, err = trust(s.CAFile); err != nil {
				return reader{}, err
			}
		}
		return reader{feed: f}, nil
	}
	return reader{}, usageError("unknown platform %q (known: %s)", s.Platform, strings.Join(config.Platforms, ", "))
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ingestOne reads one source into the store and prints what it did.
func ingestOne(ctx context.Context, e *env, store *engine.Store, s config.Source, r reader, quiet bool) error {
	stats := new(ingest.Stats)
	var mu sync.Mutex
	reported, noted := 0, 0
	opts := ingest.Options{
		Source:    s.Name,
		Strict:    s.Strict,
		Earliest:  s.Earliest,
		MaxRecord: s.MaxRecord,
		Stats:     stats,
		Report: func(err error) {
			mu.Lock()
			defer mu.Unlock()
			if reported < maxReported {
				fmt.Fprintf(e.stderr, "calvin: skipped: %v\n", err)
			}
			reported++
		},
		Note: func(err error) {
			mu.Lock()
			defer mu.Unlock()
			if noted < maxReported {
				fmt.Fprintf(e.stderr, "calvin: note: %v\n", err)
			}
			noted++
		},
	}
	stop := showProgress(e.stderr, !quiet, stats)
	var run engine.Run
	var err error
	if r.feed != nil {
		run, err = store.Pull(ctx, r.feed, opts)
	} else {
		run, err = store.Ingest(ctx, r.src, opts)
	}
	stop()
	switch {
	case err == nil:
	case r.feed != nil && errors.Is(err, context.Canceled):
		return fmt.Errorf("pull interrupted: the %d new posts of the steps done are stored; the next pull goes on from there (%w)", run.RowsInserted, err)
	case r.feed != nil:
		return fmt.Errorf("pull %s: %w (the %d new posts of the steps done are stored)", r.input(), err, run.RowsInserted)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("ingest interrupted: nothing was stored (%w)", err)
	default:
		return fmt.Errorf("ingest %s: %w (nothing was stored)", r.input(), err)
	}
	if reported > maxReported {
		fmt.Fprintf(e.stderr, "calvin: ... and %d more bad records\n", reported-maxReported)
	}
	if noted > maxReported {
		fmt.Fprintf(e.stderr, "calvin: ... and %d more notes\n", noted-maxReported)
	}
	extra := "" // what else the read did, when it did
	if n := stats.Duplicates.Load(); n > 0 {
		extra = fmt.Sprintf(", %d duplicates dropped", n)
	}
	if n := stats.NoAuthor.Load(); n > 0 {
		extra += fmt.Sprintf(", %d kept without an author (no address)", n)
	}
	if n := stats.Repaired.Load(); n > 0 {
		extra += fmt.Sprintf(", %d with text that was not UTF-8 repaired", n)
	}
	fmt.Fprintf(e.stdout, "%s: read %d posts, %d new, %d updated, %d bad records skipped%s, in %s (%s)\n",
		run.Source, run.RowsRead, run.RowsInserted, run.RowsUpdated, run.RowsRejected, extra,
		time.Since(run.Started).Round(time.Millisecond), phases(run))
	return nil
}

// phases says how long each phase of an ingest took, as the progress
// line names them; threads only when some posts needed them.
func phases(run engine.Run) string {
	ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	p := []string{"read and store posts " + ms(run.Load)}
	if run.Threads >= time.Millisecond {
		p = append(p, "threads "+ms(run.Threads))
	}
	p = append(p, "link posts "+ms(run.Refreshed.Links), "accounts "+ms(run.Refreshed.Accounts),
		"monthly metrics "+ms(run.Refreshed.Metrics)+monthsOf(run.Refreshed.Months), "commit "+ms(run.Commit))
	return strings.Join(p, ", ")
}

// trust returns a TLS configuration that trusts the system's roots and the
// certificates in a PEM file.
func trust(path string) (*tls.Config, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate in it", path)
	}
	return &tls.Config{RootCAs: pool}, nil
}

// showProgress prints the read's progress on w every half second when w is
// a terminal and on is set: posts read, rate, and time left when the
// input's size is known. The returned func stops it and clears the line.
func showProgress(w io.Writer, on bool, stats *ingest.Stats) (stop func()) {
	if !on || !isTerminal(w) {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		phase, since := "", start
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-tick.C:
				name, partsDone, parts := stats.Phase()
				if name != phase {
					phase, since = name, time.Now()
				}
				var line string
				switch {
				case name != "":
					line = phaseLine(stats.Read.Load(), name, partsDone, parts, time.Since(since))
				case stats.Total.Load() == 0:
					line = progressLine(stats.Read.Load(), stats.Articles.Load(), stats.ArticlesTotal.Load(), articles, time.Since(start))
				default:
					line = progressLine(stats.Read.Load(), stats.Bytes.Load(), stats.Total.Load(), size, time.Since(start))
				}
				fmt.Fprint(w, "\r\033[K"+line)
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// progressLine describes a read that has taken elapsed: posts read and
// their rate, and, when the input's size is known (in bytes or articles,
// as unit writes it), the share read and the time left at the rate so far.
func progressLine(posts, bytes, total int64, unit func(int64) string, elapsed time.Duration) string {
	secs := elapsed.Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	line := fmt.Sprintf("%s posts, %s posts/s", count(posts), count(int64(float64(posts)/secs)))
	if total <= 0 || bytes <= 0 {
		return line
	}
	if bytes >= total {
		return fmt.Sprintf("%s posts read", count(posts))
	}
	frac := float64(bytes) / float64(total)
	left := time.Duration(secs*(1-frac)/frac) * time.Second
	return line + fmt.Sprintf(", %d%% of %s, %s left", int(frac*100), unit(total), left.Round(time.Second))
}

// phaseLine describes the phase of an ingest under way after its read
// (see ingest.Stats.SetPhase): its name, its parts done when it has parts,
// and how long it has taken so far.
func phaseLine(posts int64, name string, done, parts int64, elapsed time.Duration) string {
	line := fmt.Sprintf("%s posts read; %s", count(posts), name)
	if parts > 0 {
		line += fmt.Sprintf(" %d of %d", done, parts)
	}
	return line + fmt.Sprintf(", %s", elapsed.Round(time.Second))
}

func count(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

func articles(n int64) string { return count(n) + " articles" }

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// isTerminal reports whether w is a character device, a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// monthsOf says how many months an ingest's refresh recomputed, when it
// recomputed only those its new posts change.
func monthsOf(n int) string {
	switch {
	case n < 0:
		return ""
	case n == 1:
		return " (1 month)"
	}
	return fmt.Sprintf(" (%d months)", n)
}
