-- drop_duplicates: the posts one load stored twice (a reader that let a
-- post id through twice in one stream: two rows of one MERGE are both
-- new) are kept once, the first stored (the lowest post_key). Only the
-- posts of $source stored by the load are looked at: those whose post_key
-- is above $after, the highest key before it began. Returns the number of
-- rows deleted.
-- Parameters: $source, $after.
DELETE FROM posts
WHERE source = $source AND post_key > $after
  AND post_key NOT IN (
    SELECT min(post_key) FROM posts
    WHERE source = $source AND post_key > $after
    GROUP BY post_id)
