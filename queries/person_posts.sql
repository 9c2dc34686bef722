-- person_posts: the posts of some accounts, each with its month and its
-- areas (its own, or its thread's first post's when it has none), for a
-- person's areas and focus.
--
-- Parameters:
--   $accounts  a JSON list of {source, author}
WITH want AS (
    SELECT unnest(from_json(CAST($accounts AS VARCHAR), '[{"source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)
)
SELECT p.month, CASE WHEN len(p.areas) > 0 THEN p.areas ELSE coalesce(s.areas, []) END AS areas
FROM posts AS p
SEMI JOIN want USING (source, author)
LEFT JOIN posts AS s ON s.source = p.source AND s.post_id = p.thread_id
ORDER BY p.month
