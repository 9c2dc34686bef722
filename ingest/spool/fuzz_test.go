package spool

import (
	"testing"

	"github.com/calvinslist/calvin/ingest/ingesttest"
)

// FuzzArticle: any article file in a spool is read without a panic,
// every batch released, every string UTF-8.
func FuzzArticle(f *testing.F) {
	ingesttest.AddFiles(f, "testdata/flat/comp.lang.go/9", "testdata/flat/comp.lang.go/10")
	f.Add([]byte("From:  (Steve Tomassi)\nNewsgroups: comp.t\xe9st\nReferences: <a@b> <C5MxrF. <c@d>\nDate: Thu Jan  1 00:00:00 1970\n\nbody\n"))
	f.Fuzz(func(t *testing.T, article []byte) {
		ingesttest.Drain(t, New(ingesttest.WriteFile(t, "comp.test/1", article)))
	})
}
