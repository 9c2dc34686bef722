package spool

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/calvinslist/calvin/ingest/ingesttest"
)

// FuzzArticle: any article file in a spool is read without a panic,
// every batch released, every string UTF-8.
func FuzzArticle(f *testing.F) {
	for _, name := range []string{"testdata/flat/comp.lang.go/9", "testdata/flat/comp.lang.go/10"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("From:  (Steve Tomassi)\nNewsgroups: comp.t\xe9st\nReferences: <a@b> <C5MxrF. <c@d>\nDate: Thu Jan  1 00:00:00 1970\n\nbody\n"))
	f.Fuzz(func(t *testing.T, article []byte) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "comp.test"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "comp.test", "1"), article, 0o644); err != nil {
			t.Fatal(err)
		}
		ingesttest.Drain(t, New(dir))
	})
}
