package ingest

import (
	"strconv"
	"testing"
)

// TestSeen: each id is new once, through the table's growth.
func TestSeen(t *testing.T) {
	s := NewSeen()
	for i := range 100_000 {
		if !s.Add("id" + strconv.Itoa(i)) {
			t.Fatalf("id%d: not new the first time", i)
		}
	}
	for i := range 100_000 {
		if s.Add("id" + strconv.Itoa(i)) {
			t.Fatalf("id%d: new a second time", i)
		}
	}
	if s.n != 100_000 || len(s.slots) != 262_144 {
		t.Errorf("%d ids in %d slots, want 100000 in 262144", s.n, len(s.slots))
	}
}
