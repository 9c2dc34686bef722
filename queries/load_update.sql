-- load_update: the part of an ingest that updates posts already stored.
-- For every post of $source in the staged table incoming whose score,
-- views, acceptance, title, author name or size changed, stores the new
-- values. A post's key, author, kind, thread and date never change.
-- Parameters: $source, the source being ingested.
UPDATE posts
SET score = i.score,
    views = i.views,
    accepted_at = i.accepted_at,
    title = i.title,
    author_name = i.author_name,
    body_bytes = i.body_bytes
FROM incoming AS i
WHERE posts.source = $source
  AND posts.post_id = i.post_id
  AND (posts.score IS DISTINCT FROM i.score
    OR posts.views IS DISTINCT FROM i.views
    OR posts.accepted_at IS DISTINCT FROM i.accepted_at
    OR posts.title IS DISTINCT FROM i.title
    OR posts.author_name IS DISTINCT FROM i.author_name
    OR posts.body_bytes IS DISTINCT FROM i.body_bytes)
