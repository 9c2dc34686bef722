package mbox

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/calvinslist/calvin/ingest/ingesttest"
)

// FuzzMbox: any mbox file is read without a panic, every batch released,
// every string UTF-8.
func FuzzMbox(f *testing.F) {
	for _, name := range []string{"../../engine/testdata/jan2005.mbox", "../../engine/testdata/jan2005-late.mbox"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("From x Sat Jan  1 10:00:00 2005\nFrom: ()\nDate: 06:16:48 PM -0700\nIn-Reply-To: <Message-ID: <a@b>\nMessage-ID: <\xea@x>\n\nbody\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.mbox")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ingesttest.Drain(t, New(path))
	})
}
