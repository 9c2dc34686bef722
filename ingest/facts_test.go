package ingest

import (
	"fmt"
	"testing"
)

// TestFacts: facts added come back each once and in order from All, and
// as added, twice if added twice, in batches of the size asked from
// Batches; Clear forgets them all; a nil *Facts keeps nothing.
func TestFacts(t *testing.T) {
	f := new(Facts)
	f.Add("bob", "role", "staff")
	f.Add("7", "se_account", "70")
	f.Add("bob", "role", "admin")
	f.Add("bob", "role", "staff")
	f.Add("é\xff", "se_account", "")
	if got, want := fmt.Sprint(f.All()), `[[7 se_account 70] [bob role admin] [bob role staff] [é\xff se_account ]]`; got != want {
		t.Errorf("All: %s, want %s", got, want)
	}
	var batches []string
	f.Batches(2, func(b [][3]string) error {
		batches = append(batches, fmt.Sprint(b))
		return nil
	})
	if got, want := fmt.Sprint(batches), `[[[bob role staff] [7 se_account 70]] [[bob role admin] [bob role staff]] [[é\xff se_account ]]]`; got != want {
		t.Errorf("Batches: %s, want %s", got, want)
	}
	f.Clear()
	if err := f.Batches(2, func([][3]string) error { t.Error("cleared facts handed a batch"); return nil }); err != nil {
		t.Error(err)
	}
	f.Add("ann", "role", "admin")
	if got, want := fmt.Sprint(f.All()), `[[ann role admin]]`; got != want {
		t.Errorf("after Clear and Add: %s, want %s", got, want)
	}
	var none *Facts
	none.Clear()
	none.Add("a", "role", "x")
	if err := none.Batches(2, func([][3]string) error { t.Error("a nil Facts handed a batch"); return nil }); err != nil {
		t.Error(err)
	}
}
