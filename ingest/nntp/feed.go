// Package nntp pulls posts from a live news server (RFC 3977): the
// overviews of the articles of the groups asked for, in steps of article
// ranges, so that no article body is fetched to rank people, and a pull
// that is cut off resumes after the last step stored.
package nntp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/message"
)

// Platform is the platform column of posts pulled from news servers.
const Platform = "nntp"

// Read methods: how a feed reads the headers it needs.
const (
	MethodOver = "over" // OVER, or XOVER: one line an article
	MethodHdr  = "hdr"  // HDR (XHDR), one command a field
	MethodHead = "head" // HEAD, one command an article
)

// Feed is the groups of one news server.
type Feed struct {
	// Server is the server's address as news://host:port (nntps:// for
	// TLS), what its marks are stored under.
	Server string
	// Groups is a wildmat: group names or patterns separated by commas,
	// "!" excluding ("comp.lang.*,!comp.lang.java.*").
	Groups string
	Dialer Dialer
	// Step is the number of articles read and stored together; 0 means
	// 5,000.
	Step int64
	// Method forces a way of reading headers (MethodOver, MethodHdr,
	// MethodHead); "" picks the best the server offers.
	Method string
	// Tries is how many times a step is tried when the connection fails or
	// times out, waiting Backoff, then twice that, and so on, in between;
	// 0 means 5 tries, from one second.
	Tries   int
	Backoff time.Duration
	// Warn, if set, is told of each failure that will be retried.
	Warn func(error)
}

// Parse reads a feed's URL: news://host[:port]/groups or nntp://...
// (TCP, port 119, upgraded with STARTTLS when the server offers it) and
// nntps://[user@]host[:port]/groups (TLS, port 563). groups is a wildmat.
// A user's password is not in the URL; the caller sets Dialer.Password.
func Parse(raw string) (*Feed, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	f := &Feed{}
	port := "119"
	switch u.Scheme {
	case "news", "nntp":
	case "nntps":
		port = "563"
		f.Dialer.TLS = true
	default:
		return nil, fmt.Errorf("%s: want a news://, nntp:// or nntps:// URL", raw)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%s: no server", raw)
	}
	if _, set := u.User.Password(); set {
		return nil, fmt.Errorf("%s: a password does not belong in the URL: set CALVIN_NNTP_PASSWORD", u.Redacted())
	}
	if u.Port() != "" {
		port = u.Port()
	}
	f.Dialer.Addr = net.JoinHostPort(u.Hostname(), port)
	f.Dialer.User = u.User.Username()
	f.Groups = strings.Trim(u.Path, "/")
	if f.Groups == "" {
		return nil, fmt.Errorf("%s: no groups: add them after the server, as news://%s/comp.lang.go,comp.lang.c", raw, u.Host)
	}
	scheme := "news"
	if f.Dialer.TLS {
		scheme = "nntps"
	}
	f.Server = scheme + "://" + f.Dialer.Addr
	return f, nil
}

// Platform returns "nntp".
func (f *Feed) Platform() string { return Platform }

// Input returns the server and groups, without credentials.
func (f *Feed) Input() string { return f.Server + "/" + f.Groups }

// Pull reads the groups matching f.Groups in name order, each from the
// article after its mark (or its first) to its last, in steps of f.Step
// articles; store gets each step's posts and the group's new mark. An
// article's areas are its Newsgroups where the method reads them (HDR,
// HEAD), else the groups its Xref names (an overview has no Newsgroups;
// Xref names the groups of this server it was filed in, crossposts
// included), else the group it was read in. Its
// body_bytes is the article's size (:bytes), header included: the body
// alone is not known without fetching it. A crossposted article is stored
// once. Article numbers the server no longer has (423) are passed over.
func (f *Feed) Pull(ctx context.Context, opts ingest.Options, marks []ingest.Mark, store func(array.RecordReader, []ingest.Mark) error) error {
	p := &puller{f: f, opts: opts}
	defer p.close()
	var pending []arrow.RecordBatch // the step's batches
	p.c = message.NewCollector(opts, Platform, "", func(b arrow.RecordBatch) error {
		pending = append(pending, b)
		return nil
	})
	defer p.c.Release()
	defer func() {
		for _, b := range pending {
			b.Release()
		}
	}()

	var groups []Group
	err := p.try(ctx, "groups "+f.Groups, func(c *Client) error {
		var err error
		groups, err = c.List(f.Groups)
		return err
	})
	if err != nil {
		return err
	}
	if len(groups) == 0 {
		return fmt.Errorf("%s: no group matches %q", f.Server, f.Groups)
	}
	slices.SortFunc(groups, func(a, b Group) int { return strings.Compare(a.Name, b.Name) })
	last := map[string]int64{}
	for _, m := range marks {
		if m.Server == f.Server {
			last[m.Group] = m.Last
		}
	}
	step := f.Step
	if step <= 0 {
		step = 5000
	}
	if opts.Stats != nil {
		var todo int64
		for _, g := range groups {
			if from := max(last[g.Name]+1, g.Low); sane(g) && g.High >= from {
				// Summed without overflow: a hostile server's numbers
				// reach the top of int64.
				todo += min(g.High-from, math.MaxInt64-1-todo) + 1
			}
		}
		opts.Stats.ArticlesTotal.Store(todo)
	}
	for _, g := range groups {
		var cur Group
		err := p.try(ctx, "group "+g.Name, func(c *Client) error {
			var err error
			cur, err = p.selectGroup(g.Name)
			return err
		})
		var bad *badGroup
		if errors.As(err, &bad) || err == nil && !sane(cur) {
			// A group whose numbers make no sense (a broken or hostile
			// server) is reported and passed over; the others are read.
			why := error(bad)
			if why == nil {
				why = fmt.Errorf("article numbers make no sense: low %d, high %d", cur.Low, cur.High)
			}
			if err := opts.Reject(&ingest.ParseError{File: f.Server + "/" + g.Name, Err: why}); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		p.c.SetList(g.Name)
		err = steps(max(last[g.Name]+1, cur.Low), cur.High, step, func(lo, hi int64) error {
			if err := p.readRange(ctx, g.Name, lo, hi); err != nil {
				return err
			}
			if err := p.c.Flush(); err != nil {
				return err
			}
			var posts array.RecordReader
			if len(pending) > 0 {
				rr, err := array.NewRecordReader(ingest.Schema(), pending)
				for _, b := range pending {
					b.Release()
				}
				pending = pending[:0]
				if err != nil {
					return err
				}
				posts = rr
			}
			if err := store(posts, []ingest.Mark{{Server: f.Server, Group: g.Name, Last: hi}}); err != nil {
				return err
			}
			if opts.Stats != nil {
				opts.Stats.Articles.Add(hi - lo + 1)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// sane reports whether a group's numbers can be read: none negative (an
// empty group has its high below its low, or both 0).
func sane(g Group) bool { return g.Low >= 0 && g.High >= 0 }

// steps calls fn with lo to hi in ranges of step articles, the last one
// shorter, without overflowing at the top of the numbers (a group ending
// at 9223372036854775807 is read to there and no further).
func steps(lo, hi, step int64, fn func(lo, hi int64) error) error {
	lo = max(lo, 1)
	for lo <= hi {
		end := hi
		if hi-lo >= step {
			end = lo + step - 1
		}
		if err := fn(lo, end); err != nil {
			return err
		}
		if end == hi {
			return nil
		}
		lo = end + 1
	}
	return nil
}

// puller is the state of one Pull: its connection, made again when lost.
type puller struct {
	f      *Feed
	opts   ingest.Options
	c      *message.Collector
	conn   *Client
	group  string // the current group of conn
	method string
	// fields are the overview's fields after the standard seven, once
	// haveFields.
	fields     []string
	haveFields bool
}

// connect returns the connection, dialling it when there is none.
func (p *puller) connect(ctx context.Context) (*Client, error) {
	if p.conn != nil {
		return p.conn, nil
	}
	d := p.f.Dialer
	if d.MaxLine == 0 {
		d.MaxLine = p.opts.RecordLimit()
	}
	c, err := d.Dial(ctx)
	if err != nil {
		return nil, err
	}
	p.conn, p.group = c, ""
	p.method = p.f.Method
	if p.method == "" {
		switch {
		case c.Has("OVER") || len(c.caps) == 0: // XOVER is tried on servers older than CAPABILITIES
			p.method = MethodOver
		case c.Has("HDR"):
			p.method = MethodHdr
		default:
			p.method = MethodHead
		}
	}
	if p.method == MethodOver && !p.haveFields {
		fields, err := c.OverviewFormat()
		if err != nil {
			return nil, p.drop(err)
		}
		p.fields, p.haveFields = fields, true
	}
	return c, nil
}

// selectGroup makes name the connection's current group.
func (p *puller) selectGroup(name string) (Group, error) {
	g, err := p.conn.Select(name)
	if err == nil {
		p.group = name
	}
	return g, err
}

// drop closes a connection that failed, so that the next try dials again.
func (p *puller) drop(err error) error {
	if p.conn != nil {
		p.conn.conn.Close()
		p.conn = nil
	}
	return err
}

func (p *puller) close() {
	if p.conn != nil {
		p.conn.Close()
	}
}

// try runs fn on a connection, dialling again and retrying with backoff
// when the connection fails or times out; a response of the server is not
// retried, but for 400 (the server is closing the connection).
func (p *puller) try(ctx context.Context, what string, fn func(*Client) error) error {
	tries, wait := p.f.Tries, p.f.Backoff
	if tries <= 0 {
		tries = 5
	}
	if wait <= 0 {
		wait = time.Second
	}
	for i := 1; ; i++ {
		c, err := p.connect(ctx)
		if err == nil {
			err = fn(c)
		}
		if err == nil {
			return nil
		}
		retry := retryable(err)
		if retry {
			p.drop(nil)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !retry || i >= tries {
			if retry {
				return fmt.Errorf("%s: %s: %w (gave up after %d tries)", p.f.Server, what, err, i)
			}
			var nerr *Error
			if errors.As(err, &nerr) && nerr.Code == 480 && p.f.Dialer.User == "" {
				return fmt.Errorf("%s: %s: %w (the server wants a user: name one in the URL, USER@HOST, and set CALVIN_NNTP_PASSWORD)", p.f.Server, what, err)
			}
			return fmt.Errorf("%s: %s: %w", p.f.Server, what, err)
		}
		if p.f.Warn != nil {
			p.f.Warn(fmt.Errorf("%s: %s: %w; trying again in %s", p.f.Server, what, err, wait))
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait *= 2
	}
}

// retryable reports whether err is a failure of the connection (it
// dropped, timed out, was refused, or the server said 400 before closing
// it) that trying again may mend; a response to a command or a TLS
// certificate that does not verify is not.
func retryable(err error) bool {
	var nerr *Error
	if errors.As(err, &nerr) {
		return nerr.Code == 400
	}
	var cert *tls.CertificateVerificationError
	if errors.As(err, &cert) {
		return false
	}
	var neterr net.Error
	return errors.As(err, &neterr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// readRange reads the headers of articles lo to hi of group and adds them
// as posts. The range is read whole before any post is added, so that a
// try cut off half way adds nothing.
func (p *puller) readRange(ctx context.Context, group string, lo, hi int64) error {
	var arts []article
	what := fmt.Sprintf("%s %d-%d", group, lo, hi)
	err := p.try(ctx, what, func(c *Client) error {
		if p.group != group {
			if _, err := p.selectGroup(group); err != nil {
				return err
			}
		}
		var err error
		arts, err = p.fetch(c, lo, hi)
		return err
	})
	if err != nil {
		return err
	}
	file := p.f.Server + "/" + group
	for i := range arts {
		a := &arts[i]
		if a.err != nil {
			if err := p.opts.Reject(&ingest.ParseError{File: file, Line: a.num, Err: a.err}); err != nil {
				return err
			}
			continue
		}
		h := message.ParseHeader(a.header)
		if len(h.Newsgroups) == 0 {
			h.Newsgroups = xrefGroups(a.xref)
		}
		if err := p.c.AddHeader(file, a.num, &h, a.bytes, time.Time{}, a.header); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// article is what a read method gives of one article.
type article struct {
	num    int64
	header []byte // the fields Calvin reads, as header lines
	xref   []byte // the Xref field's value
	bytes  int64  // the article's size
	err    error  // why the article cannot be read, if it cannot
}

// fetch reads articles lo to hi with the connection's method.
func (p *puller) fetch(c *Client, lo, hi int64) ([]article, error) {
	switch p.method {
	case MethodHdr:
		return fetchHdr(c, lo, hi)
	case MethodHead:
		return fetchHead(c, lo, hi)
	}
	var arts []article
	_, err := c.Over(lo, hi, func(line []byte) error {
		arts = append(arts, overviewArticle(line, p.fields))
		return nil
	})
	return arts, err
}

// overviewArticle reads an overview line: the number, then Subject, From,
// Date, Message-ID, References, :bytes, :lines, then the fields extra
// names (LIST OVERVIEW.FMT's, "Xref:full" for instance), tab-separated.
func overviewArticle(line []byte, extra []string) article {
	f := bytes.Split(line, []byte{'\t'})
	n, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil || len(f) < 8 {
		return article{num: n, err: fmt.Errorf("bad overview line %q", line)}
	}
	a := article{num: n}
	a.bytes, _ = strconv.ParseInt(string(bytes.TrimSpace(f[6])), 10, 64)
	for i, name := range []string{"Subject", "From", "Date", "Message-ID", "References"} {
		a.header = appendField(a.header, name, f[i+1])
	}
	for i, name := range extra {
		if 8+i >= len(f) {
			break
		}
		v := f[8+i]
		field, full := strings.CutSuffix(name, ":full")
		field = strings.TrimSuffix(field, ":")
		if full { // the value is "Name: value"
			if _, after, ok := bytes.Cut(v, []byte{':'}); ok {
				v = bytes.TrimSpace(after)
			}
		}
		if strings.EqualFold(field, "Xref") {
			a.xref = v
			continue
		}
		a.header = appendField(a.header, field, v)
	}
	return a
}

// fetchHdr reads the fields one HDR command each and puts them together
// by article number.
func fetchHdr(c *Client, lo, hi int64) ([]article, error) {
	byNum := map[int64]*article{}
	var order []int64
	for _, name := range []string{"Subject", "From", "Date", "Message-ID", "References", "Newsgroups", "Xref", ":bytes"} {
		_, err := c.Hdr(name, lo, hi, func(n int64, v []byte) error {
			a := byNum[n]
			if a == nil {
				a = &article{num: n}
				byNum[n] = a
				order = append(order, n)
			}
			switch name {
			case "Xref":
				a.xref = bytes.Clone(v)
			case ":bytes":
				a.bytes, _ = strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
			default:
				a.header = appendField(a.header, name, v)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(order)
	arts := make([]article, len(order))
	for i, n := range order {
		arts[i] = *byNum[n]
	}
	return arts, nil
}

// fetchHead reads the articles' headers one HEAD command each. Their size
// is not known: body_bytes is 0.
func fetchHead(c *Client, lo, hi int64) ([]article, error) {
	var arts []article
	for n := lo; n <= hi; n++ {
		h, ok, err := c.Head(n)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue // expired or cancelled
		}
		arts = append(arts, article{num: n, header: h, xref: headerValue(h, "Xref")})
	}
	return arts, nil
}

// headerValue returns the value of a header's field, or nil.
func headerValue(h []byte, name string) []byte {
	for line := range bytes.Lines(h) {
		if k, v, ok := bytes.Cut(line, []byte{':'}); ok && strings.EqualFold(string(k), name) {
			return bytes.TrimSpace(v)
		}
	}
	return nil
}

func appendField(h []byte, name string, v []byte) []byte {
	if len(bytes.TrimSpace(v)) == 0 {
		return h
	}
	h = append(h, name...)
	h = append(h, ": "...)
	h = append(h, v...)
	return append(h, '\n')
}

// xrefGroups returns the groups of an Xref value, "host group:n group:n".
func xrefGroups(v []byte) []string {
	f := strings.Fields(string(v))
	var groups []string
	for _, e := range f[min(1, len(f)):] {
		if g, _, ok := strings.Cut(e, ":"); ok && g != "" {
			groups = append(groups, g)
		}
	}
	return groups
}
