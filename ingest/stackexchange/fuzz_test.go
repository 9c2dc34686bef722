package stackexchange

import (
	"testing"

	"github.com/calvinslist/calvin/ingest/ingesttest"
)

// FuzzPostsXML: any Posts.xml is read without a panic, every batch
// released, every string UTF-8. make test runs the seeds; make fuzz
// searches.
func FuzzPostsXML(f *testing.F) {
	ingesttest.AddFiles(f, "testdata/basic/Posts.xml", "testdata/basic/Comments.xml")
	f.Add([]byte("<posts>\n  <row Id=\"1\" PostTypeId=\"1\" CreationDate=\"2021-05-01T10:00:00.000\" Title=\"\xea\" Tags=\"&lt;a&gt;\" />\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, posts []byte) {
		ingesttest.Drain(t, New(ingesttest.WriteFile(t, "Posts.xml", posts)))
	})
}
