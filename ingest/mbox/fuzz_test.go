package mbox

import (
	"path/filepath"
	"testing"

	"github.com/calvinslist/calvin/ingest/ingesttest"
)

// FuzzMbox: any mbox file is read without a panic, every batch released,
// every string UTF-8.
func FuzzMbox(f *testing.F) {
	ingesttest.AddFiles(f, "../../engine/testdata/jan2005.mbox", "../../engine/testdata/jan2005-late.mbox")
	f.Add([]byte("From x Sat Jan  1 10:00:00 2005\nFrom: ()\nDate: 06:16:48 PM -0700\nIn-Reply-To: <Message-ID: <a@b>\nMessage-ID: <\xea@x>\n\nbody\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ingesttest.Drain(t, New(filepath.Join(ingesttest.WriteFile(t, "f.mbox", data), "f.mbox")))
	})
}
