-- link_candidates: the stored posts of $source that the posts to link
-- name as their parent or thread (the posts above $after, and those
-- whose links were pending, listed in the temporary table relink), with
-- the columns link_posts looks them up by. The engine keeps them in a
-- temporary table when the posts to link are few beside the source's,
-- for link_posts to look among: ten million stored posts are then read
-- once, for four columns, where link_posts alone joined them all (and,
-- with this filter inside it, DuckDB built its join on the stored
-- posts: 7.5 s for a thousand new ones, against 0.7 s).
-- Parameters: $source, $after.
SELECT source, post_id, thread_id, post_key, author
FROM posts
WHERE source = $source AND post_id IN (
    SELECT unnest([parent_id, thread_id]) FROM posts WHERE source = $source AND post_key > $after
    UNION ALL
    SELECT unnest([parent_id, thread_id]) FROM posts WHERE source = $source AND post_key IN (SELECT post_key FROM relink)
)
