package message

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/calvinslist/calvin/ingest"
)

// Post fills p from a message's header: the post is the message, its
// parent the message it answers (In-Reply-To, else the last of
// References), its thread the first of References. A reply that names a
// parent but no References gets no thread here: the engine takes its
// parent's. kind is topic without a parent, reply with one; the title is
// kept on topics only. areas are the Newsgroups, else the list's id, else
// list (the name the caller gives, such as the source's).
//
// id is the message's id: its Message-ID, or one derived from its content
// (see DerivedID). p's slices point into buffers p keeps; a Post is
// reused from message to message.
func Post(p *ingest.Post, h *Header, id string, created time.Time, bodyBytes int64, list string) {
	parent := h.InReplyTo
	if parent == "" && len(h.References) > 0 {
		parent = h.References[len(h.References)-1]
	}
	if parent == id {
		parent = ""
	}
	thread := id
	switch {
	case len(h.References) > 0 && h.References[0] != id:
		thread = h.References[0]
	case parent != "":
		thread = ""
	}

	*p = ingest.Post{Areas: p.Areas[:0]}
	p.PostID = []byte(id)
	if thread != "" {
		p.ThreadID = []byte(thread)
	}
	if parent != "" {
		p.ParentID = []byte(parent)
		p.Kind = ingest.KindReply
	} else {
		p.Kind = ingest.KindTopic
		p.Title = []byte(h.Subject)
	}
	if h.From != "" {
		p.Author = []byte(h.From)
	}
	if h.Name != "" {
		p.AuthorName = []byte(h.Name) // shown even without an address, never ranked
	}
	p.CreatedAt = created.UnixMicro()
	switch {
	case len(h.Newsgroups) > 0:
		for _, g := range h.Newsgroups {
			p.Areas = append(p.Areas, []byte(g))
		}
	case h.ListID != "":
		p.Areas = append(p.Areas, []byte(h.ListID))
	case list != "":
		p.Areas = append(p.Areas, []byte(list))
	}
	p.BodyBytes = bodyBytes
}

// DerivedID is the id of a message without a Message-ID: a hash of the
// whole message as stored, so that reading the same archive again gives
// the same id.
func DerivedID(raw ...[]byte) string {
	h := sha256.New()
	for _, b := range raw {
		h.Write(b)
	}
	return "calvin-" + hex.EncodeToString(h.Sum(nil)[:16]) + "@derived"
}
