-- link_chunk: one chunk of the posts of $source not linked yet, with the
-- columns linking reads: the new posts whose post_key is above $lo and
-- at most $hi, or the posts whose links were pending that the engine
-- listed in the temporary table relink under chunk $relink. The engine
-- keeps it in a temporary table, which link_candidates and link_posts
-- read: every join of the link step is then as large as the chunk (and
-- DuckDB, knowing its size, builds on the smaller side), not as the
-- source (joining every post of 60 million at once ran out of DuckDB's
-- memory cap).
-- Parameters: $source, $lo, $hi, $relink.
-- two parts: an OR of the two would read every post's columns
SELECT post_key, post_id, thread_id, parent_id, kind, created_at, month, author, len(areas) > 0 AS own_areas, accepted_at
FROM posts
WHERE source = $source AND post_key > $lo AND post_key <= $hi
UNION ALL
SELECT post_key, post_id, thread_id, parent_id, kind, created_at, month, author, len(areas) > 0 AS own_areas, accepted_at
FROM posts
WHERE source = $source AND post_key IN (SELECT post_key FROM relink WHERE chunk = $relink)
