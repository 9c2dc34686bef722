-- load_merge: the whole load of a source that has posts already, in one
-- pass over the Arrow stream of the ingest (the view calvin_arrow_stream),
-- without a staging copy: posts not stored yet are inserted with their
-- month and a new post_key (the keys drawn for the stored ones go
-- unused); stored posts whose score, views, acceptance, title, author name
-- or size changed get the new values. A post's id, key, author, kind,
-- thread and date never change. Returns one row per post inserted or
-- updated, with merge_action 'INSERT' or 'UPDATE'. Threads the ingestor
-- left NULL are resolved afterwards by resolve_threads. A load of few
-- posts is staged and merged by id instead (the engine's loadFew, with
-- load_update, which changes the same columns).
MERGE INTO posts
USING (
    SELECT *, CAST(date_trunc('month', created_at) AS DATE) AS month, nextval('post_keys') AS post_key
    FROM calvin_arrow_stream
) AS i
ON posts.source = i.source AND posts.post_id = i.post_id
WHEN MATCHED AND (posts.score IS DISTINCT FROM i.score
    OR posts.views IS DISTINCT FROM i.views
    OR posts.accepted_at IS DISTINCT FROM i.accepted_at
    OR posts.title IS DISTINCT FROM i.title
    OR posts.author_name IS DISTINCT FROM i.author_name
    OR posts.body_bytes IS DISTINCT FROM i.body_bytes) THEN
    UPDATE SET score = i.score,
               views = i.views,
               accepted_at = i.accepted_at,
               title = i.title,
               author_name = i.author_name,
               body_bytes = i.body_bytes
WHEN NOT MATCHED THEN
    INSERT BY NAME
RETURNING merge_action
