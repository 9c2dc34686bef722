package ingest

import (
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestPostsRoundTrip: what Append writes, Posts reads back, nulls (nil
// slices, no views, not accepted) included.
func TestPostsRoundTrip(t *testing.T) {
	want := []Post{
		{PostID: []byte("1"), ThreadID: []byte("1"), Kind: KindQuestion, Title: []byte("T"), Author: []byte("a"),
			AuthorName: []byte("A"), CreatedAt: 1e15, Areas: [][]byte{[]byte("go"), []byte("sql")}, Score: -2,
			Views: 7, HasViews: true, BodyBytes: 10},
		{PostID: []byte("2"), ParentID: []byte("1"), Kind: KindAnswer, AuthorName: []byte(""), CreatedAt: 2e15,
			AcceptedAt: 3e15, Accepted: true},
	}
	b := NewBuilder(Options{Source: "s", Mem: memory.NewGoAllocator()}, "p")
	defer b.Release()
	for i := range want {
		b.Append(&want[i])
	}
	rec := b.NewBatch()
	defer rec.Release()
	if got := Posts(rec); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

// TestAppendRepairs: text that is not valid UTF-8 reaches the batch valid,
// ids, accounts and areas with their bad bytes escaped (the same bytes
// giving the same id, as a reply and its parent need), titles and names
// read as Windows-1252; valid text is untouched and each repaired post
// counted once.
func TestAppendRepairs(t *testing.T) {
	id := []byte("20050824040347.GA5323@www.|\xea\x15@|\xea\x15@") // as a 2005 Mailman archive wrote it
	bad := func(s string) []byte { return []byte(s) }
	posts := []Post{
		{PostID: bad("a\xea@x"), ThreadID: bad("t\xff"), ParentID: bad("p\xc3"), Kind: KindReply,
			Title: bad("Caf\xe9 \x93ok\x94"), Author: bad("j\xf6rg@x"), AuthorName: bad("J\xf6rg"),
			Areas: [][]byte{bad("g\xe9n\xe9ral"), bad("ok")}},
		{PostID: bad("valid ü"), Kind: KindTopic, Title: bad("Grüße"), Author: bad("ü@x"), AuthorName: bad("Ü")},
		{PostID: id, Kind: KindTopic},
	}
	stats := new(Stats)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := NewBuilder(Options{Source: "s", Mem: mem, Stats: stats}, "p")
	defer b.Release()
	for i := range posts {
		b.Append(&posts[i])
	}
	rec := b.NewBatch()
	defer rec.Release()
	got := Posts(rec)
	want := []Post{
		{PostID: bad(`a\xea@x`), ThreadID: bad(`t\xff`), ParentID: bad(`p\xc3`), Kind: KindReply,
			Title: bad("Café “ok”"), Author: bad(`j\xf6rg@x`), AuthorName: bad("Jörg"),
			Areas: [][]byte{bad(`g\xe9n\xe9ral`), bad("ok")}},
		{PostID: bad("valid ü"), Kind: KindTopic, Title: bad("Grüße"), Author: bad("ü@x"), AuthorName: bad("Ü")},
		// 0xea begins a three-byte sequence that 0x15 (a control
		// character, valid UTF-8) does not go on: 0xea alone is escaped.
		{PostID: bad("20050824040347.GA5323@www.|\\xea\x15@|\\xea\x15@"), Kind: KindTopic},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	if n := stats.Repaired.Load(); n != 2 {
		t.Errorf("%d posts counted as repaired, want 2", n)
	}
	if k := Key(string(id)); k != string(want[2].PostID) {
		t.Errorf("Key gives %q, Append %q: a fact's author must match its posts'", k, want[2].PostID)
	}
}
