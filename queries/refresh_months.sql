-- refresh_months: the months of $source whose monthly metrics an ingest
-- that only added posts changes (the posts above $after, and those whose
-- links were pending, listed in the temporary table relink): the months
-- of those posts; the months their acceptances fall in; and the months of
-- the answers and replies that one of them, made earlier, displaces as
-- its thread's first response. Every other month counts the same posts
-- as before (a reply counts in its own month, for its author and its
-- parent's). As days since 1970-01-01, in order.
-- Parameters: $source, $after; $since, the earliest of those posts that
-- is an answer or a reply (NULL: none), which the engine looks up first:
-- a constant lets DuckDB skip the blocks of older links, where the join's
-- bound alone read every link (1.5 s at twenty million).
WITH n AS (
    SELECT * FROM post_links WHERE source = $source AND post_key > $after
    UNION ALL
    SELECT * FROM post_links WHERE source = $source AND post_key <= $after AND post_key IN (SELECT post_key FROM relink)
),
responded AS (
    SELECT thread_key, min(created_at) AS since
    FROM n
    WHERE kind IN (2, 5) AND thread_key <> post_key
    GROUP BY thread_key
)
SELECT DISTINCT CAST(m - DATE '1970-01-01' AS INTEGER) AS month
FROM (
    SELECT month AS m FROM n
    UNION ALL
    SELECT CAST(date_trunc('month', accepted_at) AS DATE) FROM n WHERE accepted_at IS NOT NULL
    UNION ALL
    SELECT l.month
    FROM post_links AS l JOIN responded AS r USING (thread_key)
    WHERE l.source = $source AND l.kind IN (2, 5) AND l.thread_key <> l.post_key AND l.created_at >= r.since
      AND l.created_at >= $since
)
ORDER BY month
