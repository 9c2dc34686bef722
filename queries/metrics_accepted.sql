-- metrics_accepted: the posts of $source accepted, counted per account
-- and month of acceptance (UTC), in month order, for the engine's monthly
-- metrics (engine/metrics.go): every post's, or, with $areas, those of
-- the posts in one of the areas numbered (area_keys), for an area's. A
-- deleted user's accepted posts are credited to nobody. The acceptances
-- are read from post_links (its accepted_at is posts.accepted_at, copied
-- before the metrics are counted), by number: no post is joined to its
-- account by name.
-- Parameters: $source; $areas, area_keys comma-separated, or NULL.
SELECT CAST(date_trunc('month', accepted_at) AS DATE) AS month,
       author_key,
       count(*) AS n
FROM post_links
WHERE source = $source AND accepted_at IS NOT NULL AND author_key IS NOT NULL
  AND (CAST($areas AS VARCHAR) IS NULL OR areas_of IN (
      SELECT post_key FROM post_areas
      WHERE area_key IN (SELECT unnest(CAST(string_split(CAST($areas AS VARCHAR), ',') AS INTEGER[])))))
GROUP BY ALL
ORDER BY month
