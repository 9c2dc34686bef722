package server

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/calvinslist/calvin/engine"
)

// ingestMetrics are the counters of the server's own pulls.
type ingestMetrics struct {
	runs        *prometheus.CounterVec
	posts       *prometheus.CounterVec
	bad         *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
	up          *prometheus.GaugeVec
}

func newIngestMetrics(reg *prometheus.Registry) *ingestMetrics {
	m := &ingestMetrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calvin_ingest_runs_total", Help: "Pulls of a live source by this server, by result (ok, error).",
		}, []string{"source", "result"}),
		posts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calvin_ingest_posts_stored_total", Help: "Posts new to the store from this server's pulls.",
		}, []string{"source"}),
		bad: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calvin_ingest_bad_records_total", Help: "Bad records reported and skipped by this server's pulls.",
		}, []string{"source"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "calvin_ingest_duration_seconds", Help: "How long this server's pulls took.",
			Buckets: []float64{0.1, 0.5, 1, 5, 15, 60, 300, 1800},
		}, []string{"source"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "calvin_ingest_last_success_timestamp_seconds", Help: "When the last successful pull of the source began (Unix time).",
		}, []string{"source"}),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "calvin_ingest_up", Help: "1 if the source's last pull succeeded, 0 if it failed.",
		}, []string{"source"}),
	}
	reg.MustRegister(m.runs, m.posts, m.bad, m.duration, m.lastSuccess, m.up)
	return m
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{ErrorLog: slogAdapter{s}})
}

type slogAdapter struct{ s *Server }

func (a slogAdapter) Println(v ...any) { a.s.log.Error("metrics", "err", v) }

// storeCollector reads the store's figures at scrape time. They are
// computed once per generation of the data and month (see Server.bump)
// and served from memory until the data change.
type storeCollector struct {
	s *Server

	posts, newest, lag, active, score, entry *prometheus.Desc

	mu      sync.Mutex
	key     string
	metrics []prometheus.Metric
}

func newStoreCollector(s *Server) *storeCollector {
	return &storeCollector{
		s:     s,
		posts: prometheus.NewDesc("calvin_source_posts", "Posts stored, comments included.", []string{"source"}, nil),
		newest: prometheus.NewDesc("calvin_source_newest_post_timestamp_seconds",
			"When the newest stored post was written (Unix time).", []string{"source"}, nil),
		lag: prometheus.NewDesc("calvin_source_lag_seconds",
			"Seconds since the last successful pull of a live source began: everything the source held then is stored.", []string{"source"}, nil),
		active: prometheus.NewDesc("calvin_active_contributors",
			"Accounts that sent a post or comment this month (UTC), per source and area (all: every post).", []string{"source", "area"}, nil),
		score: prometheus.NewDesc("calvin_board_score",
			"This month's boards (month window, per profile and area): the score at each place of the top N.", []string{"profile", "area", "position"}, nil),
		entry: prometheus.NewDesc("calvin_board_entry_info",
			"Who holds each place of this month's boards, and their rank (equal scores share a rank); always 1.",
			[]string{"profile", "area", "position", "rank", "person", "name"}, nil),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.posts, c.newest, c.lag, c.active, c.score, c.entry} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.s.opts.Now().UTC()
	month := engine.MonthOf(now)
	key := strconv.FormatInt(c.s.generation.Load(), 10) + "/" + month.Format("2006-01")
	c.mu.Lock()
	if c.key != key {
		ms, err := c.storeMetrics(context.Background(), month)
		if err != nil {
			c.mu.Unlock()
			c.s.log.Error("metrics from the store", "err", err)
			ch <- prometheus.NewInvalidMetric(c.posts, err)
			return
		}
		c.key, c.metrics = key, ms
	}
	ms := c.metrics
	c.mu.Unlock()
	for _, m := range ms {
		ch <- m
	}
	// The lag moves with the clock, so it is computed at every scrape,
	// on the real clock as the pulls' times are.
	wall := time.Now()
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	for _, name := range slices.Sorted(maps.Keys(c.s.state)) {
		if st := c.s.state[name]; !st.LastSuccess.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, wall.Sub(st.LastSuccess).Seconds(), name)
		}
	}
}

// storeMetrics computes the figures of the store: posts and the newest
// post per source, this month's active contributors per source and area,
// and this month's boards.
func (c *storeCollector) storeMetrics(ctx context.Context, month time.Time) ([]prometheus.Metric, error) {
	s := c.s
	var out []prometheus.Metric
	sources, err := s.store.Sources(ctx)
	if err != nil {
		return nil, err
	}
	for _, st := range sources {
		out = append(out,
			prometheus.MustNewConstMetric(c.posts, prometheus.GaugeValue, float64(st.Posts), st.Source),
			prometheus.MustNewConstMetric(c.newest, prometheus.GaugeValue, float64(st.LastPost.UnixMicro())/1e6, st.Source))
	}
	areas := map[string][]string{"all": nil}
	if s.cfg != nil {
		maps.Copy(areas, s.cfg.Areas)
	}
	for _, area := range slices.Sorted(maps.Keys(areas)) {
		active, err := s.store.ActiveAccounts(ctx, month, month.AddDate(0, 1, 0), areas[area])
		if err != nil {
			return nil, err
		}
		for _, src := range slices.Sorted(maps.Keys(active)) {
			out = append(out, prometheus.MustNewConstMetric(c.active, prometheus.GaugeValue, float64(active[src]), src, area))
		}
	}
	for _, b := range s.metricBoards(month) {
		entries, err := s.store.Leaderboard(ctx, b)
		if err != nil {
			return nil, err
		}
		area := b.AreaName
		if area == "" {
			area = "all"
		}
		for i, e := range entries {
			pos := strconv.Itoa(i + 1)
			out = append(out,
				prometheus.MustNewConstMetric(c.score, prometheus.GaugeValue, e.Score, b.Profile.Name, area, pos),
				prometheus.MustNewConstMetric(c.entry, prometheus.GaugeValue, 1, b.Profile.Name, area, pos, strconv.Itoa(e.Rank), e.Person, e.Name))
		}
	}
	return out, nil
}

// metricBoards are the boards /metrics carries: month m's, for every
// profile, over every post and each configured area, top N as the
// configuration's server.top says.
func (s *Server) metricBoards(m time.Time) []engine.Board {
	top := 10
	if s.cfg != nil {
		top = s.cfg.Server.Top
	}
	var out []engine.Board
	for _, b := range engine.ConfiguredBoards(s.cfg, m, top) {
		if b.Window == "month" {
			out = append(out, b)
		}
	}
	return out
}
