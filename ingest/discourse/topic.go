// Package discourse reads Discourse forums into posts: live, through the
// public JSON API, or from a folder of saved topics (/t/{id}.json), with
// one mapping for both.
package discourse

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/calvinslist/calvin/ingest"
)

// Platform is the platform column of Discourse posts.
const Platform = "discourse"

// Topic is what Calvin reads of a topic's JSON (/t/{id}.json).
type Topic struct {
	ID         int64     `json:"id"`
	Title      string    `json:"title"`
	CategoryID int64     `json:"category_id"`
	Tags       []tag     `json:"tags"`
	Views      int64     `json:"views"`
	CreatedAt  time.Time `json:"created_at"`
	BumpedAt   time.Time `json:"bumped_at"`
	PostStream struct {
		Posts  []Post  `json:"posts"`
		Stream []int64 `json:"stream"` // the ids of all the topic's posts, in order
	} `json:"post_stream"`
}

// Post is what Calvin reads of a post.
type Post struct {
	ID                int64     `json:"id"`
	PostNumber        int64     `json:"post_number"`
	PostType          int       `json:"post_type"` // 1 regular; 2 moderator action, 3 small action, 4 whisper
	CreatedAt         time.Time `json:"created_at"`
	Username          string    `json:"username"`
	Name              string    `json:"name"`
	ReplyToPostNumber int64     `json:"reply_to_post_number"` // 0: none
	Cooked            string    `json:"cooked"`
	AcceptedAnswer    bool      `json:"accepted_answer"`
	ActionsSummary    []struct {
		ID    int   `json:"id"`
		Count int64 `json:"count"`
	} `json:"actions_summary"`
	Staff     bool `json:"staff"`
	Moderator bool `json:"moderator"`
	Admin     bool `json:"admin"`
}

// likeAction is the id of a like in a post's actions_summary.
const likeAction = 2

// tag is a topic's tag: a name, or, in newer versions of Discourse, an
// object holding one.
type tag string

func (t *tag) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = tag(s)
		return nil
	}
	var o struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	*t = tag(o.Name)
	return nil
}

// Categories names categories by id, for the posts' areas; a category it
// does not name is written "category-ID".
type Categories map[int64]string

func (c Categories) name(id int64) string {
	if n, ok := c[id]; ok {
		return n
	}
	return "category-" + strconv.FormatInt(id, 10)
}

// posts turns a topic's posts into canonical posts, calling add with each
// (p and its slices are reused between calls). The first post is a
// topic, the rest replies; a reply's parent is the post it answers
// (reply_to_post_number), else the topic's first post, as it is also when
// the post it answers is not among those given (deleted, or not a regular
// post). Only regular posts are posts: moderator actions, small actions
// ("closed", "pinned") and whispers are passed over. The score is the
// post's likes; the areas the category, then the tags; views go on the
// first post; an answer accepted through the Solved plugin takes its own
// time as accepted_at (Discourse does not say when it was accepted).
//
// The roles Discourse gives a post's author (staff, moderator, admin) go
// to facts, as fact "role".
func (t *Topic) posts(cats Categories, facts *ingest.Facts, p *ingest.Post, add func(*ingest.Post) error) error {
	ids := make(map[int64]int64, len(t.PostStream.Posts)) // post_number -> id
	var first int64
	for i := range t.PostStream.Posts {
		tp := &t.PostStream.Posts[i]
		if tp.PostType != 1 {
			continue
		}
		ids[tp.PostNumber] = tp.ID
		if first == 0 || tp.PostNumber == 1 {
			first = tp.ID
		}
	}
	if first == 0 {
		return nil
	}
	thread := strconv.FormatInt(first, 10)
	areas := [][]byte{[]byte(cats.name(t.CategoryID))}
	for _, g := range t.Tags {
		if g != "" {
			areas = append(areas, []byte(g))
		}
	}
	for i := range t.PostStream.Posts {
		tp := &t.PostStream.Posts[i]
		if tp.PostType != 1 {
			continue
		}
		*p = ingest.Post{
			PostID:    []byte(strconv.FormatInt(tp.ID, 10)),
			ThreadID:  []byte(thread),
			Kind:      ingest.KindReply,
			CreatedAt: tp.CreatedAt.UnixMicro(),
			Areas:     areas,
			BodyBytes: int64(len(tp.Cooked)),
		}
		if tp.ID == first {
			p.Kind = ingest.KindTopic
			p.Title = []byte(t.Title)
			p.Views, p.HasViews = t.Views, true
		} else {
			parent, ok := ids[tp.ReplyToPostNumber]
			if !ok || parent == tp.ID {
				parent = first
			}
			p.ParentID = []byte(strconv.FormatInt(parent, 10))
		}
		if tp.Username != "" {
			author := strings.ToLower(tp.Username)
			for _, r := range []struct {
				has  bool
				role string
			}{{tp.Staff, "staff"}, {tp.Moderator, "moderator"}, {tp.Admin, "admin"}} {
				if r.has {
					facts.Add(author, "role", r.role)
				}
			}
			p.Author = []byte(author)
			p.AuthorName = []byte(tp.Username)
			if tp.Name != "" {
				p.AuthorName = []byte(tp.Name)
			}
		}
		for _, a := range tp.ActionsSummary {
			if a.ID == likeAction {
				p.Score = a.Count
			}
		}
		if tp.AcceptedAnswer {
			p.AcceptedAt, p.Accepted = p.CreatedAt, true
		}
		if err := add(p); err != nil {
			return err
		}
	}
	return nil
}

// filter decides which posts of a read are kept, for both readers.
type filter struct {
	opts  ingest.Options
	seen  *ingest.Seen
	dates ingest.Dates
}

func newFilter(opts ingest.Options) *filter {
	return &filter{opts: opts, seen: ingest.NewSeen(), dates: opts.Dates()}
}

// keep reports whether p is kept: a post met before in the read (a topic
// saved twice, or listed twice) is dropped and counted as a duplicate; a
// post dated outside the read's range (no created_at at all is the year
// 1) is a bad record of where, whose error ends the read when strict.
func (f *filter) keep(p *ingest.Post, where string) (bool, error) {
	if err := f.dates.Check(time.UnixMicro(p.CreatedAt)); err != nil {
		return false, f.opts.Reject(&ingest.ParseError{File: where, Err: fmt.Errorf("post %s: created_at %w", p.PostID, err)})
	}
	if !f.seen.Add(string(p.PostID)) {
		f.opts.Duplicate()
		return false, nil
	}
	return true, nil
}
