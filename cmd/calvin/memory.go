package main

// #include <malloc.h>
import "C"

import (
	"context"
	"flag"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/calvinslist/calvin/engine"
)

// memoryFlag adds --memory-limit to a command's flags: DuckDB's cap,
// def unless given, past which its work spills to disk.
func memoryFlag(fs *flag.FlagSet, def string) *string {
	return fs.String("memory-limit", def, "cap DuckDB's memory; work past it spills to disk")
}

// The caps unless --memory-limit is given: the boards' (leaderboard,
// explain, published) read and count in Go, and DuckDB's cache of what
// they read only adds to the peak (the 90-day board over sixty million
// posts: 1.4 GB at 1 GB, 0.9 GB and no slower at 256 MB;
// benchmarks/README.md); the other commands join and group in DuckDB.
const (
	boardMemory = "256MB"
	otherMemory = "1GB"
)

// openRead opens the database read-only under DuckDB's memory cap: left
// to DuckDB (80% of the machine's memory) the cache of what a command
// read grew with the store, person over sixty million posts to 5 GB
// (1.5 GB and faster at 1 GB; benchmarks/README.md).
func openRead(ctx context.Context, path, memory string) (*engine.Store, error) {
	return engine.Open(ctx, path, engine.Options{ReadOnly: true, MemoryLimit: memory})
}

// openCapped opens the database for writing under DuckDB's memory cap
// (memory, as --memory-limit gives it), and keeps the Go heap to half
// that cap unless GOMEMLIMIT says otherwise: Go's collector otherwise
// lets the heap grow to twice what is live, and a 30 M-post refresh
// peaked at 2.1 GB instead of 1.6 (benchmarks/README.md).
//
// The configuration's areas go with it: a refresh counts their months
// ahead of the boards (engine/areas.go).
func openCapped(ctx context.Context, e *env, path, memory string) (*engine.Store, error) {
	opts := engine.Options{MemoryLimit: memory}
	if e.cfg != nil {
		opts.Areas = e.cfg.Areas
	}
	store, err := engine.Open(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	if e.getenv("GOMEMLIMIT") == "" {
		limit, err := store.MemoryLimit(ctx)
		if err != nil {
			store.Close()
			return nil, err
		}
		debug.SetMemoryLimit(limit / 2)
	}
	return store, nil
}

// limitArenas keeps the C allocator (DuckDB's, liblzma's) to one arena
// per CPU, unless MALLOC_ARENA_MAX says otherwise. glibc makes up to
// eight per CPU, and memory freed in one is not given back while another
// part of it is in use: a 30 M-post ingest peaked at 2.25 GB with them,
// 2.05 GB with two (benchmarks/README.md). Called before DuckDB starts
// its threads.
func limitArenas() {
	if os.Getenv("MALLOC_ARENA_MAX") != "" {
		return
	}
	C.mallopt(C.M_ARENA_MAX, C.int(runtime.NumCPU()))
}
