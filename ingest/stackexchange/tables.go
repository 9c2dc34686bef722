package stackexchange

import (
	"encoding/binary"
	"slices"
)

// The tables a read keeps while it goes through a dump: the users' names
// (Users.xml), the acceptances (Votes.xml and the questions) and the
// answers' questions (for the comments' threads). Stack Overflow has 22
// million users and 60 million posts: in Go maps these took gigabytes,
// so each keeps its entries packed, a few bytes each, with a map only
// for the rare entry that does not pack.

// nameTable keeps users' display names by id, in blocks of bytes (a
// uvarint length and the name, each) found through pages of 32-bit
// places indexed by id. Ids are dense in a dump; a page is made only
// while the pages stay at most eight times the names they hold, and a
// name that does not fit goes to a map.
type nameTable struct {
	pages  [][]uint32 // id / namePage: 0, or 1 + the name's place (block << 20 | offset)
	blocks [][]byte
	paged  int // names in the pages
	made   int // pages made
	other  map[int64][]byte
}

const (
	namePage  = 1 << 12
	nameBlock = 1 << 20
	maxBlocks = 1<<12 - 1 // a place fits 32 bits with one added
)

func (t *nameTable) set(id int64, name []byte) {
	if t.setPaged(id, name) {
		delete(t.other, id)
		return
	}
	if t.other == nil {
		t.other = make(map[int64][]byte)
	}
	t.other[id] = slices.Clone(name)
	if e := t.entry(id); e != nil && *e != 0 {
		*e = 0
		t.paged--
	}
}

func (t *nameTable) setPaged(id int64, name []byte) bool {
	if id < 0 || id >= 1<<31 || len(name)+binary.MaxVarintLen64 > nameBlock {
		return false
	}
	p := int(id / namePage)
	if p >= len(t.pages) || t.pages[p] == nil {
		if (t.made+1)*namePage > 8*(t.paged+namePage) {
			return false // sparse ids: a page each would waste memory
		}
		if p >= len(t.pages) {
			t.pages = append(t.pages, make([][]uint32, p+1-len(t.pages))...)
		}
		t.pages[p] = make([]uint32, namePage)
		t.made++
	}
	n := len(t.blocks)
	if n == 0 || len(t.blocks[n-1])+binary.MaxVarintLen64+len(name) > nameBlock {
		if n == maxBlocks {
			return false
		}
		t.blocks = append(t.blocks, make([]byte, 0, nameBlock))
		n++
	}
	b := t.blocks[n-1]
	place := uint32(n-1)<<20 | uint32(len(b))
	b = binary.AppendUvarint(b, uint64(len(name)))
	t.blocks[n-1] = append(b, name...)
	e := &t.pages[p][id%namePage]
	if *e == 0 {
		t.paged++
	}
	*e = place + 1
	return true
}

// entry returns id's place in the pages, or nil when it has no page.
func (t *nameTable) entry(id int64) *uint32 {
	if id < 0 || id >= 1<<31 || int(id/namePage) >= len(t.pages) || t.pages[id/namePage] == nil {
		return nil
	}
	return &t.pages[id/namePage][id%namePage]
}

// get returns id's name, if it has one.
func (t *nameTable) get(id int64) ([]byte, bool) {
	if name, ok := t.other[id]; ok {
		return name, true
	}
	e := t.entry(id)
	if e == nil || *e == 0 {
		return nil, false
	}
	place := *e - 1
	b := t.blocks[place>>20][place&(nameBlock-1):]
	n, k := binary.Uvarint(b)
	return b[k : k+int(n) : k+int(n)], true
}

// acceptances keeps the accepted answers: the acceptance votes' dates
// (Votes.xml), packed as id << 32 | seconds and sorted once read, and the
// answers a question names as accepted (AcceptedAnswerId) when no vote
// dates them.
type acceptances struct {
	votes   []uint64
	sorted  bool
	other   map[int64]int64 // votes that do not pack (an id or a date out of range, a fraction of a second)
	undated idSet
}

// vote records an acceptance of answer id at when (microseconds).
func (a *acceptances) vote(id, when int64) {
	if secs := when / 1e6; id >= 0 && id < 1<<32-1 && when%1e6 == 0 && secs >= 0 && secs < 1<<32 {
		a.votes = append(a.votes, uint64(id)<<32|uint64(secs))
		a.sorted = false
		return
	}
	if a.other == nil {
		a.other = make(map[int64]int64)
	}
	if old, ok := a.other[id]; !ok || when > old {
		a.other[id] = when
	}
}

// named records that a question names id as its accepted answer.
func (a *acceptances) named(id int64) { a.undated.add(id) }

// lookup returns when answer id was accepted: its latest acceptance
// vote's date, or 0 when only its question says so.
func (a *acceptances) lookup(id int64) (when int64, ok bool) {
	if id >= 0 && id < 1<<32-1 {
		if !a.sorted {
			slices.Sort(a.votes)
			a.sorted = true
		}
		// the last vote for id is just before the first for id+1
		if i, _ := slices.BinarySearch(a.votes, uint64(id+1)<<32); i > 0 && a.votes[i-1]>>32 == uint64(id) {
			when, ok = int64(a.votes[i-1]&(1<<32-1))*1e6, true
		}
	}
	if w, found := a.other[id]; found && (!ok || w > when) {
		when, ok = w, true
	}
	if ok {
		return when, true
	}
	return 0, a.undated.has(id)
}
