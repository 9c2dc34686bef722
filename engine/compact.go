package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// Compact gives back the room a database file holds but does not use: a
// DuckDB file never shrinks (an ingest that fails, a disk that fills,
// leaves it as large as it grew; the room is reused, not returned). The
// database is copied into a new file beside it (which needs room for the
// data it holds, not for the room it wastes), its sequences carried on
// from where they were, and the copy takes the file's place. The file must not be
// open elsewhere. It returns the sizes before and after.
//
// via, if not empty, is a folder on another disk to make the copy in (the
// file's own disk may be full): the file is then removed and the copy
// moved into its place.
func Compact(ctx context.Context, path, via string) (before, after int64, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, 0, fmt.Errorf("compact: %w", err)
	}
	before = st.Size()
	tmp := path + ".compact"
	if via != "" {
		tmp = filepath.Join(via, filepath.Base(path)+".compact")
	}
	os.Remove(tmp)
	copied := false
	defer func() {
		if !copied { // a copy that failed half way goes
			os.Remove(tmp)
			os.Remove(tmp + ".wal")
		}
	}()
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return before, 0, err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return before, 0, err
	}
	defer conn.Close()
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	// failed says why a step failed: a full disk (while copying or at the
	// copy's checkpoint) asks for another.
	failed := func(err error) error {
		if noSpace(err) {
			return fmt.Errorf("compact: %w: no room for the copy in %s: name a folder on another disk with --via", ErrDiskFull, filepath.Dir(tmp))
		}
		return fmt.Errorf("compact: %w", openError(path, err))
	}
	for _, q := range []string{
		"ATTACH " + quote(path) + " AS src (READ_ONLY)",
		"ATTACH " + quote(tmp) + " AS dst (STORAGE_VERSION '" + storageVersion + "')",
		"COPY FROM DATABASE src TO dst",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return before, 0, failed(err)
		}
	}
	// The sequences must go on from where they were (a key drawn again
	// would name two posts): COPY FROM DATABASE carries them, checked. A
	// file whose last changes are in its log shows, attached read-only,
	// its sequences as of its last checkpoint, behind the copy's: a copy
	// ahead of it is right.
	var seq string
	err = conn.QueryRowContext(ctx, `SELECT s.sequence_name FROM duckdb_sequences() AS s
		LEFT JOIN duckdb_sequences() AS d ON d.database_name = 'dst' AND d.sequence_name = s.sequence_name
		WHERE s.database_name = 'src' AND s.last_value IS NOT NULL
		  AND (d.last_value IS NULL OR d.last_value < s.last_value) LIMIT 1`).Scan(&seq)
	switch {
	case err == nil:
		return before, 0, fmt.Errorf("compact: sequence %s not carried over: the file is left as it was", seq)
	case !errors.Is(err, sql.ErrNoRows):
		return before, 0, fmt.Errorf("compact: %w", err)
	}
	for _, q := range []string{"CHECKPOINT dst", "DETACH dst", "DETACH src"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return before, 0, failed(err)
		}
	}
	copied = true
	if err := os.Remove(path + ".wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return before, 0, fmt.Errorf("compact: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		// Another disk: the file makes way for its copy.
		if err := moveAcross(tmp, path); err != nil {
			return before, 0, fmt.Errorf("compact: %w (the compacted database is %s)", err, tmp)
		}
	}
	st, err = os.Stat(path)
	if err != nil {
		return before, 0, err
	}
	return before, st.Size(), nil
}

// moveAcross moves the file src to dst on another disk: dst is removed
// first (a full disk needs its room), then src copied, synced, removed.
func moveAcross(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.Remove(dst); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Remove(src)
}
