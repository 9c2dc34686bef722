package ingest

import (
	"cmp"
	"encoding/binary"
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
	mu    sync.Mutex
	names []string // the facts' names ("role", "se_account"), each once
	buf   []byte   // the facts as added: author, name's index, value, each after its uvarint length
}

// Add records that author has fact with value. author and value are kept
// as keys (Key): valid UTF-8, the author the same as on the posts.
// A read of Stack Overflow adds one for each of its 22 million users:
// they are kept packed, some 25 bytes each (a map of the three strings
// took about 150).
func (f *Facts) Add(author, fact, value string) {
	if f == nil {
		return
	}
	author, value = Key(author), Key(value)
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.Index(f.names, fact)
	if i < 0 {
		i = len(f.names)
		f.names = append(f.names, fact)
	}
	f.buf = binary.AppendUvarint(f.buf, uint64(len(author)))
	f.buf = append(f.buf, author...)
	f.buf = binary.AppendUvarint(f.buf, uint64(i))
	f.buf = binary.AppendUvarint(f.buf, uint64(len(value)))
	f.buf = append(f.buf, value...)
}

// Batches hands the facts recorded to each, at most size at a time, in
// the order they were added; a fact added twice is handed twice. It
// stops at each's first error.
func (f *Facts) Batches(size int, each func([][3]string) error) error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	batch := make([][3]string, 0, size)
	for b := f.buf; len(b) > 0; {
		var fact [3]string
		fact[0], b = nextString(b)
		i, k := binary.Uvarint(b)
		fact[1], b = f.names[i], b[k:]
		fact[2], b = nextString(b)
		batch = append(batch, fact)
		if len(batch) == size {
			if err := each(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		return each(batch)
	}
	return nil
}

// Clear forgets the facts recorded, giving their memory back: those of
// Stack Overflow's users take half a gigabyte, which an ingest has no
// more use for once it has stored them.
func (f *Facts) Clear() {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names, f.buf = nil, nil
}

// nextString reads a uvarint length and that many bytes from b.
func nextString(b []byte) (string, []byte) {
	n, k := binary.Uvarint(b)
	return string(b[k : k+int(n)]), b[k+int(n):]
}

// All returns the (author, fact, value) triples recorded, in order, each
// once.
func (f *Facts) All() [][3]string {
	var all [][3]string
	f.Batches(1<<16, func(batch [][3]string) error {
		all = append(all, batch...)
		return nil
	})
	slices.SortFunc(all, func(a, b [3]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]), cmp.Compare(a[2], b[2]))
	})
	return slices.Compact(all)
}
