//go:build !duckdb_arrow

package engine

// The engine loads batches through duckdb-go's Arrow interface, which is
// compiled only with the build tag duckdb_arrow. The Makefile passes it to
// every go command; a build without it stops here, on this name:
var _ = build_with_tags_duckdb_arrow__use_make_or_go_build_tags_duckdb_arrow
