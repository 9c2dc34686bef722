-- load_new: the whole load of a source that has no posts yet: the Arrow
-- stream of the ingest (registered as the view calvin_arrow_stream) goes
-- straight into posts, with each post's month and key, without a staging
-- copy.
-- Threads the ingestor left NULL are resolved afterwards by
-- resolve_threads.
INSERT INTO posts BY NAME
SELECT *, CAST(date_trunc('month', created_at) AS DATE) AS month, nextval('post_keys') AS post_key
FROM calvin_arrow_stream
