package ingest

import "hash/maphash"

// Seen remembers the post ids of one read, so that a post met twice (a
// crosspost filed in each group, a resend, a row exported twice) is
// stored once. It keeps 16 bytes an id (two 64-bit hashes), not the ids.
type Seen struct {
	a, b maphash.Seed
	ids  map[[2]uint64]struct{}
}

// NewSeen returns an empty Seen.
func NewSeen() *Seen {
	return &Seen{a: maphash.MakeSeed(), b: maphash.MakeSeed(), ids: make(map[[2]uint64]struct{})}
}

// Add records id and reports whether it is new.
func (s *Seen) Add(id string) bool {
	k := [2]uint64{maphash.String(s.a, id), maphash.String(s.b, id)}
	if _, ok := s.ids[k]; ok {
		return false
	}
	s.ids[k] = struct{}{}
	return true
}
