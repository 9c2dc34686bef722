-- load_update: the part of a load of a few posts (the engine's loadFew)
-- that updates the stored ones: each post of the temporary table
-- load_stage (the stream) whose id load_stored finds among the posts of
-- $source gets the new score, views, acceptance, title, author name and
-- size when one of them changed, as load_merge does. Returns the number
-- of posts updated.
-- Parameters: $source.
UPDATE posts
SET score = i.score,
    views = i.views,
    accepted_at = i.accepted_at,
    title = i.title,
    author_name = i.author_name,
    body_bytes = i.body_bytes
FROM (
    SELECT s.*, k.post_key AS stored_key
    FROM load_stage AS s JOIN load_stored AS k USING (post_id)
) AS i
WHERE posts.source = $source AND posts.post_key = i.stored_key
  AND (posts.score IS DISTINCT FROM i.score
    OR posts.views IS DISTINCT FROM i.views
    OR posts.accepted_at IS DISTINCT FROM i.accepted_at
    OR posts.title IS DISTINCT FROM i.title
    OR posts.author_name IS DISTINCT FROM i.author_name
    OR posts.body_bytes IS DISTINCT FROM i.body_bytes)
