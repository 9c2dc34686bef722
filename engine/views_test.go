package engine

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/calvinslist/calvin/ingest"
	"github.com/calvinslist/calvin/ingest/discourse"
	"github.com/calvinslist/calvin/ingest/mbox"
	"github.com/calvinslist/calvin/ingest/stackexchange"
)

// streamViewsOf lists the views named like the load's streams
// (calvin_*_stream) that db sees.
func streamViewsOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return column[string](t, db, `SELECT table_name FROM information_schema.tables
		WHERE table_name LIKE 'calvin\_%\_stream' ESCAPE '\' ORDER BY 1`)
}

// openRaw opens the file at path as any other DuckDB client would, without
// Calvin's open (which drops the views an earlier Calvin left).
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestNoStreamViewsLeft: the views through which a load reads its Arrow
// streams (posts, account facts, monthly metrics) are gone once it ends,
// whatever ended it, so that another client opening the file meets none
// (reading one read freed memory and crashed it). Each kind of write is
// checked in turn: a first ingest, one into a source with posts, one with
// account facts, a failed one, a refresh; the pulls are checked in
// pull_test.go.
func TestNoStreamViewsLeft(t *testing.T) {
	ctx := context.Background()
	s, path := newStore(t)
	check := func(after string) {
		t.Helper()
		if v := streamViewsOf(t, s.db); len(v) > 0 {
			t.Errorf("after %s: views %q left in the file", after, v)
		}
	}
	ingestDump(t, s, fixture) // load_new, the users' network accounts (facts), metrics
	check("a first ingest of a Stack Exchange dump")
	ingestDump(t, s, copyDump(t, map[string][][2]string{"Posts.xml": {{`Score="5" ViewCount="100"`, `Score="9" ViewCount="180"`}}}))
	check("a second ingest (load_merge)")
	if _, err := s.Ingest(ctx, discourse.NewDir("../ingest/discourse/testdata/forum"), ingest.Options{Source: "forum"}); err != nil {
		t.Fatal(err)
	}
	check("an ingest of a forum (staff roles as facts)")
	if _, err := s.Ingest(ctx, mbox.New("testdata/jan2005.mbox"), ingest.Options{Source: "list"}); err != nil {
		t.Fatal(err)
	}
	check("an ingest of a mailbox")
	bad := copyDump(t, map[string][][2]string{"Comments.xml": {{`CreationDate="2021-05-02T07:00:00.000"`, `CreationDate="2021-05-32T07:00:00.000"`}}})
	if _, err := s.Ingest(ctx, stackexchange.New(bad), ingest.Options{Source: "t", Strict: true}); err == nil {
		t.Fatal("a strict ingest of a bad dump succeeded")
	}
	check("a failed ingest")
	if _, err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	check("a refresh")
	s.Close()

	db := openRaw(t, path)
	if v := streamViewsOf(t, db); len(v) > 0 {
		t.Errorf("another client opening the file finds views %q", v)
	}
}

// TestOldStreamViewsDropped: a file an earlier Calvin left its views in
// loses them when Calvin opens it, read-only too.
func TestOldStreamViewsDropped(t *testing.T) {
	s, path := newStore(t)
	ingestDump(t, s, fixture)
	s.Close()
	db := openRaw(t, path)
	for _, v := range []string{"calvin_arrow_stream", "calvin_facts_stream", "calvin_metrics_stream"} {
		if _, err := db.Exec("CREATE VIEW " + v + " AS SELECT 1 AS x"); err != nil {
			t.Fatal(err)
		}
	}
	if got := streamViewsOf(t, db); !slices.Equal(got, []string{"calvin_arrow_stream", "calvin_facts_stream", "calvin_metrics_stream"}) {
		t.Fatalf("set-up: views %q", got)
	}
	db.Close()

	ro, err := Open(context.Background(), path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ro.Close()
	if v := streamViewsOf(t, openRaw(t, filepath.Clean(path))); len(v) > 0 {
		t.Errorf("after a read-only open: views %q still there", v)
	}
}
