package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/calvinslist/calvin/config"
	"github.com/calvinslist/calvin/ingest/export"
)

const configUsage = `Usage: calvin config check [FILE]

Reads a configuration file (FILE, or the one --config names) and reports
its first mistake with its line and key, or what it declares. The files
and folders its sources name must exist and their mappings read. Exit
code 1 when it has a mistake.
`

func runConfig(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "config", configUsage)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 || pos[0] != "check" {
		return usageError("want: calvin config check [FILE]")
	}
	cfg := e.cfg
	switch {
	case len(pos) == 2:
		if cfg, err = config.Load(pos[1]); err != nil {
			return err
		}
	case len(pos) > 2:
		return usageError("check reads one file, got %d", len(pos)-1)
	case cfg == nil:
		return usageError("name the file: calvin config check FILE")
	}
	if err := checkSources(cfg); err != nil {
		return err
	}
	var sources []string
	for _, s := range cfg.Sources {
		sources = append(sources, s.Name+" ("+s.Platform+")")
	}
	var profiles, areas []string
	for p := range cfg.Profiles {
		profiles = append(profiles, p)
	}
	for a := range cfg.Areas {
		areas = append(areas, a)
	}
	sort.Strings(profiles)
	sort.Strings(areas)
	fmt.Fprintf(e.stdout, "%s: OK\n", cfg.File)
	fmt.Fprintf(e.stdout, "  database:   %s\n", or(cfg.Database, "calvin.duckdb (the default)"))
	fmt.Fprintf(e.stdout, "  sources:    %d: %s\n", len(sources), strings.Join(sources, ", "))
	fmt.Fprintf(e.stdout, "  profiles:   %s\n", strings.Join(profiles, ", "))
	fmt.Fprintf(e.stdout, "  people:     %d, exclusions: %d\n", len(cfg.People), len(cfg.Exclusions))
	fmt.Fprintf(e.stdout, "  areas:      %s\n", strings.Join(areas, ", "))
	fmt.Fprintf(e.stdout, "  server:     %s\n", cfg.Server.Listen)
	return nil
}

// checkSources checks what the configuration's sources name outside it:
// that each file or folder exists and each mapping reads. A server's URL
// is not tried.
func checkSources(cfg *config.Config) error {
	for _, s := range cfg.Sources {
		where := fmt.Sprintf("%s:%d: sources.%s", cfg.File, s.Line, s.Name)
		for _, loc := range s.Locations {
			if strings.Contains(loc, "://") {
				continue
			}
			if _, err := os.Stat(loc); err != nil {
				return fmt.Errorf("%s: location %s: %w", where, loc, errors.Unwrap(err))
			}
		}
		if s.Mapping != "" {
			if _, err := export.LoadMapping(s.Mapping); err != nil {
				return fmt.Errorf("%s: mapping: %w", where, err)
			}
		}
	}
	return nil
}
