-- link_area_keys: numbers the areas of the posts of $source stored since
-- the last link (post_key above $after) that have no number yet
-- (area_keys). The engine runs it with link_accounts, before
-- link_post_areas and link_posts.
-- Parameters: $source, $after.
INSERT INTO area_keys (area, area_key)
SELECT n.area, CAST(nextval('area_key_numbers') AS INTEGER)
FROM (
    SELECT DISTINCT unnest(areas) AS area
    FROM posts
    WHERE source = $source AND post_key > $after
) AS n
ANTI JOIN area_keys AS k USING (area);
