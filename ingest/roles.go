package ingest

import (
	"cmp"
	"slices"
	"sync"
)

// Roles collects the roles a read finds accounts in, beyond their posts: a
// forum's staff, moderators and administrators, kept for the exclusions a
// configuration makes. Safe for concurrent use; a nil *Roles drops what
// it is given.
type Roles struct {
	mu sync.Mutex
	m  map[[2]string]struct{}
}

// Add records that author has role.
func (r *Roles) Add(author, role string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[[2]string]struct{}{}
	}
	r.m[[2]string{author, role}] = struct{}{}
}

// All returns the (author, role) pairs recorded, in order.
func (r *Roles) All() [][2]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := make([][2]string, 0, len(r.m))
	for k := range r.m {
		all = append(all, k)
	}
	slices.SortFunc(all, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	return all
}
