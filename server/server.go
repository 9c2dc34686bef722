// Package server is calvin serve: the long-running process that owns the
// database. It pulls the configured live sources on their intervals, one
// pull at a time, while it serves Prometheus metrics (/metrics), a JSON
// API (/api/v1/...) and the leaderboard's web pages (/, /person).
package server

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/calvinslist/calvin/config"
	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/ingest"
)

// Options are what a Server takes besides its store and configuration.
type Options struct {
	// Token, when set, is required of every request to the API and the
	// pages (as a bearer token, or as the password of basic
	// authentication); /metrics stays open.
	Token string
	// Open makes the feed of a live source; nil: no source is pulled.
	Open func(config.Source) (ingest.Feed, error)
	Log  *slog.Logger // nil: slog.Default()
	// Now says which month is the current one (/metrics' boards, the
	// default month); nil: time.Now. Pulls are timed on the real clock.
	Now func() time.Time
	// CacheBytes bounds the answers kept for repeated requests (keys and
	// answers, least recently used dropped first); 0 means 64 MiB.
	CacheBytes int
	// MaxWork bounds the answers computed at once (boards, people,
	// explanations, reports); 0 means two per core. MaxQueue more wait;
	// past that a request gets 503 with Retry-After. 0 means 16.
	MaxWork, MaxQueue int
	// MaxConns bounds the connections open at once; 0 means 256, or half
	// the process's limit of open files if that is less. Past it, idle
	// keep-alive connections are closed and a new one waits for a place.
	MaxConns int
}

// Server serves one store. Its zero value is not usable: call New.
type Server struct {
	store *engine.Store
	cfg   *config.Config
	opts  Options
	log   *slog.Logger

	pages   *template.Template
	reg     *prometheus.Registry
	ingests *ingestMetrics

	// pulling is held by the one pull running; reads go on meanwhile.
	pulling sync.Mutex
	// generation counts the pulls that stored something: a cached answer
	// of an earlier generation is stale.
	generation atomic.Int64
	cache      *cache
	conns      *connLimit // the listener Run serves on, once it runs
	work       *workLimit // the answers computed at once (cached)

	flightMu sync.Mutex
	flights  map[string]*flight // the answers being computed, by key

	mu    sync.Mutex
	state map[string]*sourceState // by source name: the last pull's outcome
}

// sourceState is what the server knows of a live source's pulls.
type sourceState struct {
	LastStart, LastSuccess time.Time
	LastError              string
	Next                   time.Time
}

// New returns a server of store with cfg's sources, boards and settings.
func New(store *engine.Store, cfg *config.Config, opts Options) *Server {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{store: store, cfg: cfg, opts: opts, log: opts.Log, pages: parsePages(), cache: newCache(cmp.Or(opts.CacheBytes, 64<<20)), state: map[string]*sourceState{},
		work: newWorkLimit(cmp.Or(opts.MaxWork, 2*runtime.GOMAXPROCS(0)), cmp.Or(opts.MaxQueue, 16)), flights: map[string]*flight{}}
	s.reg = prometheus.NewRegistry()
	s.ingests = newIngestMetrics(s.reg)
	s.reg.MustRegister(newStoreCollector(s))
	return s
}

// Handler returns the server's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler())
	mux.HandleFunc("GET /api/v1/leaderboard", s.apiLeaderboard)
	mux.HandleFunc("GET /api/v1/person", s.apiPerson)
	mux.HandleFunc("GET /api/v1/explain", s.apiExplain)
	mux.HandleFunc("GET /api/v1/queries", s.apiQueries)
	mux.HandleFunc("GET /api/v1/queries/{name}", s.apiQuery)
	mux.HandleFunc("GET /api/v1/sources", s.apiSources)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path)
	})
	mux.HandleFunc("GET /{$}", s.pageBoard)
	mux.HandleFunc("GET /person", s.pagePerson)
	return s.guard(mux)
}

// guard asks for the token, when one is set, on everything but /metrics.
func (s *Server) guard(next http.Handler) http.Handler {
	if s.opts.Token == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" || authorized(r, s.opts.Token) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="calvin", charset="UTF-8"`)
		if strings.HasPrefix(r.URL.Path, "/api/") {
			fail(w, http.StatusUnauthorized, "a token is required: Authorization: Bearer TOKEN")
			return
		}
		http.Error(w, "a token is required", http.StatusUnauthorized)
	})
}

// Run serves on ln and pulls the live sources until ctx ends; then it
// stops taking requests, lets the running pull stop (a step under way is
// rolled back, the steps done are kept) and returns.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	// Every connection is bounded in time (a request's header in 10 s, its
	// body in 30 s, its answer in 2 min, an idle keep-alive 30 s) and in
	// number: /metrics needs no token, so no client may hold the server's
	// files.
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 30 * time.Second}
	ln = s.limit(ln, func() {
		// Closing the idle keep-alive connections makes room now.
		hs.SetKeepAlivesEnabled(false)
		hs.SetKeepAlivesEnabled(true)
	})
	var wg sync.WaitGroup
	pullCtx, stopPulls := context.WithCancel(ctx)
	defer stopPulls()
	s.schedule(pullCtx, &wg)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		stopPulls()
		wg.Wait()
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(shutdown)
	stopPulls()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// authorized reports whether r carries the token: "Authorization: Bearer
// TOKEN", or basic authentication with TOKEN as the password (what a
// browser asks a person for). The comparison takes the same time however
// much of the token matches.
func authorized(r *http.Request, token string) bool {
	given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		_, given, ok = r.BasicAuth()
	}
	return ok && subtle.ConstantTimeCompare([]byte(given), []byte(token)) == 1
}
