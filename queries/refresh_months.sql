-- refresh_months: the months of $source whose monthly metrics an ingest
-- that only added posts changes (the posts above the last linked, and
-- those whose links were pending), from the temporary tables the engine
-- makes first (engine/load.go): added_links, the links of those posts,
-- and responded, the threads they answer or reply in, each with the
-- earliest of them there. The months are those of the posts; the months
-- their acceptances fall in; and the months of the answers and replies
-- that one of them, made earlier, displaces as its thread's first
-- response. Every other month counts the same posts as before (a reply
-- counts in its own month, for its author and its parent's). As days
-- since 1970-01-01, in order.
-- Parameters: $source; $since, the earliest response in responded (NULL:
-- none): a constant lets DuckDB skip the blocks of older links, where the
-- join's bound alone read every link (1.5 s at twenty million).
SELECT DISTINCT CAST(m - DATE '1970-01-01' AS INTEGER) AS month
FROM (
    SELECT month AS m FROM added_links
    UNION ALL
    SELECT CAST(date_trunc('month', accepted_at) AS DATE) FROM added_links WHERE accepted_at IS NOT NULL
    UNION ALL
    SELECT l.month
    FROM post_links AS l JOIN responded AS r USING (thread_key)
    WHERE l.source = $source AND l.kind IN (2, 5) AND l.thread_key <> l.post_key AND l.created_at >= r.since
      AND l.created_at >= $since
)
ORDER BY month
