package discourse

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
)

// Site is a live Discourse forum, read through its public JSON API.
type Site struct {
	// URL is the forum's address, https://forum.example.org, what its
	// marks are stored under.
	URL string
	// APIKey and APIUser, if set, are sent with every request (Api-Key,
	// Api-Username): a site that is not public, or higher rate limits.
	APIKey, APIUser string
	// Client makes the requests; nil means one with a 30 s timeout.
	Client *http.Client
	// Interval is the least time between two requests; 0 means 250 ms
	// (four a second, below Discourse's default limits).
	Interval time.Duration
	// Step is the number of topics stored together; 0 means 50.
	Step int
	// Tries is how many times a request is tried when the connection
	// fails or the site answers 5xx or 429, waiting Backoff, then twice
	// that, and so on, in between (a 429's Retry-After when it gives one);
	// 0 means 5 tries, from one second.
	Tries   int
	Backoff time.Duration
	// MaxWait caps a 429's Retry-After (a forum may ask for a day); 0
	// means 10 minutes. A wait of more than 30 s is not waited in place:
	// the pull ends with *ingest.RetryLater, its steps stored, so that
	// whoever pulls (calvin serve, one pull at a time) is not held.
	MaxWait time.Duration
	// Warn, if set, is told of each failure that will be retried.
	Warn func(error)
}

// NewSite returns the forum at rawURL.
func NewSite(rawURL string) (*Site, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: want a forum's http:// or https:// address", rawURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s: credentials do not belong in the URL: set CALVIN_DISCOURSE_API_KEY and CALVIN_DISCOURSE_API_USER", u.Redacted())
	}
	return &Site{URL: strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/")}, nil
}

// Platform returns "discourse".
func (s *Site) Platform() string { return Platform }

// Input returns the forum's address.
func (s *Site) Input() string { return s.URL }

// markGroup is the Group of a site's mark: its value is the bumped_at
// (microseconds since 1970) of the last topic stored, in bumped order.
const markGroup = "topics"

// Pull reads the topics bumped since the site's mark (all of them the
// first time): the latest-topics listing is paged until it reaches the
// mark, then the topics are fetched oldest bump first, each with all its
// posts (those beyond the first chunk by their ids, 20 a request), and
// stored Step topics at a time with the bump time reached. A topic bumped
// exactly at the mark is read again, harmlessly: its posts are merged.
// A topic that cannot be read (gone, 404; private, 403; a malformed body)
// is a bad record, reported with its URL.
func (s *Site) Pull(ctx context.Context, opts ingest.Options, marks []ingest.Mark, store func(array.RecordReader, []ingest.Mark) error) error {
	var since int64
	for _, m := range marks {
		if m.Server == s.URL && m.Group == markGroup {
			since = m.Last
		}
	}
	r := &requester{s: s, max: opts.RecordLimit()}
	cats, err := r.categories(ctx)
	if err != nil {
		return err
	}
	listed, err := r.latest(ctx, since)
	if err != nil {
		return err
	}
	if opts.Stats != nil {
		opts.Stats.ArticlesTotal.Store(int64(len(listed)))
	}
	step := s.Step
	if step <= 0 {
		step = 50
	}
	b := ingest.NewBuilder(opts, Platform)
	defer b.Release()
	var pending []arrow.RecordBatch // the step's full batches
	defer func() {
		for _, rec := range pending {
			rec.Release()
		}
	}()
	var p ingest.Post
	keep := newFilter(opts)
	var topicURL string // for a bad post's report
	add := func(p *ingest.Post) error {
		if ok, err := keep.keep(p, topicURL); !ok {
			return err
		}
		b.Append(p)
		if opts.Stats != nil {
			opts.Stats.Read.Add(1)
		}
		if b.Full() {
			pending = append(pending, b.NewBatch())
		}
		return nil
	}
	for i, lt := range listed {
		t, err := r.topic(ctx, lt.ID)
		var bad *badTopic
		switch {
		case errors.As(err, &bad):
			if err := opts.Reject(&ingest.ParseError{File: bad.url, Err: bad.err}); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			topicURL = s.URL + "/t/" + strconv.FormatInt(lt.ID, 10) + ".json"
			if err := t.posts(cats, opts.Facts, &p, add); err != nil {
				return err
			}
		}
		if opts.Stats != nil {
			opts.Stats.Articles.Add(1)
		}
		if (i+1)%step != 0 && i+1 != len(listed) {
			continue
		}
		if b.Len() > 0 {
			pending = append(pending, b.NewBatch())
		}
		var posts array.RecordReader
		if len(pending) > 0 {
			posts, err = array.NewRecordReader(ingest.Schema(), pending)
			for _, rec := range pending {
				rec.Release()
			}
			pending = pending[:0]
			if err != nil {
				return err
			}
		}
		if err := store(posts, []ingest.Mark{{Server: s.URL, Group: markGroup, Last: lt.BumpedAt.UnixMicro()}}); err != nil {
			return err
		}
	}
	return nil
}

// listedTopic is a topic as the latest-topics listing gives it.
type listedTopic struct {
	ID       int64     `json:"id"`
	BumpedAt time.Time `json:"bumped_at"`
}

// requester makes one pull's requests, no closer together than the
// site's interval.
type requester struct {
	s    *Site
	max  int       // the longest body read (ingest.Options.RecordLimit)
	next time.Time // the earliest time of the next request
}

// latest pages through /latest.json (newest bump first) until a page holds
// no topic bumped at or after since (microseconds; 0: to the end), and
// returns the topics bumped at or after since, oldest bump first.
func (r *requester) latest(ctx context.Context, since int64) ([]listedTopic, error) {
	seen := map[int64]listedTopic{}
	for page := 0; ; page++ {
		var resp struct {
			TopicList struct {
				Topics        []listedTopic `json:"topics"`
				MoreTopicsURL string        `json:"more_topics_url"`
			} `json:"topic_list"`
		}
		if err := r.get(ctx, "/latest.json?order=activity&page="+strconv.Itoa(page), &resp); err != nil {
			return nil, err
		}
		newer := 0
		for _, t := range resp.TopicList.Topics {
			if t.BumpedAt.UnixMicro() >= since {
				seen[t.ID] = t // a topic bumped while paging is met twice: its later bump wins
				newer++
			}
		}
		if newer == 0 || resp.TopicList.MoreTopicsURL == "" || len(resp.TopicList.Topics) == 0 {
			break
		}
	}
	topics := make([]listedTopic, 0, len(seen))
	for _, t := range seen {
		topics = append(topics, t)
	}
	slices.SortFunc(topics, func(a, b listedTopic) int {
		return cmp.Or(a.BumpedAt.Compare(b.BumpedAt), cmp.Compare(a.ID, b.ID))
	})
	return topics, nil
}

// postsPerRequest is how many posts of a long topic are asked for at once.
const postsPerRequest = 20

// topic fetches a topic with all its posts.
func (r *requester) topic(ctx context.Context, id int64) (*Topic, error) {
	var t Topic
	path := "/t/" + strconv.FormatInt(id, 10) + ".json"
	if err := r.get(ctx, path, &t); err != nil {
		return nil, err
	}
	have := make(map[int64]bool, len(t.PostStream.Posts))
	for _, p := range t.PostStream.Posts {
		have[p.ID] = true
	}
	var missing []int64
	for _, pid := range t.PostStream.Stream {
		if !have[pid] {
			missing = append(missing, pid)
		}
	}
	for chunk := range slices.Chunk(missing, postsPerRequest) {
		q := url.Values{}
		for _, pid := range chunk {
			q.Add("post_ids[]", strconv.FormatInt(pid, 10))
		}
		var more struct {
			PostStream struct {
				Posts []Post `json:"posts"`
			} `json:"post_stream"`
		}
		if err := r.get(ctx, "/t/"+strconv.FormatInt(id, 10)+"/posts.json?"+q.Encode(), &more); err != nil {
			return nil, err
		}
		t.PostStream.Posts = append(t.PostStream.Posts, more.PostStream.Posts...)
	}
	slices.SortFunc(t.PostStream.Posts, func(a, b Post) int { return cmp.Compare(a.PostNumber, b.PostNumber) })
	return &t, nil
}

// categories reads the site's category names; a site that will not give
// them (404) leaves them unnamed.
func (r *requester) categories(ctx context.Context) (Categories, error) {
	var raw json.RawMessage
	err := r.get(ctx, "/categories.json?include_subcategories=true", &raw)
	var se *statusError
	if errors.As(err, &se) && se.code == http.StatusNotFound {
		return Categories{}, nil
	}
	if err != nil {
		return nil, err
	}
	return parseCategories(raw)
}

// statusError is a response that is neither a success nor worth trying
// again.
type statusError struct {
	url  string
	code int
}

func (e *statusError) Error() string {
	hint := ""
	switch e.code {
	case http.StatusUnauthorized, http.StatusForbidden:
		hint = " (a private site, or a bad key: CALVIN_DISCOURSE_API_KEY and CALVIN_DISCOURSE_API_USER)"
	case http.StatusNotFound:
		hint = " (not a Discourse site, or no such topic)"
	}
	return fmt.Sprintf("%s: %d %s%s", e.url, e.code, http.StatusText(e.code), hint)
}

// badTopic is a topic that cannot be read: skipped, not fatal.
type badTopic struct {
	url string
	err error
}

func (e *badTopic) Error() string { return e.url + ": " + e.err.Error() }

// get fetches path and decodes its JSON into v, politely: no sooner than
// the site's interval after the last request, trying again with backoff
// when the connection fails or the site answers 5xx, and after the wait
// a 429 asks for. A topic's 403, 404 or malformed body is a *badTopic.
func (r *requester) get(ctx context.Context, path string, v any) error {
	s := r.s
	u := s.URL + path
	tries, wait := s.Tries, s.Backoff
	if tries <= 0 {
		tries = 5
	}
	if wait <= 0 {
		wait = time.Second
	}
	client := s.client()
	isTopic := strings.HasPrefix(path, "/t/")
	for i := 1; ; i++ {
		if err := r.pace(ctx); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept", "application/json")
		if s.APIKey != "" {
			req.Header.Set("Api-Key", s.APIKey)
			req.Header.Set("Api-Username", s.APIUser)
		}
		resp, err := client.Do(req)
		var retry error
		pause := wait
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			retry = err
		case resp.StatusCode == http.StatusOK:
			body, err := io.ReadAll(io.LimitReader(resp.Body, int64(r.max)+1))
			resp.Body.Close()
			if err != nil {
				retry = err
				break
			}
			if len(body) > r.max {
				err := ingest.TooLong(r.max)
				if isTopic {
					return &badTopic{url: u, err: err}
				}
				return fmt.Errorf("%s: %w", u, err)
			}
			if err := json.Unmarshal(body, v); err != nil {
				if isTopic {
					return &badTopic{url: u, err: fmt.Errorf("malformed body: %w", err)}
				}
				return fmt.Errorf("%s: malformed body: %w", u, err)
			}
			return nil
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			resp.Body.Close()
			retry = fmt.Errorf("%s: %s", u, resp.Status)
			if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
				pause = min(d, cmp.Or(s.MaxWait, 10*time.Minute))
				if pause > waitInPlace {
					return &ingest.RetryLater{After: pause, Err: retry}
				}
			}
		default:
			resp.Body.Close()
			err := &statusError{url: u, code: resp.StatusCode}
			if isTopic && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusForbidden) {
				return &badTopic{url: u, err: fmt.Errorf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
			}
			return err
		}
		if i >= tries {
			return fmt.Errorf("%w (gave up after %d tries)", retry, i)
		}
		if s.Warn != nil {
			s.Warn(fmt.Errorf("%w; trying again in %s", retry, pause))
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait *= 2
	}
}

// client returns the client requests go through: s.Client's (or one with
// a 30 s timeout) with redirects checked. The API key goes to the forum's
// own origin only: a redirect to another host, port or scheme is followed
// without Api-Key and Api-Username (Go's client keeps headers it does not
// know to be secrets), so that a forum, or whoever answers for it, cannot
// send the key elsewhere.
func (s *Site) client() *http.Client {
	c := &http.Client{Timeout: 30 * time.Second}
	if s.Client != nil {
		*c = *s.Client
	}
	origin, _ := url.Parse(s.URL)
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != origin.Scheme || req.URL.Host != origin.Host {
			req.Header.Del("Api-Key")
			req.Header.Del("Api-Username")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return c
}

// waitInPlace is the longest Retry-After a pull waits out itself.
const waitInPlace = 30 * time.Second

// pace waits until the site's interval has passed since the last request.
func (r *requester) pace(ctx context.Context) error {
	interval := r.s.Interval
	if interval <= 0 {
		interval = 250 * time.Millisecond
	}
	now := time.Now()
	if d := r.next.Sub(now); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
		now = r.next
	}
	r.next = now.Add(interval)
	return nil
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}
