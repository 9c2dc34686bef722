package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/calvinslist/calvin/config"
	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/server"
)

const serveUsage = `Usage: calvin serve [--config FILE] [--listen HOST:PORT] [--db FILE]

Runs the server that owns the database: it pulls the configuration's live
sources (news servers, Discourse forums with an interval) on their
schedules, one at a time, and serves

	/metrics               Prometheus metrics: ingest health, posts and
	                       active contributors per source and area, this
	                       month's top N per profile and area
	/api/v1/leaderboard    a board: month, window, profile, by, area,
	                       source, top, excluded, live, movers (as the
	                       leaderboard command's flags)
	/api/v1/person         name, profile: a person month by month
	/api/v1/explain        name, month, window: the posts behind the numbers
	/api/v1/queries        the named reports; /api/v1/queries/NAME runs one
	                       with its parameters
	/api/v1/sources        the sources and their ingest state
	/                      the leaderboard page; /person?name=... a person's

Answers are JSON: {"status": "ok"|"error", "data": ..., "error": ...}.
When the configuration's server.token_env names an environment variable,
the API and the pages require its value (Authorization: Bearer TOKEN, or
basic authentication with it as the password); /metrics stays open.
SIGTERM or Ctrl-C stops it: the pull under way keeps the steps it has
stored and rolls back the one in progress.
`

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", serveUsage)
	db := fs.String("db", engine.DefaultPath, "the database `file`")
	listen := fs.String("listen", "", "the `address` to serve on (default: the configuration's server.listen, else 127.0.0.1:9187)")
	memory := memoryFlag(fs, otherMemory)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %q", pos[0])
	}
	addr := "127.0.0.1:9187"
	var token string
	if e.cfg != nil {
		addr = e.cfg.Server.Listen
		if name := e.cfg.Server.TokenEnv; name != "" {
			if token = e.getenv(name); token == "" {
				return fmt.Errorf("%s: server.token_env names %s, which is not set", e.cfg.File, name)
			}
		}
	}
	if *listen != "" {
		addr = *listen
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	store, err := openCapped(ctx, e, dbPath(e, fs, *db), *memory)
	if err != nil {
		return err
	}
	defer store.Close()
	srv := server.New(store, e.cfg, server.Options{
		Token: token,
		Log:   log,
		Open: func(s config.Source) (ingest.Feed, error) {
			r, err := open(e, s)
			if err != nil {
				return nil, err
			}
			if r.feed == nil {
				return nil, fmt.Errorf("%s is not a live source", s.Name)
			}
			return r.feed, nil
		},
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Info("serving", "address", "http://"+ln.Addr().String(), "database", dbPath(e, fs, *db))
	return srv.Run(ctx, ln)
}
