-- span_links: the post_links of the months a span overlaps, as the
-- engine's span counts read them (engine/span.go, which keeps those made
-- in the span): the columns of metrics_month.sql, then areas_of, the post
-- whose areas are the post's. Read by month, which the file's zone maps
-- find faster than a time.
-- Parameters: $source (NULL: every source), $first, $last (DATE: the
-- first days of the span's first and last months).
SELECT post_key,
       author_key,
       kind,
       epoch_us(created_at) AS ts,
       parent_author_key,
       thread_key,
       starter_author_key,
       areas_of
FROM post_links
WHERE ($source IS NULL OR source = $source)
  AND month BETWEEN CAST($first AS DATE) AND CAST($last AS DATE)
