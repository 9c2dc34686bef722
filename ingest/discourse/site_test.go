package discourse

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/calvinslist/calvin/ingest"
)

// forum replays a Discourse site's API from recorded topics: the saved
// responses of testdata/forum (the shape of /t/{id}.json, as
// ../shared/data/discourse holds real ones) and a long topic made in the
// same shape. /latest.json lists the topics newest bump first, two a page,
// with more_topics_url while there are more, as Discourse does;
// /t/{id}/posts.json?post_ids[]=... gives the posts of a topic by id.
type forum struct {
	t      *testing.T
	mu     sync.Mutex
	topics map[int64]map[string]any // the /t/{id}.json responses
	posts  map[int64][]any          // every post of a topic, for posts.json
	bumped map[int64]time.Time
	// fail, by path, the statuses to answer before the real response
	// (each used once); a status of -1 sends a malformed body, -2 drops
	// the connection.
	fail       map[string][]int
	requests   []string // paths asked for, in order
	apiKey     string   // the Api-Key of the last request
	retryAfter string   // a 429's Retry-After; "" is "1"
}

// chunk is Discourse's first chunk of a topic's posts.
const chunk = 20

func newForum(t *testing.T) *forum {
	f := &forum{t: t, topics: map[int64]map[string]any{}, posts: map[int64][]any{}, bumped: map[int64]time.Time{}, fail: map[string][]int{}}
	for _, id := range []int64{10, 11} {
		data, err := os.ReadFile(fmt.Sprintf("testdata/forum/topics/%d.json", id))
		if err != nil {
			t.Fatal(err)
		}
		var topic map[string]any
		if err := json.Unmarshal(data, &topic); err != nil {
			t.Fatal(err)
		}
		f.add(id, topic)
	}
	f.bumped[10] = time.Date(2021, 4, 1, 0, 0, 0, 0, time.UTC)
	f.bumped[11] = time.Date(2021, 3, 5, 9, 0, 0, 0, time.UTC)
	f.add(20, longTopic())
	f.bumped[20] = time.Date(2021, 5, 1, 0, 24, 0, 0, time.UTC)
	return f
}

// longTopic is topic 20: 25 posts by u1..u5 in turn, each answering the
// one before, a minute apart from 2021-05-01 00:00.
func longTopic() map[string]any {
	var posts, stream []any
	for n := 1; n <= 25; n++ {
		p := map[string]any{
			"id": 200 + n, "post_number": n, "post_type": 1, "username": fmt.Sprintf("u%d", (n-1)%5+1), "name": "",
			"created_at": time.Date(2021, 5, 1, 0, n-1, 0, 0, time.UTC).Format("2006-01-02T15:04:05.000Z"),
			"cooked":     "<p>x</p>", "actions_summary": []any{}, "reply_to_post_number": nil,
		}
		if n > 1 {
			p["reply_to_post_number"] = n - 1
		}
		posts = append(posts, p)
		stream = append(stream, 200+n)
	}
	return map[string]any{"id": 20, "title": "Long", "category_id": 1, "tags": []any{}, "views": 99,
		"post_stream": map[string]any{"posts": posts, "stream": stream}}
}

// add stores a topic's full response; the replayed one holds its first
// chunk of posts only.
func (f *forum) add(id int64, topic map[string]any) {
	ps := topic["post_stream"].(map[string]any)
	all := ps["posts"].([]any)
	f.posts[id] = all
	first := map[string]any{"stream": ps["stream"], "posts": all[:min(chunk, len(all))]}
	copied := map[string]any{}
	for k, v := range topic {
		copied[k] = v
	}
	copied["post_stream"] = first
	f.topics[id] = copied
}

func (f *forum) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := r.URL.Path
	f.requests = append(f.requests, path)
	f.apiKey = r.Header.Get("Api-Key")
	if q := f.fail[path]; len(q) > 0 {
		f.fail[path] = q[1:]
		switch q[0] {
		case -2: // the connection drops before any answer
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case -1:
			w.Write([]byte(`{"id": 11, "post_stream": {"posts": [`))
		case http.StatusTooManyRequests:
			w.Header().Set("Retry-After", cmp.Or(f.retryAfter, "1"))
			w.WriteHeader(q[0])
			w.Write([]byte(`{"errors": ["You’ve performed this action too many times."], "error_type": "rate_limit"}`))
		default:
			w.WriteHeader(q[0])
			w.Write([]byte(`{"errors": ["failed"]}`))
		}
		return
	}
	switch {
	case path == "/categories.json":
		http.ServeFile(w, r, "testdata/forum/categories.json")
	case path == "/latest.json":
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		ids := make([]int64, 0, len(f.bumped))
		for id := range f.bumped {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b int64) int { return f.bumped[b].Compare(f.bumped[a]) })
		var topics []any
		for _, id := range ids[min(2*page, len(ids)):min(2*page+2, len(ids))] {
			topics = append(topics, map[string]any{"id": id, "title": f.topics[id]["title"], "bumped_at": f.bumped[id]})
		}
		list := map[string]any{"topics": topics, "per_page": 2}
		if 2*page+2 < len(ids) {
			list["more_topics_url"] = fmt.Sprintf("/latest?order=activity&page=%d", page+1)
		}
		json.NewEncoder(w).Encode(map[string]any{"users": []any{}, "topic_list": list})
	case strings.HasSuffix(path, "/posts.json"):
		id, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(path, "/t/"), "/posts.json"), 10, 64)
		want := r.URL.Query()["post_ids[]"]
		if len(want) > chunk {
			http.Error(w, "too many", http.StatusBadRequest)
			return
		}
		var out []any
		for _, p := range f.posts[id] {
			if slices.Contains(want, fmt.Sprint(p.(map[string]any)["id"])) {
				out = append(out, p)
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"post_stream": map[string]any{"posts": out}, "id": id})
	case strings.HasPrefix(path, "/t/"):
		id, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(path, "/t/"), ".json"), 10, 64)
		topic, ok := f.topics[id]
		if !ok {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(topic)
	default:
		http.NotFound(w, r)
	}
}

// asked returns the paths requested since the last call.
func (f *forum) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests
	f.requests = nil
	return r
}

// steps keeps what a pull stores, step by step, as the engine would.
type steps struct {
	text  strings.Builder
	marks []ingest.Mark
	n     int
}

func (s *steps) store(rr array.RecordReader, reached []ingest.Mark) error {
	s.n++
	if rr != nil {
		s.text.WriteString(text(rr))
		rr.Release()
	}
	s.marks = reached
	return nil
}

func site(t *testing.T, srv *httptest.Server) *Site {
	s, err := NewSite(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	s.Interval = time.Millisecond
	s.Backoff = 10 * time.Millisecond
	return s
}

// the posts of the long topic, as text writes them.
func longPosts() string {
	var b strings.Builder
	for n := 1; n <= 25; n++ {
		created := time.Date(2021, 5, 1, 0, n-1, 0, 0, time.UTC).Format(time.RFC3339)
		user := fmt.Sprintf("u%d", (n-1)%5+1)
		if n == 1 {
			fmt.Fprintf(&b, "201 201 NULL topic \"Long\" %s %q %s [Uncategorized] 0 99 NULL 8\n", user, user, created)
			continue
		}
		fmt.Fprintf(&b, "%d 201 %d reply \"\" %s %q %s [Uncategorized] 0 NULL NULL 8\n", 200+n, 200+n-1, user, user, created)
	}
	return b.String()
}

// TestSitePull: a first pull pages the listing to its end and reads every
// topic, oldest bump first (11, 10, 20), the long topic's posts past the
// first chunk by their ids; the posts are those the saved files give (see
// TestDir) and the long topic's. A second pull, after topic 11 gains a
// post, asks only for topic 11 and the listing down to the mark.
func TestSitePull(t *testing.T) {
	f := newForum(t)
	srv := httptest.NewServer(f)
	defer srv.Close()
	s := site(t, srv)
	s.Step = 2
	s.APIKey, s.APIUser = "k-123", "calvin"

	st := &steps{}
	stats := new(ingest.Stats)
	if err := s.Pull(context.Background(), ingest.Options{Source: "f", Strict: true, Stats: stats}, nil, st.store); err != nil {
		t.Fatal(err)
	}
	dir := `111 111 NULL topic "Backups" carol "Carol" 2021-03-05T08:00:00Z [category-9 ops] 0 5 NULL 15
112 111 111 reply "" NULL "NULL" 2021-03-05T09:00:00Z [category-9 ops] 0 NULL NULL 20
101 101 NULL topic "How do I start?" alice "Alice A" 2021-03-01T10:00:00Z [Help go sql] 2 40 NULL 11
102 101 101 reply "" bob "bob" 2021-03-01T11:00:00Z [Help go sql] 3 NULL 2021-03-01T11:00:00Z 17
103 101 102 reply "" carol "Carol" 2021-03-02T09:00:00Z [Help go sql] 0 NULL NULL 13
105 101 103 reply "" alice "Alice A" 2021-03-02T10:00:00Z [Help go sql] 1 NULL NULL 14
107 101 101 reply "" dave "Dave" 2021-04-01T00:00:00Z [Help go sql] 0 NULL NULL 11
`
	if got, want := st.text.String(), dir+longPosts(); got != want {
		t.Errorf("first pull: got\n%s\nwant\n%s", got, want)
	}
	if st.n != 2 {
		t.Errorf("%d steps, want 2 (two topics, then one)", st.n)
	}
	wantMark := ingest.Mark{Server: srv.URL, Group: "topics", Last: f.bumped[20].UnixMicro()}
	if len(st.marks) != 1 || st.marks[0] != wantMark {
		t.Errorf("marks %v, want %v", st.marks, wantMark)
	}
	wantAsked := []string{"/categories.json", "/latest.json", "/latest.json", "/t/11.json", "/t/10.json", "/t/20.json", "/t/20/posts.json"}
	if got := f.asked(); !slices.Equal(got, wantAsked) {
		t.Errorf("asked %q, want %q", got, wantAsked)
	}
	if f.apiKey != "k-123" {
		t.Errorf("Api-Key %q, want the key set", f.apiKey)
	}

	// Topic 11 gains a post, bumped after everything else.
	f.mu.Lock()
	topic := f.topics[11]
	ps := topic["post_stream"].(map[string]any)
	post := map[string]any{"id": 113, "post_number": 3, "post_type": 1, "created_at": "2021-06-01T00:00:00.000Z",
		"username": "erin", "name": "", "reply_to_post_number": 2, "cooked": "<p>+1</p>", "actions_summary": []any{}}
	ps["posts"] = append(ps["posts"].([]any), post)
	ps["stream"] = append(ps["stream"].([]any), 113)
	f.posts[11] = append(f.posts[11], post)
	f.bumped[11] = time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	f.mu.Unlock()

	st2 := &steps{}
	if err := s.Pull(context.Background(), ingest.Options{Source: "f", Strict: true}, st.marks, st2.store); err != nil {
		t.Fatal(err)
	}
	// Topic 20, bumped exactly at the mark, is read again (and merged).
	want := `111 111 NULL topic "Backups" carol "Carol" 2021-03-05T08:00:00Z [category-9 ops] 0 5 NULL 15
112 111 111 reply "" NULL "NULL" 2021-03-05T09:00:00Z [category-9 ops] 0 NULL NULL 20
113 111 112 reply "" erin "erin" 2021-06-01T00:00:00Z [category-9 ops] 0 NULL NULL 9
`
	if got := st2.text.String(); got != longPosts()+want {
		t.Errorf("second pull: got\n%s\nwant\n%s", got, longPosts()+want)
	}
	wantAsked = []string{"/categories.json", "/latest.json", "/latest.json", "/t/20.json", "/t/20/posts.json", "/t/11.json"}
	if got := f.asked(); !slices.Equal(got, wantAsked) {
		t.Errorf("second pull asked %q, want %q", got, wantAsked)
	}
}

// TestSitePolite: a 429 is waited out for as long as its Retry-After says
// (1 s), a 500 and a dropped connection are tried again; each is told to
// Warn; requests are spaced by the interval.
func TestSitePolite(t *testing.T) {
	f := newForum(t)
	f.fail["/latest.json"] = []int{http.StatusTooManyRequests}
	f.fail["/t/10.json"] = []int{http.StatusInternalServerError}
	// Go's HTTP client itself sends a request again, once, when a
	// connection it reused drops: two drops reach the pull.
	f.fail["/t/20.json"] = []int{-2, -2}
	srv := httptest.NewServer(f)
	defer srv.Close()
	s := site(t, srv)
	s.Interval = 50 * time.Millisecond
	var warned []string
	s.Warn = func(err error) { warned = append(warned, err.Error()) }
	st := &steps{}
	start := time.Now()
	if err := s.Pull(context.Background(), ingest.Options{Source: "f", Strict: true}, nil, st.store); err != nil {
		t.Fatal(err)
	}
	// Requests: categories, latest (429), latest, latest, 11, 10 (500),
	// 10, then 20 (dropped twice) and 20's posts; between them the 1 s
	// wait and at least 8 intervals.
	other := 0
	for _, p := range f.asked() {
		if p != "/t/20.json" {
			other++
		}
	}
	if other != 8 {
		t.Errorf("%d requests but for topic 20, want 8", other)
	}
	if d := time.Since(start); d < time.Second+8*50*time.Millisecond {
		t.Errorf("took %s, want at least 1.4 s (the Retry-After, and 8 intervals)", d)
	}
	if len(warned) != 3 || !strings.Contains(warned[0], "429 Too Many Requests; trying again in 1s") ||
		!strings.Contains(warned[1], "500 Internal Server Error") || !strings.Contains(warned[2], "/t/20.json\": EOF") {
		t.Errorf("warned %q", warned)
	}
	if got := strings.Count(st.text.String(), "\n"); got != 32 {
		t.Errorf("%d posts stored, want 32", got)
	}
}

// TestSiteErrors: a listing refused (403) ends the pull with a clear
// error; a topic with a malformed body is reported with its URL and
// passed over, fatal with Strict.
func TestSiteErrors(t *testing.T) {
	f := newForum(t)
	srv := httptest.NewServer(f)
	defer srv.Close()
	s := site(t, srv)

	f.fail["/latest.json"] = []int{http.StatusForbidden}
	err := s.Pull(context.Background(), ingest.Options{Source: "f"}, nil, (&steps{}).store)
	if want := srv.URL + "/latest.json?order=activity&page=0: 403 Forbidden (a private site, or a bad key"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("403: got %v, want %q", err, want)
	}

	f.fail["/t/11.json"] = []int{-1}
	var reported []string
	st := &steps{}
	err = s.Pull(context.Background(), ingest.Options{Source: "f", Report: func(err error) { reported = append(reported, err.Error()) }}, nil, st.store)
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.URL + "/t/11.json: malformed body: unexpected end of JSON input"; len(reported) != 1 || reported[0] != want {
		t.Errorf("reported %q, want %q", reported, want)
	}
	if got := strings.Count(st.text.String(), "\n"); got != 30 {
		t.Errorf("%d posts, want 30 (all but topic 11's two)", got)
	}

	f.fail["/t/11.json"] = []int{-1}
	err = s.Pull(context.Background(), ingest.Options{Source: "f", Strict: true}, nil, (&steps{}).store)
	if err == nil || !strings.Contains(err.Error(), "/t/11.json: malformed body") {
		t.Errorf("strict: got %v", err)
	}

	f.fail["/t/10.json"] = []int{500, 500, 500}
	s.Tries = 3
	err = s.Pull(context.Background(), ingest.Options{Source: "f"}, nil, (&steps{}).store)
	if err == nil || !strings.Contains(err.Error(), "500 Internal Server Error (gave up after 3 tries)") {
		t.Errorf("three 500s: got %v", err)
	}
}

// TestSiteRedirectKeepsKey: a forum that redirects a request to another
// host (127.0.0.1 to localhost, another port) gets its answer from there,
// but the API key and user go to the forum's own origin only; a redirect
// within the origin keeps them.
func TestSiteRedirectKeepsKey(t *testing.T) {
	f := newForum(t)
	var mu sync.Mutex
	var elsewhere []string // the Api-Key headers the other host saw
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		elsewhere = append(elsewhere, r.Header.Get("Api-Key")+"|"+r.Header.Get("Api-Username"))
		mu.Unlock()
		f.ServeHTTP(w, r)
	}))
	defer other.Close()
	_, otherPort, _ := net.SplitHostPort(other.Listener.Addr().String())
	var keys []string // the Api-Key headers the forum saw on its own paths
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/categories.json":
			http.Redirect(w, r, "http://localhost:"+otherPort+"/categories.json", http.StatusFound)
			return
		case "/t/10.json":
			http.Redirect(w, r, "/t/010.json", http.StatusMovedPermanently) // within the origin
			return
		}
		mu.Lock()
		keys = append(keys, r.Header.Get("Api-Key"))
		mu.Unlock()
		f.ServeHTTP(w, r)
	}))
	defer srv.Close()
	s := site(t, srv)
	s.APIKey, s.APIUser = "SECRET-KEY-123", "system"
	if err := s.Pull(context.Background(), ingest.Options{Source: "f", Strict: true}, nil, (&steps{}).store); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(elsewhere) != 1 || elsewhere[0] != "|" {
		t.Errorf("the other host saw %q, want one request without a key", elsewhere)
	}
	if len(keys) == 0 || slices.ContainsFunc(keys, func(k string) bool { return k != "SECRET-KEY-123" }) {
		t.Errorf("the forum saw keys %q, want the key on every request", keys)
	}
	if !slices.Contains(f.asked(), "/t/010.json") {
		t.Error("the redirect within the forum was not followed")
	}
}

// TestSiteRetryLater: a forum that answers 429 with Retry-After: 86400 (a
// day) is not waited on in the pull: the pull ends at once with
// *ingest.RetryLater, capped at 10 minutes (MaxWait when set), for the
// caller to come back then; the topics stored before it are kept.
func TestSiteRetryLater(t *testing.T) {
	f := newForum(t)
	f.retryAfter = "86400"
	srv := httptest.NewServer(f)
	defer srv.Close()
	for _, c := range []struct {
		maxWait, want time.Duration
	}{{0, 10 * time.Minute}, {2 * time.Minute, 2 * time.Minute}} {
		f.fail["/t/20.json"] = []int{http.StatusTooManyRequests}
		s := site(t, srv)
		s.MaxWait = c.maxWait
		st := &steps{}
		s.Step = 1
		err := s.Pull(context.Background(), ingest.Options{Source: "f"}, nil, st.store)
		var later *ingest.RetryLater
		if !errors.As(err, &later) || later.After != c.want {
			t.Errorf("MaxWait %s: got %v, want to come back in %s", c.maxWait, err, c.want)
		}
		// Topics 11 and 10, bumped before 20, were stored a step each.
		if got := strings.Count(st.text.String(), "\n"); got != 7 {
			t.Errorf("MaxWait %s: %d posts stored before the 429, want 7 (topics 11 and 10)", c.maxWait, got)
		}
	}
}
