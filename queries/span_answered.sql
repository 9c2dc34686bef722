-- span_answered: for the engine's span counts (engine/span.go), the
-- answers and replies made before a span, by someone other than their
-- thread's starter, in the threads answered or replied to in the span:
-- each one's thread_key and areas_of. A thread with one in the area had
-- its first response before the span.
-- Parameters: $source (NULL: every source), $from, $to (TIMESTAMP).
SELECT thread_key, areas_of
FROM post_links
WHERE ($source IS NULL OR source = $source)
  AND kind IN (2, 5) AND created_at < CAST($from AS TIMESTAMP)
  AND thread_key <> post_key AND author_key IS DISTINCT FROM starter_author_key
  AND thread_key IN (
      SELECT thread_key FROM post_links
      WHERE ($source IS NULL OR source = $source)
        AND kind IN (2, 5)
        AND created_at >= CAST($from AS TIMESTAMP) AND created_at < CAST($to AS TIMESTAMP)
  )
