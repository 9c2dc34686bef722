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
	b := NewBuilder(memory.NewGoAllocator(), "s", "p")
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
