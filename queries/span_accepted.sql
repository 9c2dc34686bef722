-- span_accepted: the posts accepted in a span, whenever they were written,
-- for the engine's span counts (engine/span.go): each one's author_key
-- (NULL for a deleted user) and areas_of, from post_links (whose
-- accepted_at the link step and the refresh keep as posts').
-- Parameters: $source (NULL: every source), $from, $to (TIMESTAMP).
SELECT author_key, areas_of
FROM post_links
WHERE ($source IS NULL OR source = $source)
  AND accepted_at >= CAST($from AS TIMESTAMP) AND accepted_at < CAST($to AS TIMESTAMP)
