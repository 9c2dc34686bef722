-- person_posts: the posts of some accounts counted by month and areas
-- (each post's own, or its thread's first post's when it has none:
-- post_links.areas_of), for a person's focus when the configured areas
-- are not all counted ahead (engine/person.go). The areas are numbers
-- (area_keys).
--
-- Parameters:
--   $keys  a JSON list of the accounts' author_keys
WITH counted AS (
    SELECT month, areas_of, count(*) AS posts
    FROM post_links
    WHERE author_key IN (SELECT unnest(from_json(CAST($keys AS VARCHAR), '["INTEGER"]')))
    GROUP BY ALL
),
areas AS (
    SELECT post_key, list(area_key) AS areas
    FROM post_areas SEMI JOIN (SELECT DISTINCT areas_of AS post_key FROM counted) USING (post_key)
    GROUP BY post_key
)
SELECT c.month, coalesce(a.areas, []) AS areas, CAST(sum(c.posts) AS BIGINT) AS posts
FROM counted AS c LEFT JOIN areas AS a ON a.post_key = c.areas_of
GROUP BY ALL
