package stackexchange

import (
	"fmt"
	"strings"
	"testing"
)

// TestNameTable: names set by id are found again, the last one set for an
// id wins, and the ids and names that do not pack (negative, past 31
// bits, sparse, longer than a block) are kept too; sparse ids make no
// page each.
func TestNameTable(t *testing.T) {
	var tab nameTable
	want := map[int64]string{}
	set := func(id int64, name string) {
		tab.set(id, []byte(name))
		want[id] = name
	}
	for id := int64(1); id <= 20_000; id++ {
		set(id, fmt.Sprint("user ", id))
	}
	set(7, "renamed")
	set(-1, "Community")
	set(1<<40, "far")
	long := strings.Repeat("x", nameBlock)
	set(3, long)
	for i := int64(1); i <= 1000; i++ {
		set(1<<30+i*namePage*10, fmt.Sprint("sparse ", i))
	}
	set(3, "short again")
	for id, name := range want {
		if got, ok := tab.get(id); !ok || string(got) != name {
			t.Fatalf("id %d: %.20q %v, want %.20q", id, got, ok, name)
		}
	}
	for _, id := range []int64{0, 20_001, -2, 1 << 29} {
		if got, ok := tab.get(id); ok {
			t.Errorf("id %d: %q, want none", id, got)
		}
	}
	if tab.made*namePage > 8*(tab.paged+namePage) { // the 1,000 sparse ids made a page each
		t.Errorf("%d pages made for %d names", tab.made, tab.paged)
	}
}

// TestAcceptances: an answer's latest acceptance vote dates it, one its
// question names without a vote is accepted at 0, and votes that do not
// pack (a fraction of a second, before 1970, an id past 32 bits) count.
func TestAcceptances(t *testing.T) {
	var a acceptances
	day := int64(86_400_000_000)
	a.vote(10, 20_000*day)
	a.vote(10, 20_003*day)
	a.vote(10, 20_001*day)
	a.vote(11, 20_000*day+5) // a fraction of a second
	a.vote(11, 19_000*day)
	a.vote(12, -day)
	a.vote(1<<33, 30*day)
	a.named(13)
	a.named(10)
	for _, c := range []struct {
		id, when int64
		ok       bool
	}{
		{10, 20_003 * day, true}, {11, 20_000*day + 5, true}, {12, -day, true},
		{1 << 33, 30 * day, true}, {13, 0, true}, {9, 0, false}, {14, 0, false},
	} {
		if when, ok := a.lookup(c.id); when != c.when || ok != c.ok {
			t.Errorf("answer %d: %d %v, want %d %v", c.id, when, ok, c.when, c.ok)
		}
	}
}

// TestThreadIndex: answers in order, one out of order and one past 32
// bits all find their questions; a question is no answer.
func TestThreadIndex(t *testing.T) {
	var ti threadIndex
	ti.add(5, 1)
	ti.add(9, 2)
	ti.add(7, 3) // out of order
	ti.add(1<<35, 4)
	ti.add(12, 1<<34)
	for answer, q := range map[int64]int64{5: 1, 9: 2, 7: 3, 1 << 35: 4, 12: 1 << 34} {
		if got, ok := ti.question(answer); !ok || got != q {
			t.Errorf("answer %d: question %d %v, want %d", answer, got, ok, q)
		}
	}
	if _, ok := ti.question(1); ok {
		t.Error("question 1 found as an answer")
	}
}
