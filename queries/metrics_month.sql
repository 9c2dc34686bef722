-- metrics_month: the post_links of $source made in one month, as the
-- engine's monthly metrics read them (engine/metrics.go): the columns in
-- this order, the time in microseconds since 1970, then areas_of, which
-- the areas' counts read (as in span_links.sql).
-- Parameters: $source, $month (the month's first day, as days since
-- 1970-01-01).
SELECT post_key,
       author_key,
       kind,
       epoch_us(created_at) AS ts,
       parent_author_key,
       thread_key,
       starter_author_key,
       areas_of
FROM post_links
WHERE source = $source AND month = DATE '1970-01-01' + CAST($month AS INTEGER)
