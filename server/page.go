package server

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/calvinslist/calvin/engine"
)

//go:embed templates/*.html
var templateFiles embed.FS

// parsePages reads the pages' templates.
func parsePages() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"changeClass": func(change string) string {
			switch {
			case change == "new":
				return "new"
			case strings.HasPrefix(change, "+"):
				return "up"
			case strings.HasPrefix(change, "-"):
				return "down"
			}
			return ""
		},
		"percent": func(share float64) string { return fmt.Sprintf("%.0f%%", share*100) },
	}).ParseFS(templateFiles, "templates/*.html"))
}

// boardPage is what board.html shows.
type boardPage struct {
	Title                        string
	Month, Window, Profile, Area string
	Windows, Profiles, Areas     []string
	Board                        *boardJSON
	Error                        string
}

// pageBoard is the leaderboard page: the board the form's selectors ask
// for, with each rank's change against the period before.
func (s *Server) pageBoard(w http.ResponseWriter, r *http.Request) {
	page := boardPage{Windows: engine.Windows, Profiles: slices.Sorted(maps.Keys(engine.Profiles(s.cfg)))}
	if s.cfg != nil {
		page.Areas = slices.Sorted(maps.Keys(s.cfg.Areas))
	}
	code := http.StatusOK
	p, err := readParams(r, "month", "window", "profile", "area")
	var q boardRequest
	if err == nil {
		q, err = s.parseBoard(p)
	}
	if err == nil {
		q.movers = true
		key := "page " + p.v.Encode()
		var b []byte
		b, err = s.cached(r.Context(), key, func() ([]byte, error) {
			board, err := s.leaderboard(r.Context(), q)
			if err != nil {
				return nil, err
			}
			page.Board = board
			page.Month, page.Window, page.Profile, page.Area = board.Month, board.Window, board.Profile, q.board.AreaName
			page.Title = title(board)
			var buf strings.Builder
			if err := s.pages.ExecuteTemplate(&buf, "board.html", page); err != nil {
				return nil, err
			}
			return []byte(buf.String()), nil
		})
		if err == nil {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(b)
			return
		}
	}
	if br := (*badRequest)(nil); errors.As(err, &br) {
		code, page.Error = http.StatusBadRequest, br.msg
	} else if errors.Is(err, errBusy) {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		code, page.Error = http.StatusServiceUnavailable, err.Error()
	} else {
		s.log.Error("page failed", "path", r.URL.Path, "err", err)
		code, page.Error = http.StatusInternalServerError, "internal error"
	}
	page.Title = "Leaderboard"
	page.Month, page.Window, page.Profile = s.lastMonth().Format("2006-01"), "month", "calvin"
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	s.pages.ExecuteTemplate(w, "board.html", page)
}

func title(b *boardJSON) string {
	t := fmt.Sprintf("Top contributors, %s", b.Month)
	if b.Window != "month" {
		t = fmt.Sprintf("Top contributors, %s to %s (%s)", b.From, b.To, b.Window)
	}
	if b.Area != nil {
		t += ", " + *b.Area
	}
	return t + " · " + b.Profile
}

// personPage is what person.html shows.
type personPage struct {
	Title        string
	Person       *personJSON
	Chart        template.HTML
	Explain      *explainJSON
	ExplainMonth string
}

// pagePerson is a person's page: a chart of their months, each month's
// rank and numbers, and the posts behind one month's (the latest, or
// ?month=).
func (s *Server) pagePerson(w http.ResponseWriter, r *http.Request) {
	p, err := readParams(r, "name", "profile", "month")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := "page person " + p.v.Encode()
	month := p.v.Get("month")
	p.v.Del("month")
	b, err := s.cached(r.Context(), key, func() ([]byte, error) {
		person, found, err := s.person(r.Context(), p)
		if err != nil {
			return nil, err
		}
		page := personPage{Title: person.Name, Person: person, Chart: chart(person.Months)}
		if month == "" && len(person.Months) > 0 {
			month = person.Months[len(person.Months)-1].Month
		}
		if month != "" {
			m, err := time.Parse("2006-01", month)
			if err != nil {
				return nil, bad("month: want YYYY-MM, got %q", month)
			}
			if page.Explain, err = s.explainSpan(r.Context(), found, "month", m); err != nil {
				return nil, err
			}
			page.ExplainMonth = month
		}
		var buf strings.Builder
		if err := s.pages.ExecuteTemplate(&buf, "person.html", page); err != nil {
			return nil, err
		}
		return []byte(buf.String()), nil
	})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b)
}

func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	var nf *engine.NotFound
	switch {
	case errors.As(err, new(*badRequest)), errors.As(err, new(*engine.Ambiguous)):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case errors.As(err, &nf):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, errBusy):
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	default:
		s.log.Error("page failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// chart draws a person's months as an inline SVG bar chart: posts sent
// (dark) and replies received (light) per month, months without posts
// left out.
func chart(months []personMonth) template.HTML {
	if len(months) == 0 {
		return ""
	}
	const h, barW, gap, top, bottom = 120.0, 8.0, 6.0, 10.0, 18.0
	var most int64 = 1
	for _, m := range months {
		most = max(most, m.Metrics["posts"], m.Metrics["received"])
	}
	width := float64(len(months))*(2*barW+gap) + gap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="chart" role="img" aria-label="posts sent and replies received per month" viewBox="0 0 %.0f %.0f" width="100%%" style="max-width:%.0fpx" xmlns="http://www.w3.org/2000/svg">`,
		width, h+top+bottom, max(width, 240))
	for i, m := range months {
		x := gap + float64(i)*(2*barW+gap)
		for j, v := range []int64{m.Metrics["posts"], m.Metrics["received"]} {
			bh := h * float64(v) / float64(most)
			fill := []string{"#2b5ea7", "#9dbbe3"}[j]
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.0f" height="%.1f" fill="%s"><title>%s: %d %s</title></rect>`,
				x+float64(j)*barW, top+h-bh, barW, bh, fill, template.HTMLEscapeString(m.Month), v, []string{"posts", "received"}[j])
		}
		if i == 0 || i == len(months)-1 || len(months) <= 12 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f">%s</text>`, x, top+h+14, template.HTMLEscapeString(m.Month))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
