package message

import "testing"

// FuzzHeader: any header block is read, its From and Date parsed, without
// a panic; a date read is one that can be stored.
func FuzzHeader(f *testing.F) {
	f.Add([]byte("From: J\xf6rg <joerg at example.de>\nDate: Mon, 4 Apr 2011 06:16:48 PM -0700\nMessage-ID: <a@b>\nReferences: <a@b> <C5MxrF. <c@d>\n"))
	f.Add([]byte("From:  ()\nDate: Thu Jan  1 00:00:00 1970\nIn-Reply-To: <Message-ID: <x@y>\n"))
	f.Fuzz(func(t *testing.T, block []byte) {
		h := ParseHeader(block)
		if d, err := ParseDate(h.Date); err == nil && (d.Year() < 1900 || d.Year() > 2201) {
			t.Fatalf("ParseDate(%q) = %v", h.Date, d)
		}
		ParseFrom(h.FromText)
	})
}
