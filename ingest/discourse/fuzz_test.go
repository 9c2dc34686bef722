package discourse

import (
	"testing"

	"github.com/calvinslist/calvin/ingest/ingesttest"
)

// FuzzTopic: any saved topic (/t/{id}.json) is read without a panic,
// every batch released, every string UTF-8.
func FuzzTopic(f *testing.F) {
	ingesttest.AddFiles(f, "testdata/forum/topics/10.json", "testdata/forum/topics/11.json")
	f.Add([]byte(`{"id": 1, "post_stream": {"posts": [{"id": 2, "post_number": 1, "post_type": 1, "username": "\xea"}]}}`))
	f.Fuzz(func(t *testing.T, topic []byte) {
		ingesttest.Drain(t, NewDir(ingesttest.WriteFile(t, "topics/1.json", topic)))
	})
}
