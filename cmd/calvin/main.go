// Command calvin ingests community posting data into a DuckDB file and
// ranks contributors month by month: Calvin's List, revived.
//
// Usage:
//
//	calvin <command> [arguments]
//
// Run "calvin help" for the commands and "calvin <command> --help" for one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/calvinslist/calvin/config"
	"github.com/calvinslist/calvin/report"
)

func main() {
	limitArenas()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a command gets from the process: its output streams and
// environment, passed explicitly so that commands run in tests.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	cfg            *config.Config // from --config; nil without
}

// command is one subcommand: its name, a one-line summary, and its main.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"ingest", "read a source into the database", runIngest},
		{"leaderboard", "rank the contributors of a month", runLeaderboard},
		{"person", "show one person month by month", runPerson},
		{"explain", "list the posts behind one person's numbers", runExplain},
		{"people", "suggest accounts that look like one person", runPeople},
		{"publish", "freeze a month's boards", runPublish},
		{"published", "list a month's published boards, or what changed since", runPublished},
		{"query", "run a named report of queries/reports/", runQuery},
		{"refresh", "recompute the accounts and metrics from the posts", runRefresh},
		{"serve", "serve metrics, an API and web pages, and pull live sources", runServe},
		{"sql", "run SQL on the database", runSQL},
		{"config", "check a configuration file", runConfig},
		{"compact", "give back the room the database file does not use", runCompact},
	}
}

// usageErr is an error in how a command was called: exit code 2, printed
// with a pointer to the command's --help.
type usageErr struct{ msg string }

func (e *usageErr) Error() string { return e.msg }

// usageError returns a usageErr with a formatted message.
func usageError(format string, args ...any) error {
	return &usageErr{msg: fmt.Sprintf(format, args...)}
}

// run runs calvin with args and returns the exit code: 0 on success, 1 on
// error, 2 on a usage error.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, getenv: getenv}
	args, file, err := cutConfig(args)
	if err != nil {
		fmt.Fprintf(stderr, "calvin: %v\nRun 'calvin help' for usage.\n", err)
		return 2
	}
	if file != "" {
		if e.cfg, err = config.Load(file); err != nil {
			fmt.Fprintf(stderr, "calvin: %v\n", err)
			return 1
		}
	}
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return run(ctx, []string{args[1], "--help"}, getenv, stdout, stderr)
		}
		printUsage(stdout)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, version())
		return 0
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, new(*usageErr)):
			fmt.Fprintf(stderr, "calvin %s: %v\nRun 'calvin %s --help' for usage.\n", name, err, name)
			return 2
		default:
			fmt.Fprintf(stderr, "calvin: %v\n", err)
			return 1
		}
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if near := config.Nearest(name, names); near != "" {
		fmt.Fprintf(stderr, "calvin: unknown command %q: did you mean %s?\nRun 'calvin help' for the commands.\n", name, near)
		return 2
	}
	fmt.Fprintf(stderr, "calvin: unknown command %q\nRun 'calvin help' for the commands.\n", name)
	return 2
}

// cutConfig takes --config FILE (or --config=FILE) out of args, before
// the command or after it, and returns the rest and FILE ("" when not
// given). Arguments after "--" are left alone.
func cutConfig(args []string) (rest []string, file string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(rest, args[i:]...), file, nil
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return nil, "", errors.New("--config needs a file")
			}
			i++
			value = args[i]
		}
		if file != "" && file != value {
			return nil, "", fmt.Errorf("--config given twice (%s and %s)", file, value)
		}
		file = value
	}
	return rest, file, nil
}

// version says which build of calvin this is: the module's version, the
// commit it was built from when known, and the Go release.
func version() string {
	v := "calvin (devel)"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if info.Main.Version != "" {
		v = "calvin " + info.Main.Version
	}
	var rev, at, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += fmt.Sprintf(" (commit %s, %s%s)", rev, at, dirty)
	}
	return v + ", " + info.GoVersion
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `Calvin ranks the contributors of online communities month by month.

Usage:

	calvin [--config FILE] <command> [arguments]

--config FILE reads a configuration (configs/calvin.yaml): its database,
sources and profiles; it may stand after the command too. calvin
--version says which build this is.

The commands are:

`)
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-12s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'calvin <command> --help' for more about a command.
`)
}

// checkFormat refuses an output format report cannot write.
func checkFormat(format string) error {
	if !slices.Contains(report.Formats(), format) {
		return usageError("unknown format %q: use one of %s", format, strings.Join(report.Formats(), ", "))
	}
	return nil
}

// parseMonth reads --month's YYYY-MM.
func parseMonth(month string) (time.Time, error) {
	m, err := time.Parse("2006-01", month)
	if err != nil {
		return m, usageError("want --month YYYY-MM, got %q", month)
	}
	return m, nil
}

// dbPath is the database a command uses: --db when given, else the
// configuration's, else the default.
func dbPath(e *env, fs *flag.FlagSet, flagValue string) string {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "db" })
	if !set && e.cfg != nil && e.cfg.Database != "" {
		return e.cfg.Database
	}
	return flagValue
}

// newFlags returns a FlagSet for a command whose help text is usage
// followed by the flags, printed to e.stdout on --help.
func newFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("calvin "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "%s\nFlags:\n", usage)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parse parses flags that may stand before, between or after the
// positional arguments, and returns the positional arguments. A flag error
// is a usage error, naming the nearest flag to one mistyped; --help prints
// the usage (once) and returns flag.ErrHelp.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	// The flag package prints the usage on every error: only --help does
	// here, and the error says the rest.
	help := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = help }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				help()
				return nil, err
			}
			if bad, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
				var names []string
				fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
				if near := config.Nearest(bad, names); near != "" {
					return nil, usageError("unknown flag --%s: did you mean --%s?", bad, near)
				}
				return nil, usageError("unknown flag --%s", bad)
			}
			return nil, usageError("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
