package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sample() *Table {
	return &Table{
		Columns: []string{"rank", "name", "score", "when", "note"},
		Rows: [][]any{
			{int64(1), "Zoë | Co", 6.0, time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC), nil},
			{int64(10), "Bob", 2.5, time.Date(2021, 5, 1, 13, 4, 5, 0, time.UTC), "a,\"b\"\nc"},
		},
	}
}

// TestText: the two formats for people. In the table, numbers align
// right, text left, columns two blanks apart, no trailing blanks; in both,
// a newline in a value becomes a blank.
func TestText(t *testing.T) {
	tests := []struct{ format, want string }{
		{"table", "" +
			"rank  name      score  when                 note\n" +
			"   1  Zoë | Co      6  2021-05-01\n" +
			"  10  Bob         2.5  2021-05-01 13:04:05  a,\"b\" c\n"},
		{"markdown", "" +
			"| rank | name | score | when | note |\n" +
			"|---:|---|---:|---|---|\n" +
			"| 1 | Zoë \\| Co | 6 | 2021-05-01 |  |\n" +
			"| 10 | Bob | 2.5 | 2021-05-01 13:04:05 | a,\"b\" c |\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := Write(&b, tt.format, sample()); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("%s: got:\n%s\nwant:\n%s", tt.format, b.String(), tt.want)
		}
	}
}

func TestCSVRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "csv", sample()); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1][1] != "Zoë | Co" || recs[2][4] != "a,\"b\"\nc" || recs[1][4] != "" {
		t.Errorf("got %q", recs)
	}
}

func TestJSONTypes(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "json", sample()); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(b.Bytes(), &rows); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(rows) != 2 || rows[0]["rank"] != 1.0 || rows[0]["note"] != nil ||
		rows[1]["when"] != "2021-05-01T13:04:05Z" || rows[1]["score"] != 2.5 {
		t.Errorf("got %v", rows)
	}
	// Keys keep the column order.
	if !strings.HasPrefix(b.String(), "[\n  {\"rank\": 1, \"name\": ") {
		t.Errorf("got %s", b.String())
	}
}

func TestEmptyAndUnknown(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "table", &Table{Columns: []string{"a"}}); err != nil || b.String() != "(no rows)\n" {
		t.Errorf("empty table: %q, %v", b.String(), err)
	}
	b.Reset()
	if err := Write(&b, "json", &Table{Columns: []string{"a"}}); err != nil || b.String() != "[]\n" {
		t.Errorf("empty json: %q, %v", b.String(), err)
	}
	if err := Write(&b, "xml", sample()); err == nil {
		t.Error("unknown format: no error")
	}
}
