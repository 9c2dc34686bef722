-- span_accepted: the posts accepted in a span, whenever they were written,
-- for the engine's span counts (engine/span.go): each one's author_key
-- (NULL for a deleted user) and areas_of.
-- Parameters: $source (NULL: every source), $from, $to (TIMESTAMP).
SELECT l.author_key, l.areas_of
FROM posts AS p
JOIN post_links AS l USING (post_key)
WHERE ($source IS NULL OR p.source = $source)
  AND p.accepted_at >= CAST($from AS TIMESTAMP) AND p.accepted_at < CAST($to AS TIMESTAMP)
