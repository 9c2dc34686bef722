package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestReadQuery: without --write a query reads and nothing else: each
// statement that would write a file, attach a database for writing,
// install or load an extension, change a setting or the store, or run
// several statements is refused before anything runs, and leaves no
// trace (no file, no folder, the other database as it was); SELECTs,
// EXPLAIN and reading a local file run.
func TestReadQuery(t *testing.T) {
	s, path := newStore(t)
	ingestDump(t, s, fixture)
	other, otherPath := newStore(t)
	ingestDump(t, other, fixture)
	other.Close()
	s.Close()
	ro, err := Open(context.Background(), path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	dir := t.TempDir()
	csv := filepath.Join(dir, "in.csv")
	os.WriteFile(csv, []byte("a,b\n1,2\n3,4\n"), 0o644)
	out := filepath.Join(dir, "out")
	for _, q := range []string{
		"COPY posts TO '" + out + ".csv'",
		"COPY (SELECT * FROM posts) TO '" + out + ".parquet' (FORMAT parquet)",
		"EXPORT DATABASE '" + out + "'",
		"ATTACH '" + otherPath + "' AS o (READ_WRITE)",
		"INSTALL httpfs",
		"LOAD httpfs",
		"SET threads = 1",
		"PRAGMA profile_output = '" + out + ".prof'",
		"DELETE FROM posts",
		"CREATE TABLE t AS SELECT 1",
		"SELECT 1; DELETE FROM posts",
		"EXPLAIN ANALYZE SELECT count(*) FROM posts",
		"CALL pragma_version()",
	} {
		rows, done, err := ro.ReadQuery(context.Background(), q)
		var notRead *ErrNotRead
		if !errors.As(err, &notRead) {
			if err == nil {
				rows.Close()
				done()
			}
			t.Errorf("%s: got %v, want it refused", q, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the refused statements left %d files or folders beside the input", len(entries)-1)
	}
	count := func(q string) int64 {
		t.Helper()
		rows, done, err := ro.ReadQuery(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer done()
		var n int64
		for rows.Next() {
			n++
		}
		return n
	}
	if n := count("SELECT * FROM posts"); n != 17 {
		t.Errorf("SELECT: %d rows, want 17", n)
	}
	if n := count("EXPLAIN SELECT * FROM posts"); n == 0 {
		t.Error("EXPLAIN: no plan")
	}
	if n := count("SELECT * FROM read_csv('" + csv + "')"); n != 2 {
		t.Errorf("a local file: %d rows, want 2", n)
	}
	if n := count("SHOW TABLES"); n == 0 {
		t.Error("SHOW TABLES: none")
	}
	if _, _, err := ro.ReadQuery(context.Background(), "SELEC 1"); err == nil || err.Error() != `syntax error at or near "SELEC"` {
		t.Errorf("a typo: %v, want the parser's words", err)
	}
	// The other database is as it was.
	o, err := Open(context.Background(), otherPath, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	var n int
	if err := o.db.QueryRow("SELECT count(*) FROM posts").Scan(&n); err != nil || n != 17 {
		t.Errorf("the other database: %d posts, %v", n, err)
	}
}
