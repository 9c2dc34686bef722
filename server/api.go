package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/calvinslist/calvin/engine"
	"github.com/calvinslist/calvin/queries"
	"github.com/calvinslist/calvin/report"
)

// envelope is every API answer: status "ok" with data, or "error" with
// the error's message and no data.
type envelope struct {
	Status string `json:"status"`
	Data   any    `json:"data"`
	Error  any    `json:"error"`
}

// reply writes data in the envelope with status 200.
func reply(w http.ResponseWriter, data any) {
	b, err := json.Marshal(envelope{Status: "ok", Data: data})
	if err != nil {
		fail(w, http.StatusInternalServerError, "encoding the answer: %v", err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// fail writes an error in the envelope with code.
func fail(w http.ResponseWriter, code int, format string, args ...any) {
	b, _ := json.Marshal(envelope{Status: "error", Error: fmt.Sprintf(format, args...)})
	writeJSON(w, code, b)
}

func writeJSON(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b)
	w.Write([]byte("\n"))
}

// badRequest is a parameter's error: status 400.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func bad(format string, args ...any) error { return &badRequest{fmt.Sprintf(format, args...)} }

// failWith writes err with the status it calls for: 400 for a bad
// parameter, a source the store does not hold or a name that finds
// several people, 404 for one that finds
// nobody, 503 when the request was cancelled, 500 otherwise (logged).
func (s *Server) failWith(w http.ResponseWriter, r *http.Request, err error) {
	var br *badRequest
	var nf *engine.NotFound
	var amb *engine.Ambiguous
	var unknown *engine.UnknownSource
	switch {
	case errors.As(err, &br):
		fail(w, http.StatusBadRequest, "%s", br.msg)
	case errors.As(err, &amb), errors.As(err, &unknown):
		fail(w, http.StatusBadRequest, "%v", err)
	case errors.As(err, &nf):
		fail(w, http.StatusNotFound, "%v", err)
	case errors.Is(err, errBusy):
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		fail(w, http.StatusServiceUnavailable, "%v", err)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		fail(w, http.StatusServiceUnavailable, "request cancelled")
	default:
		s.log.Error("request failed", "path", r.URL.Path, "query", r.URL.RawQuery, "err", err)
		fail(w, http.StatusInternalServerError, "internal error: %v", err)
	}
}

// params reads a request's query parameters, allowing only the names
// given: one value each.
type params struct {
	v    url.Values
	errs []string
}

// The largest query string and parameter value the API takes: larger
// ones are refused before any work (a name, a source, an area is short).
const (
	maxQuery = 8 << 10
	maxParam = 256
)

// queryValues parses a request's query string: one that is too long,
// holds too long a value or does not parse is a bad request (Go's own
// parser, r.URL.Query, drops a query of more than 10,000 parameters
// without a word, and the request would then be answered for none).
func queryValues(r *http.Request) (url.Values, error) {
	if n := len(r.URL.RawQuery); n > maxQuery {
		return nil, bad("the query is %d bytes long: at most %d", n, maxQuery)
	}
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, bad("the query does not parse: %v", err)
	}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		for _, x := range v[k] {
			if len(x) > maxParam {
				return nil, bad("parameter %q is %d bytes long: at most %d", k, len(x), maxParam)
			}
		}
	}
	return v, nil
}

func readParams(r *http.Request, allowed ...string) (*params, error) {
	v, err := queryValues(r)
	if err != nil {
		return nil, err
	}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if !slices.Contains(allowed, k) {
			return nil, bad("unknown parameter %q: this endpoint takes %s", k, strings.Join(allowed, ", "))
		}
	}
	if err := once(v); err != nil {
		return nil, err
	}
	return &params{v: v}, nil
}

// once checks that each parameter is given one value.
func once(v url.Values) error {
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if len(v[k]) > 1 {
			return bad("parameter %q given %d times", k, len(v[k]))
		}
	}
	return nil
}

func (p *params) str(name, def string) string {
	if v := p.v.Get(name); v != "" {
		return v
	}
	return def
}

func (p *params) boolean(name string) bool {
	v := p.v.Get(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.errs = append(p.errs, fmt.Sprintf("%s: want true or false, got %q", name, v))
	}
	return b
}

func (p *params) month(name string, def time.Time) time.Time {
	v := p.v.Get(name)
	if v == "" {
		return def
	}
	m, err := time.Parse("2006-01", v)
	if err != nil {
		p.errs = append(p.errs, fmt.Sprintf("%s: want YYYY-MM, got %q", name, v))
	}
	return m
}

func (p *params) oneOf(name, def string, allowed []string) string {
	v := p.str(name, def)
	if !slices.Contains(allowed, v) {
		p.errs = append(p.errs, fmt.Sprintf("%s: %q is not one of %s", name, v, strings.Join(allowed, ", ")))
	}
	return v
}

// err is every parameter's error, or nil.
func (p *params) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return bad("%s", strings.Join(p.errs, "; "))
}

// lastMonth is the default month: the one before the current month.
func (s *Server) lastMonth() time.Time {
	return engine.MonthOf(s.opts.Now().UTC()).AddDate(0, -1, 0)
}

// boardRequest is a leaderboard asked for, as the CLI's flags ask.
type boardRequest struct {
	board        engine.Board
	live, movers bool
}

// parseBoard reads a board's parameters: month, window, profile, by,
// area, source, top, excluded, live, movers.
func (s *Server) parseBoard(p *params) (boardRequest, error) {
	var q boardRequest
	m := p.month("month", s.lastMonth())
	window := p.oneOf("window", "month", engine.Windows)
	profiles := engine.Profiles(s.cfg)
	profile := p.oneOf("profile", "calvin", slices.Sorted(maps.Keys(profiles)))
	by := p.oneOf("by", "score", append([]string{"score"}, engine.MetricNames()...))
	top := 10
	if v := p.v.Get("top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			p.errs = append(p.errs, fmt.Sprintf("top: want a number from 1 to 1000, got %q", v))
		}
		top = n
	}
	excluded := p.boolean("excluded")
	q.live, q.movers = p.boolean("live"), p.boolean("movers")
	q.board = engine.Board{Month: m, Window: window, Source: p.str("source", ""), By: by, Top: top,
		Profile: engine.Profile{Name: profile, Weights: profiles[profile]}, ListExcluded: excluded}
	q.board.Configure(s.cfg)
	if area := p.str("area", ""); area != "" {
		if err := q.board.SetArea(s.cfg, area); err != nil {
			p.errs = append(p.errs, "area: "+err.Error())
		}
	}
	return q, p.err()
}

// boardParams are the leaderboard's parameters, the CLI's flags.
var boardParams = []string{"month", "window", "profile", "by", "area", "source", "top", "excluded", "live", "movers"}

func (s *Server) apiLeaderboard(w http.ResponseWriter, r *http.Request) {
	p, err := readParams(r, boardParams...)
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	q, err := s.parseBoard(p)
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	s.replyCached(w, r, "api "+p.v.Encode(), func() (any, error) { return s.leaderboard(r.Context(), q) })
}

// replyCached answers r with the data that answer makes, as the envelope,
// through the cache under key (see cached).
func (s *Server) replyCached(w http.ResponseWriter, r *http.Request, key string, answer func() (any, error)) {
	b, err := s.cached(r.Context(), key, func() ([]byte, error) {
		data, err := answer()
		if err != nil {
			return nil, err
		}
		return json.Marshal(envelope{Status: "ok", Data: data})
	})
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// boardJSON is a leaderboard as the API gives it.
type boardJSON struct {
	Month       string      `json:"month"`
	Window      string      `json:"window"`
	From        string      `json:"from"`
	To          string      `json:"to"`
	Profile     string      `json:"profile"`
	By          string      `json:"by"`
	Area        *string     `json:"area"`
	Source      *string     `json:"source"`
	PublishedAt *time.Time  `json:"published_at"`
	Entries     []entryJSON `json:"entries"`
	Dropped     []dropJSON  `json:"dropped,omitempty"`
}

type entryJSON struct {
	Rank         int              `json:"rank"`
	Previous     *int             `json:"previous,omitempty"`
	Change       string           `json:"change,omitempty"`
	Name         string           `json:"name"`
	Person       string           `json:"person"`
	Sources      string           `json:"sources"`
	Accounts     []accountJSON    `json:"accounts"`
	Score        float64          `json:"score"`
	Value        float64          `json:"value"`
	Metrics      map[string]int64 `json:"metrics"`
	ActiveMonths *int             `json:"active_months,omitempty"`
	LongestRun   *int             `json:"longest_run,omitempty"`
	Excluded     string           `json:"excluded,omitempty"`
}

type accountJSON struct {
	Source string `json:"source"`
	Author string `json:"author"`
}

type dropJSON struct {
	Name   string `json:"name"`
	Person string `json:"person"`
	Rank   int    `json:"rank"`
	Now    int    `json:"now"`
}

// metricsJSON names an entry's metrics as the tables do.
func metricsJSON(m engine.Metrics) map[string]int64 {
	out := map[string]int64{}
	for i, v := range m.Values() {
		out[engine.MetricNames()[i]] = v
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// leaderboard makes a board as the CLI does: a published board as
// published unless live is asked (or something publishing does not
// keep), and the movers on request.
func (s *Server) leaderboard(ctx context.Context, q boardRequest) (*boardJSON, error) {
	b := q.board
	first, last, err := engine.Span(b.Window, b.Month)
	if err != nil {
		return nil, bad("%v", err)
	}
	out := &boardJSON{Month: b.Month.Format("2006-01"), Window: b.Window, From: first.Format(time.DateOnly), To: last.Format(time.DateOnly),
		Profile: b.Profile.Name, By: b.By, Area: optional(b.AreaName), Source: optional(b.Source), Entries: []entryJSON{}}
	entries, at, err := s.store.ReadBoard(ctx, b, q.live || q.movers)
	if err != nil {
		return nil, err
	}
	if !at.IsZero() {
		out.PublishedAt = &at
	}
	var moves *engine.Moves
	if q.movers {
		mv, err := s.store.Movers(ctx, b, entries)
		if err != nil {
			return nil, err
		}
		moves = &mv
		for _, d := range mv.Dropped {
			out.Dropped = append(out.Dropped, dropJSON{Name: d.Name, Person: d.Person, Rank: d.Rank, Now: d.Now})
		}
	}
	for _, e := range entries {
		out.Entries = append(out.Entries, entryOf(e, b.Window != "month", moves))
	}
	return out, nil
}

func entryOf(e engine.Entry, window bool, moves *engine.Moves) entryJSON {
	j := entryJSON{Rank: e.Rank, Name: e.Name, Person: e.Person, Sources: e.Source, Accounts: []accountJSON{},
		Score: e.Score, Value: e.Value, Metrics: metricsJSON(e.Metrics), Excluded: e.Excluded}
	for _, a := range e.AccountList {
		j.Accounts = append(j.Accounts, accountJSON{a[0], a[1]})
	}
	if window {
		j.ActiveMonths, j.LongestRun = &e.ActiveMonths, &e.LongestRun
	}
	if moves != nil {
		prev, change := moves.Change(e)
		if prev > 0 {
			j.Previous = &prev
		}
		j.Change = change
	}
	return j
}

// personJSON is a person's history.
type personJSON struct {
	Key      string        `json:"key"`
	Name     string        `json:"name"`
	Profile  string        `json:"profile"`
	Accounts []accountJSON `json:"accounts"`
	Months   []personMonth `json:"months"`
	Focus    *focusJSON    `json:"focus"`
}

type personMonth struct {
	Month    string           `json:"month"`
	Rank     int              `json:"rank"`
	Excluded string           `json:"excluded,omitempty"`
	Score    float64          `json:"score"`
	Metrics  map[string]int64 `json:"metrics"`
	TopArea  *string          `json:"top_area"`
	Share    float64          `json:"share"`
}

type focusJSON struct {
	Area  string  `json:"area"`
	Share float64 `json:"share"`
	Posts int     `json:"posts"`
}

func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request) {
	p, err := readParams(r, "name", "profile")
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	s.replyCached(w, r, "person "+p.v.Encode(), func() (any, error) {
		data, _, err := s.person(r.Context(), p)
		return data, err
	})
}

// findPerson finds the person the parameter name names (required),
// among the configuration's people too; board carries them and the
// exclusions.
func (s *Server) findPerson(ctx context.Context, p *params) (engine.Found, engine.Board, error) {
	var board engine.Board
	name := p.str("name", "")
	if name == "" {
		p.errs = append(p.errs, "name: required (a person's name, an account, or a key)")
	}
	if err := p.err(); err != nil {
		return engine.Found{}, board, err
	}
	board.Configure(s.cfg)
	found, err := s.store.FindPerson(ctx, name, board.People)
	return found, board, err
}

// person reads a person's history: name (required), profile. It returns
// whom the name found too.
func (s *Server) person(ctx context.Context, p *params) (*personJSON, engine.Found, error) {
	profiles := engine.Profiles(s.cfg)
	profile := p.oneOf("profile", "calvin", slices.Sorted(maps.Keys(profiles)))
	found, board, err := s.findPerson(ctx, p)
	if err != nil {
		return nil, found, err
	}
	board.Profile = engine.Profile{Name: profile, Weights: profiles[profile]}
	var areas map[string][]string
	if s.cfg != nil && len(s.cfg.Areas) > 0 {
		areas = s.cfg.Areas
	}
	history, err := s.store.History(ctx, board, found, areas)
	if err != nil {
		return nil, found, err
	}
	out := &personJSON{Key: found.Key, Name: found.Name, Profile: profile, Accounts: []accountJSON{}, Months: []personMonth{}}
	for _, a := range found.Accounts {
		out.Accounts = append(out.Accounts, accountJSON{a[0], a[1]})
	}
	for _, pm := range history.Months {
		out.Months = append(out.Months, personMonth{Month: pm.Month.Format("2006-01"), Rank: pm.Entry.Rank, Excluded: pm.Entry.Excluded,
			Score: pm.Entry.Score, Metrics: metricsJSON(pm.Entry.Metrics), TopArea: optional(pm.TopArea), Share: pm.Share})
	}
	if history.TopArea != "" {
		out.Focus = &focusJSON{Area: history.TopArea, Share: history.Share, Posts: history.Posts}
	}
	return out, found, nil
}

// explainJSON is the posts behind a person's numbers.
type explainJSON struct {
	Key    string         `json:"key"`
	Name   string         `json:"name"`
	From   string         `json:"from"`
	To     string         `json:"to"`
	Counts map[string]int `json:"counts"`
	Posts  []whyJSON      `json:"posts"`
}

type whyJSON struct {
	Metric string    `json:"metric"`
	Source string    `json:"source"`
	PostID string    `json:"post_id"`
	Kind   string    `json:"kind"`
	At     time.Time `json:"at"`
	Other  string    `json:"other"`
	Thread string    `json:"thread"`
}

func (s *Server) apiExplain(w http.ResponseWriter, r *http.Request) {
	p, err := readParams(r, "name", "month", "window")
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	if p.v.Get("month") == "" {
		p.errs = append(p.errs, "month: required, YYYY-MM")
	}
	s.replyCached(w, r, "explain "+p.v.Encode(), func() (any, error) { return s.explain(r.Context(), p) })
}

// explain lists the posts behind a person's numbers: name, month, window.
func (s *Server) explain(ctx context.Context, p *params) (*explainJSON, error) {
	m := p.month("month", s.lastMonth())
	window := p.oneOf("window", "month", engine.Windows)
	found, _, err := s.findPerson(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.explainSpan(ctx, found, window, m)
}

// explainSpan lists the posts behind found's numbers over the window
// ending with month m.
func (s *Server) explainSpan(ctx context.Context, found engine.Found, window string, m time.Time) (*explainJSON, error) {
	first, last, err := engine.Span(window, m)
	if err != nil {
		return nil, bad("%v", err)
	}
	whys, err := s.store.Explain(ctx, found.Accounts, first, last.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	out := &explainJSON{Key: found.Key, Name: found.Name, From: first.Format(time.DateOnly), To: last.Format(time.DateOnly),
		Counts: map[string]int{}, Posts: []whyJSON{}}
	for _, w := range whys {
		out.Posts = append(out.Posts, whyJSON{w.Metric, w.Source, w.PostID, w.Kind, w.At.UTC(), w.Other, w.Thread})
		out.Counts[w.Metric]++
	}
	return out, nil
}

type reportJSON struct {
	Name    string      `json:"name"`
	Summary string      `json:"summary"`
	Params  []paramJSON `json:"params"`
}

type paramJSON struct {
	Name     string  `json:"name"`
	Doc      string  `json:"doc"`
	Required bool    `json:"required"`
	Default  *string `json:"default"`
}

func (s *Server) apiQueries(w http.ResponseWriter, r *http.Request) {
	if _, err := readParams(r); err != nil {
		s.failWith(w, r, err)
		return
	}
	reports, err := queries.Reports()
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	out := []reportJSON{}
	for _, rep := range reports {
		j := reportJSON{Name: rep.Name, Summary: rep.Summary, Params: []paramJSON{}}
		for _, p := range rep.Params {
			j.Params = append(j.Params, paramJSON{p.Name, p.Doc, p.Required, p.Default})
		}
		out = append(out, j)
	}
	reply(w, out)
}

// apiQuery runs a named report with the request's parameters.
func (s *Server) apiQuery(w http.ResponseWriter, r *http.Request) {
	rep, err := queries.GetReport(r.PathValue("name"))
	if err != nil {
		fail(w, http.StatusNotFound, "%v", err)
		return
	}
	v, err := queryValues(r)
	if err == nil {
		err = once(v)
	}
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	given := map[string]string{}
	for k := range v {
		given[k] = v.Get(k)
	}
	bind, err := rep.Bind(given)
	if err != nil {
		s.failWith(w, r, bad("%v", err))
		return
	}
	release, err := s.work.acquire(r.Context())
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	defer release()
	rows, err := s.store.DB().QueryContext(r.Context(), rep.SQL, bind...)
	if err != nil {
		s.failWith(w, r, bad("%s: %v", rep.Name, err))
		return
	}
	defer rows.Close()
	t, err := report.FromRows(rows)
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, "json", t); err != nil {
		s.failWith(w, r, err)
		return
	}
	reply(w, map[string]any{"name": rep.Name, "columns": t.Columns, "rows": json.RawMessage(buf.Bytes())})
}

// sourceJSON is a source, declared or stored, and its ingest state.
type sourceJSON struct {
	Name        string     `json:"name"`
	Platform    string     `json:"platform"`
	Declared    bool       `json:"declared"`
	Locations   []string   `json:"locations,omitempty"`
	Interval    string     `json:"interval,omitempty"`
	Posts       int64      `json:"posts"`
	NewestPost  *time.Time `json:"newest_post"`
	LastIngest  *time.Time `json:"last_ingest"`
	Runs        int64      `json:"runs"`
	LastPull    *time.Time `json:"last_pull,omitempty"`
	LastSuccess *time.Time `json:"last_success,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	NextPull    *time.Time `json:"next_pull,omitempty"`
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	if _, err := readParams(r); err != nil {
		s.failWith(w, r, err)
		return
	}
	data, err := s.sources(r.Context())
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	reply(w, data)
}

func (s *Server) sources(ctx context.Context) ([]*sourceJSON, error) {
	byName := map[string]*sourceJSON{}
	var order []string
	if s.cfg != nil {
		for _, src := range s.cfg.Sources {
			j := &sourceJSON{Name: src.Name, Platform: src.Platform, Declared: true, Locations: src.Locations}
			if src.Interval > 0 {
				j.Interval = src.Interval.String()
			}
			byName[src.Name] = j
			order = append(order, src.Name)
		}
	}
	stored, err := s.store.Sources(ctx)
	if err != nil {
		return nil, err
	}
	for _, st := range stored {
		j := byName[st.Source]
		if j == nil {
			j = &sourceJSON{Name: st.Source, Platform: st.Platform}
			byName[st.Source] = j
			order = append(order, st.Source)
		}
		j.Posts, j.NewestPost, j.LastIngest, j.Runs = st.Posts, &st.LastPost, st.LastIngest, st.Runs
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*sourceJSON{}
	for _, name := range order {
		j := byName[name]
		if st := s.state[name]; st != nil {
			j.LastPull, j.LastSuccess, j.NextPull = timePtr(st.LastStart), timePtr(st.LastSuccess), timePtr(st.Next)
			j.LastError = st.LastError
		}
		out = append(out, j)
	}
	return out, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
