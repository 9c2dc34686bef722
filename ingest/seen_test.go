package ingest

import "testing"

func TestSeen(t *testing.T) {
	s := NewSeen()
	if !s.Add("a@x") || !s.Add("b@x") || s.Add("a@x") {
		t.Error("Seen: a new id must be new once, and only once")
	}
}
