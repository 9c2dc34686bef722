// Package sedump writes synthetic Stack Exchange data dumps for benchmarks:
// Posts.xml, Comments.xml, Users.xml and Votes.xml in the published format,
// deterministic for a seed.
//
// The data has the shape of a real site: authors are drawn from a Zipf
// distribution, so a few people write most posts; questions get answers and
// comments in the hours and days after them; some answers are accepted;
// bodies are escaped HTML of heavy-tailed length.
package sedump

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Config describes a dump to write.
type Config struct {
	Seed            uint64
	Posts           int       // rows of Posts.xml, questions and answers
	CommentsPerPost float64   // mean comments per post; 0 means none
	Users           int       // 0 means Posts/8, at least 10
	Start           time.Time // zero means 2015-01-01 UTC
	Span            time.Duration
	BodyMean        int // mean length of a body as stored (escaped); 0 means 800
}

// Stats tells what was written.
type Stats struct {
	Questions, Answers, Comments, Accepted, Users int
	PostsBytes, CommentsBytes                     int64
}

func (c *Config) defaults() {
	if c.Users == 0 {
		c.Users = max(c.Posts/8, 10)
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if c.Span == 0 {
		c.Span = 10 * 365 * 24 * time.Hour
	}
	if c.BodyMean == 0 {
		c.BodyMean = 800
	}
}

// gen holds the state of one Write.
type gen struct {
	c       Config
	r       *rand.Rand
	authors *rand.Zipf
	text    []byte // escaped HTML to cut bodies from
	buf     []byte // the row being written
	vbuf    []byte // the vote being written
	stats   Stats
}

// Write writes the dump into dir, which must exist.
func Write(dir string, c Config) (Stats, error) {
	c.defaults()
	g := &gen{c: c, r: rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))}
	g.authors = rand.NewZipf(g.r, 1.1, 2, uint64(c.Users-1))
	g.text = bodyText(g.r)

	files := map[string]*output{}
	for _, name := range []string{"Posts.xml", "Comments.xml", "Votes.xml", "Users.xml"} {
		o, err := create(filepath.Join(dir, name))
		if err != nil {
			return g.stats, err
		}
		files[name] = o
	}
	root := map[string]string{"Posts.xml": "posts", "Comments.xml": "comments", "Votes.xml": "votes", "Users.xml": "users"}
	for name, o := range files {
		o.WriteString("\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<" + root[name] + ">\r\n")
	}
	g.posts(files["Posts.xml"], files["Comments.xml"], files["Votes.xml"])
	g.users(files["Users.xml"])
	var err error
	for name, o := range files {
		o.WriteString("</" + root[name] + ">\r\n")
		if e := o.close(); e != nil && err == nil {
			err = e
		}
	}
	g.stats.PostsBytes = files["Posts.xml"].n
	g.stats.CommentsBytes = files["Comments.xml"].n
	return g.stats, err
}

// output is a buffered file that counts its bytes.
type output struct {
	f *os.File
	w *bufio.Writer
	n int64
}

func create(path string) (*output, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &output{f: f, w: bufio.NewWriterSize(f, 4<<20)}, nil
}

func (o *output) Write(b []byte) {
	n, _ := o.w.Write(b)
	o.n += int64(n)
}

func (o *output) WriteString(s string) {
	n, _ := o.w.WriteString(s)
	o.n += int64(n)
}

func (o *output) close() error {
	err := o.w.Flush()
	if e := o.f.Close(); err == nil {
		err = e
	}
	return err
}

// open is a question still drawing answers.
type open struct {
	id, author int64
	at         int64 // microseconds
	accepted   bool
}

// posts writes the posts in time order, each followed by its comments and
// votes.
func (g *gen) posts(posts, comments, votes *output) {
	const recent = 512 // questions that still get answers
	var questions [recent]open
	nq := 0
	step := g.c.Span.Microseconds() / int64(max(g.c.Posts, 1))
	start := g.c.Start.UnixMicro()
	var commentID, voteID int64
	tags := [...]string{"go", "sql", "duckdb", "arrow", "windows", "linux", "networking", "security", "performance", "testing"}
	for i := 1; i <= g.c.Posts; i++ {
		id := int64(i)
		at := start + int64(i-1)*step + g.r.Int64N(step+1)
		author := g.author()
		b := g.buf[:0]
		if nq == 0 || g.r.Float64() < 0.4 {
			q := &questions[nq%recent]
			*q = open{id: id, author: author, at: at}
			nq++
			g.stats.Questions++
			b = append(b, `  <row Id="`...)
			b = strconv.AppendInt(b, id, 10)
			b = append(b, `" PostTypeId="1" CreationDate="`...)
			b = appendTime(b, at)
			b = append(b, `" Score="`...)
			b = strconv.AppendInt(b, g.score(), 10)
			b = append(b, `" ViewCount="`...)
			b = strconv.AppendInt(b, int64(20+g.r.ExpFloat64()*400), 10)
			b = g.bodyAndOwner(b, author, at)
			b = append(b, `" Title="How do I configure `...)
			b = strconv.AppendInt(b, id%9973, 10)
			b = append(b, ` with &quot;options&quot;?" Tags="&lt;`...)
			b = append(b, tags[id%int64(len(tags))]...)
			b = append(b, `&gt;&lt;`...)
			b = append(b, tags[(id/7)%int64(len(tags))]...)
			b = append(b, `&gt;" AnswerCount="1" CommentCount="0" ContentLicense="CC BY-SA 4.0" />`+"\r\n"...)
		} else {
			// Answer one of the recent questions, newer ones more often.
			back := min(int(g.r.ExpFloat64()*20), min(nq, recent)-1)
			q := &questions[(nq-1-back)%recent]
			g.stats.Answers++
			b = append(b, `  <row Id="`...)
			b = strconv.AppendInt(b, id, 10)
			b = append(b, `" PostTypeId="2" ParentId="`...)
			b = strconv.AppendInt(b, q.id, 10)
			b = append(b, `" CreationDate="`...)
			b = appendTime(b, at)
			b = append(b, `" Score="`...)
			b = strconv.AppendInt(b, g.score(), 10)
			b = g.bodyAndOwner(b, author, at)
			b = append(b, `" CommentCount="0" ContentLicense="CC BY-SA 4.0" />`+"\r\n"...)
			if !q.accepted && author != q.author && g.r.Float64() < 0.35 {
				q.accepted = true
				g.stats.Accepted++
				voteID++
				v := append(g.vbuf[:0], `  <row Id="`...)
				v = strconv.AppendInt(v, voteID, 10)
				v = append(v, `" PostId="`...)
				v = strconv.AppendInt(v, id, 10)
				v = append(v, `" VoteTypeId="1" CreationDate="`...)
				v = appendTime(v, (at+g.r.Int64N(48*3600e6))/86400e6*86400e6)
				v = append(v, `" />`+"\r\n"...)
				votes.Write(v)
				g.vbuf = v
			}
		}
		posts.Write(b)
		g.buf = b
		for n := g.commentCount(); n > 0; n-- {
			commentID++
			g.stats.Comments++
			c := g.buf[:0]
			c = append(c, `  <row Id="`...)
			c = strconv.AppendInt(c, commentID, 10)
			c = append(c, `" PostId="`...)
			c = strconv.AppendInt(c, id, 10)
			c = append(c, `" Score="0" Text="`...)
			c = append(c, g.cut(30+int(g.r.ExpFloat64()*150))...)
			c = append(c, `" CreationDate="`...)
			c = appendTime(c, at+g.r.Int64N(step*8+1))
			c = append(c, `" UserId="`...)
			c = strconv.AppendInt(c, g.author(), 10)
			c = append(c, `" ContentLicense="CC BY-SA 4.0" />`+"\r\n"...)
			comments.Write(c)
			g.buf = c
		}
	}
}

// bodyAndOwner appends the attributes questions and answers share: the
// body, its owner and the last activity date.
func (g *gen) bodyAndOwner(b []byte, author, at int64) []byte {
	b = append(b, `" Body="`...)
	b = g.body(b)
	b = append(b, `" OwnerUserId="`...)
	b = strconv.AppendInt(b, author, 10)
	b = append(b, `" LastActivityDate="`...)
	return appendTime(b, at)
}

func (g *gen) users(w *output) {
	g.stats.Users = g.c.Users
	w.WriteString(`  <row Id="-1" Reputation="1" CreationDate="2014-12-31T00:00:00.000" DisplayName="Community" AccountId="-1" />` + "\r\n")
	for id := 1; id <= g.c.Users; id++ {
		b := g.buf[:0]
		b = append(b, `  <row Id="`...)
		b = strconv.AppendInt(b, int64(id), 10)
		b = append(b, `" Reputation="1" CreationDate="2014-12-31T00:00:00.000" DisplayName="user `...)
		b = strconv.AppendInt(b, int64(id), 10)
		b = append(b, `" AboutMe="&lt;p&gt;I like &quot;bikes&quot;.&lt;/p&gt;" AccountId="`...)
		b = strconv.AppendInt(b, int64(id)+1000, 10)
		b = append(b, `" />`+"\r\n"...)
		w.Write(b)
		g.buf = b
	}
}

// author draws a user id: Zipf-distributed, so that a few people post most.
func (g *gen) author() int64 { return int64(g.authors.Uint64()) + 1 }

func (g *gen) score() int64 { return int64(g.r.ExpFloat64()*3) - 1 }

// commentCount draws a geometric number of comments with the configured
// mean.
func (g *gen) commentCount() int {
	m := g.c.CommentsPerPost
	if m <= 0 {
		return 0
	}
	p := 1 / (1 + m)
	n := 0
	for g.r.Float64() > p {
		n++
	}
	return n
}

// body appends an escaped body of log-normal length with the configured
// mean.
func (g *gen) body(b []byte) []byte {
	const sigma = 0.8
	mu := math.Log(float64(g.c.BodyMean)) - sigma*sigma/2
	n := int(math.Exp(mu + sigma*g.r.NormFloat64()))
	return append(b, g.cut(min(max(n, 10), len(g.text)/2))...)
}

// cut returns about n bytes of the body text, from a random place, whole
// words only, so that no entity is cut in two.
func (g *gen) cut(n int) []byte {
	from := g.r.IntN(len(g.text) - n - 64)
	for g.text[from] != ' ' {
		from++
	}
	to := from + n
	for g.text[to] != ' ' {
		to++
	}
	return g.text[from+1 : to]
}

// bodyText returns 1 MiB of escaped HTML, words and markup in the
// proportions of real dumps.
func bodyText(r *rand.Rand) []byte {
	// One ampersand in about 28 bytes, as in the bodies of the real
	// bicycles.meta dump.
	words := []string{"the", "bike", "wheel", "chain", "is", "a", "to", "of", "and", "gear", "brake",
		"&lt;p&gt;", "&lt;/p&gt;&#xA;&#xA;", "&lt;code&gt;x&lt;/code&gt;", "&quot;it&quot;", "don&#x27;t",
		"caf&#xE9;", "&amp;", "with", "frame", "tire", "pressure", "how", "why", "when", "I", "you",
		"would", "should", "there", "because", "question", "answer", "riding", "commute", "road",
		"mountain", "saddle", "handlebar", "this", "that", "which", "about", "really", "maybe",
		"think", "going", "could", "other", "people", "still", "better", "using", "works", "after",
		"before", "long", "distance", "weather", "light", "helmet", "lock", "rack", "pannier"}
	var b []byte
	b = append(b, ' ')
	for len(b) < 1<<20 {
		b = append(b, words[r.IntN(len(words))]...)
		b = append(b, ' ')
	}
	return b
}

// appendTime appends a time in the dumps' format, 2010-08-25T19:50:51.187.
func appendTime(b []byte, micros int64) []byte {
	t := time.UnixMicro(micros).UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	return appendDigits(b, t.Nanosecond()/1e6, 3)
}

// appendDigits appends n in exactly width decimal digits.
func appendDigits(b []byte, n, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		d := n
		for range i {
			d /= 10
		}
		b = append(b, byte('0'+d%10))
	}
	return b
}
