-- load_insert: the part of an ingest that adds new posts. Inserts the posts
-- of the staged table incoming whose (source, post_id) is not stored yet,
-- with their month, and with the thread resolved where the ingestor left
-- it NULL: the parent's thread (the parent staged in the same ingest or
-- stored before), else the parent itself, else the post.
-- Parameters: $source, the source being ingested.
INSERT INTO posts BY NAME
SELECT i.* EXCLUDE (thread_id),
       coalesce(i.thread_id, staged.thread_id, stored.thread_id, i.parent_id, i.post_id) AS thread_id,
       CAST(date_trunc('month', i.created_at) AS DATE) AS month
FROM incoming AS i
LEFT JOIN (SELECT post_id, thread_id FROM incoming WHERE thread_id IS NOT NULL) AS staged
       ON i.thread_id IS NULL AND staged.post_id = i.parent_id
LEFT JOIN (SELECT post_id, thread_id FROM posts WHERE source = $source) AS stored
       ON i.thread_id IS NULL AND stored.post_id = i.parent_id
WHERE NOT EXISTS (
    SELECT 1 FROM posts AS p WHERE p.source = $source AND p.post_id = i.post_id
)
