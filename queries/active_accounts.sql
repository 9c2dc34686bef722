-- active_accounts: per source, the accounts that sent a post or a comment
-- in [$from, $to), counting only the posts in an area matching one of
-- $patterns (GLOB: * and ?; '[]' for every post). A post's areas are
-- those of post_links.areas_of: its own, or its thread's first post's.
-- Parameters: $from, $to (TIMESTAMP), $patterns (a JSON list).
WITH pat AS (
    SELECT unnest(from_json(CAST($patterns AS VARCHAR), '["VARCHAR"]')) AS g
)
SELECT source, count(DISTINCT author_key) AS active
FROM post_links
WHERE created_at >= CAST($from AS TIMESTAMP) AND created_at < CAST($to AS TIMESTAMP)
  AND author_key IS NOT NULL
  AND ((SELECT count(*) FROM pat) = 0
       OR areas_of IN (SELECT pa.post_key FROM post_areas AS pa
                       WHERE pa.area_key IN (SELECT k.area_key FROM area_keys AS k, pat WHERE k.area GLOB pat.g)))
GROUP BY source
