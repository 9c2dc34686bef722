package discourse

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/calvinslist/calvin/ingest/ingesttest"
)

// FuzzTopic: any saved topic (/t/{id}.json) is read without a panic,
// every batch released, every string UTF-8.
func FuzzTopic(f *testing.F) {
	for _, name := range []string{"testdata/forum/topics/10.json", "testdata/forum/topics/11.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"id": 1, "post_stream": {"posts": [{"id": 2, "post_number": 1, "post_type": 1, "username": "\xea"}]}}`))
	f.Fuzz(func(t *testing.T, topic []byte) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "topics"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "topics", "1.json"), topic, 0o644); err != nil {
			t.Fatal(err)
		}
		ingesttest.Drain(t, NewDir(dir))
	})
}
