-- person_posts: the posts of some accounts counted by month and areas
-- (each post's own, or its thread's first post's when it has none:
-- post_links.areas_of), for a person's areas and focus. The areas are
-- numbers (area_keys), sorted.
--
-- Parameters:
--   $accounts  a JSON list of {source, author}
WITH want AS (
    SELECT k.author_key
    FROM account_keys AS k
    SEMI JOIN (SELECT unnest(from_json(CAST($accounts AS VARCHAR), '[{"source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)) AS w
    USING (source, author)
),
counted AS (
    SELECT month, areas_of, count(*) AS posts
    FROM post_links SEMI JOIN want USING (author_key)
    GROUP BY ALL
),
areas AS (
    SELECT post_key, list(area_key ORDER BY area_key) AS areas
    FROM post_areas SEMI JOIN (SELECT DISTINCT areas_of AS post_key FROM counted) USING (post_key)
    GROUP BY post_key
)
SELECT c.month, coalesce(a.areas, []) AS areas, CAST(sum(c.posts) AS BIGINT) AS posts
FROM counted AS c LEFT JOIN areas AS a ON a.post_key = c.areas_of
GROUP BY ALL
