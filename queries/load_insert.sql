-- load_insert: the part of an ingest that adds new posts to a source that
-- has some already. Inserts the posts of the staged table incoming whose
-- (source, post_id) is not stored yet, with their month. Threads the
-- ingestor left NULL are resolved afterwards by resolve_threads.
-- Parameters: $source, the source being ingested.
INSERT INTO posts BY NAME
SELECT i.*, CAST(date_trunc('month', i.created_at) AS DATE) AS month
FROM incoming AS i
ANTI JOIN (SELECT post_id FROM posts WHERE source = $source) AS known
       ON known.post_id = i.post_id
