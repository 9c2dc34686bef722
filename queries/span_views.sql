-- span_views: the views of the threads posted in during a span, for the
-- engine's span counts (engine/span.go): each thread's key (its first
-- post's post_key) and views, where known and not zero.
-- Parameters: $source (NULL: every source), $from, $to (TIMESTAMP).
SELECT post_key, views
FROM posts
WHERE views IS NOT NULL AND views <> 0
  AND post_key IN (
      SELECT thread_key FROM post_links
      WHERE ($source IS NULL OR source = $source)
        AND created_at >= CAST($from AS TIMESTAMP) AND created_at < CAST($to AS TIMESTAMP)
  )
