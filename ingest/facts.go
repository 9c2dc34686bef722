package ingest

import (
	"cmp"
	"slices"
	"sync"
)

// Facts collects what a read learns of accounts beyond their posts: a
// forum's staff, moderators and administrators (fact "role"), the Stack
// Exchange network account a site's user belongs to ("se_account"). They
// are kept per source for the exclusions a configuration makes and the
// rules that join accounts into people. Safe for concurrent use; a nil
// *Facts drops what it is given.
type Facts struct {
	mu sync.Mutex
	m  map[[3]string]struct{}
}

// Add records that author has fact with value. author and value are kept
// as keys (Key): valid UTF-8, the author the same as on the posts.
func (f *Facts) Add(author, fact, value string) {
	if f == nil {
		return
	}
	author, value = Key(author), Key(value)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[[3]string]struct{}{}
	}
	f.m[[3]string{author, fact, value}] = struct{}{}
}

// All returns the (author, fact, value) triples recorded, in order.
func (f *Facts) All() [][3]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	all := make([][3]string, 0, len(f.m))
	for k := range f.m {
		all = append(all, k)
	}
	slices.SortFunc(all, func(a, b [3]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]), cmp.Compare(a[2], b[2]))
	})
	return all
}
