package stackexchange

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/calvinslist/calvin/ingest/ingesttest"
)

// FuzzPostsXML: any Posts.xml (beside the basic dump's other files) is
// read without a panic, every batch released, every string UTF-8. make
// test runs the seeds; make fuzz searches.
func FuzzPostsXML(f *testing.F) {
	for _, name := range []string{"Posts.xml", "Comments.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata/basic", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("<posts>\n  <row Id=\"1\" PostTypeId=\"1\" CreationDate=\"2021-05-01T10:00:00.000\" Title=\"\xea\" Tags=\"&lt;a&gt;\" />\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, posts []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Posts.xml"), posts, 0o644); err != nil {
			t.Fatal(err)
		}
		ingesttest.Drain(t, New(dir))
	})
}
