package ingest

import "hash/maphash"

// Seen remembers the post ids of one read, so that a post met twice (a
// crosspost filed in each group, a resend, a row exported twice) is
// stored once. It keeps 16 bytes an id, two 64-bit hashes, in an
// open-addressed table whose slot is the first hash: one probe, and
// rarely a second, an id, where a Go map hashes its key again (a third
// of the time of reading a narrow export went to a map).
type Seen struct {
	a, b  maphash.Seed
	slots [][2]uint64 // {0, 0}: empty; a length that is a power of two
	n     int
}

// NewSeen returns an empty Seen.
func NewSeen() *Seen {
	return &Seen{a: maphash.MakeSeed(), b: maphash.MakeSeed(), slots: make([][2]uint64, 1024)}
}

// Add records id and reports whether it is new.
func (s *Seen) Add(id string) bool {
	k := [2]uint64{maphash.String(s.a, id) | 1, maphash.String(s.b, id)} // | 1: never the empty slot
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	if !s.insert(k) {
		return false
	}
	s.n++
	return true
}

// insert puts k in the table unless it is there, and reports whether it
// was not.
func (s *Seen) insert(k [2]uint64) bool {
	mask := uint64(len(s.slots) - 1)
	for i := k[0] & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return false
		case [2]uint64{}:
			s.slots[i] = k
			return true
		}
	}
}

// grow doubles the table.
func (s *Seen) grow() {
	old := s.slots
	s.slots = make([][2]uint64, 2*len(old))
	for _, k := range old {
		if k != ([2]uint64{}) {
			s.insert(k)
		}
	}
}
