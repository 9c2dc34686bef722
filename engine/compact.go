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
	steps := []string{
		"ATTACH " + quote(path) + " AS src (READ_ONLY)",
		"ATTACH " + quote(tmp) + " AS dst (STORAGE_VERSION '" + storageVersion + "')",
		"COPY FROM DATABASE src TO dst",
	}
	for _, q := range steps {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			os.Remove(tmp)
			os.Remove(tmp + ".wal")
			if strings.Contains(err.Error(), "No space left on device") {
				return before, 0, fmt.Errorf("compact: %w: no room for the copy in %s: name a folder on another disk with --via", ErrDiskFull, filepath.Dir(tmp))
			}
			return before, 0, fmt.Errorf("compact: %w", openError(path, err))
		}
	}
	// The sequences must go on from where they were (a key drawn again
	// would name two posts): COPY FROM DATABASE carries them, checked.
	rows, err := conn.QueryContext(ctx, `SELECT sequence_name, last_value FROM duckdb_sequences()
		WHERE database_name = 'src' AND last_value IS NOT NULL`)
	if err != nil {
		os.Remove(tmp)
		return before, 0, fmt.Errorf("compact: %w", err)
	}
	var seqs [][2]any
	for rows.Next() {
		var name string
		var last int64
		if err := rows.Scan(&name, &last); err != nil {
			rows.Close()
			os.Remove(tmp)
			return before, 0, err
		}
		seqs = append(seqs, [2]any{name, last})
	}
	rows.Close()
	for _, s := range seqs {
		var copied sql.NullInt64
		if err := conn.QueryRowContext(ctx, `SELECT last_value FROM duckdb_sequences() WHERE database_name = 'dst' AND sequence_name = ?`, s[0]).Scan(&copied); err != nil || copied.Int64 != s[1].(int64) {
			os.Remove(tmp)
			return before, 0, fmt.Errorf("compact: sequence %s not carried over (%d, copied %v): the file is left as it was", s[0], s[1], copied)
		}
	}
	for _, q := range []string{"CHECKPOINT dst", "DETACH dst", "DETACH src"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			os.Remove(tmp)
			return before, 0, fmt.Errorf("compact: %w", err)
		}
	}
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
