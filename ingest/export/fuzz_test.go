package export

import (
	"path/filepath"
	"testing"

	"github.com/calvinslist/calvin/ingest/ingesttest"
)

// fuzzMapping names every field of the canonical post.
const fuzzMapping = `fields:
  post_id: id
  thread_id: thread
  parent_id: parent
  title: title
  author: user
  author_name: name
  created_at: time
  areas: forum
  score: score
  views: views
  body: body
missing:
  post_id: derive
`

// FuzzCSV and FuzzJSONL: any export is read through a mapping of every
// field without a panic, every batch released, every string UTF-8; and
// FuzzMapping: any mapping file is read or refused with an error.
func FuzzCSV(f *testing.F) {
	ingesttest.AddFiles(f, "testdata/phpbb.csv")
	f.Add([]byte("id,thread,parent,title,user,name,time,forum,score,views,body\na,a,,T\xea,u,U,2021-03-01T10:00:00Z,f,1,2,x\n"))
	fuzzExport(f, "csv")
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(`{"id": "a", "thread": "a", "user": "u", "time": "2021-03-01T10:00:00Z", "forum": ["x", "y"], "score": 3}` + "\n"))
	f.Add([]byte("{\"id\": \"\xea\"}\n\n{]\n"))
	fuzzExport(f, "jsonl")
}

func fuzzExport(f *testing.F, format string) {
	m, err := ParseMapping("m.yaml", []byte("format: "+format+"\n"+fuzzMapping))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ingesttest.Drain(t, New(filepath.Join(ingesttest.WriteFile(t, "f."+format, data), "f."+format), m))
	})
}

func FuzzMapping(f *testing.F) {
	ingesttest.AddFiles(f, "../../configs/phpbb.yaml", "../../configs/forums-sm.yaml")
	f.Add([]byte(fuzzMapping))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseMapping("m.yaml", data) // an error is an answer; a panic is not
	})
}
