-- metrics_accepted: the posts of $source accepted, counted per account
-- and month of acceptance (UTC), in month order, for the engine's monthly
-- metrics (engine/metrics.go). A deleted user's accepted posts are
-- credited to nobody.
-- Parameters: $source.
SELECT CAST(date_trunc('month', p.accepted_at) AS DATE) AS month,
       k.author_key,
       count(*) AS n
FROM posts AS p
JOIN account_keys AS k ON k.source = p.source AND k.author = p.author
WHERE p.source = $source AND p.accepted_at IS NOT NULL
GROUP BY ALL
ORDER BY month
