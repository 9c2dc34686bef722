-- link_post_areas: lists the own areas of the posts of $source stored
-- since the last link (post_key above $after) by number, in post_areas
-- (after link_area_keys has numbered them).
-- Parameters: $source, $after.
INSERT INTO post_areas (post_key, area_key)
SELECT p.post_key, k.area_key
FROM (
    SELECT post_key, unnest(list_distinct(areas)) AS area
    FROM posts
    WHERE source = $source AND post_key > $after
) AS p
JOIN area_keys AS k USING (area);
