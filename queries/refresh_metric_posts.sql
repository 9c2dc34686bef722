-- refresh_metric_posts: the posts of $source with what the metrics need of
-- their parent and their thread, in integers only, written to the Parquet
-- file metric_posts.parquet in the refresh's scratch folder (the variable
-- calvin_scratch) for refresh_monthly_metrics: accounts as their aid in
-- metric_authors, posts as their rowid in posts (pk), months as months
-- since 1970-01 (mon), kinds as numbers (k: 1 question, 2 answer, 3
-- comment, 4 topic, 5 reply), the UTC day of the month (d) and the time in
-- microseconds (ts).
--
-- A file, not a temporary table: inside the ingest's transaction, a table
-- made there (and the posts just loaded) is the transaction's own, and
-- DuckDB sizes a scan's threads by a table's committed rows, so every
-- statement that read such a table ran on one thread. A Parquet file is
-- read on all of them: at ten million posts the metrics that read this
-- file, and storing them, took 25 s instead of 38 s (benchmarks/README.md).
-- This statement itself still reads posts on one thread on a first ingest.
--
-- The two joins keep their build sides narrow (a parent needs only its key
-- and account; a thread only its starter's), and a thread's starter is
-- the post that opens it (its own thread): at ten million posts, joining
-- whole rows spilled to disk and took three times as long.
-- Parameters: $source.
COPY (
    WITH p AS NOT MATERIALIZED (
        SELECT posts.rowid AS pk, post_id, thread_id, parent_id, kind, a.aid,
               created_at, month, views, accepted_at
        FROM posts
        LEFT JOIN metric_authors AS a USING (author)
        WHERE source = $source
    )
    SELECT p.pk,
           p.aid,
           CAST(datediff('month', DATE '1970-01-01', p.month) AS INTEGER)       AS mon,
           CAST(CASE p.kind WHEN 'question' THEN 1 WHEN 'answer' THEN 2 WHEN 'comment' THEN 3
                            WHEN 'topic' THEN 4 WHEN 'reply' THEN 5 END AS TINYINT) AS k,
           CAST(day(p.created_at) AS TINYINT)                                   AS d,
           epoch_us(p.created_at)                                               AS ts,
           CAST(datediff('month', DATE '1970-01-01', p.accepted_at) AS INTEGER) AS accepted_mon,
           p.post_id = p.thread_id AS starts_thread,
           par.aid                 AS parent_aid,
           s.pk                    AS thread_pk, -- NULL when the thread's first post is not stored
           s.aid                   AS starter_aid,
           s.views                 AS thread_views
    FROM p
    LEFT JOIN (SELECT post_id, aid FROM p) AS par
           ON par.post_id = p.parent_id
    LEFT JOIN (SELECT pk, thread_id, aid, views FROM p WHERE post_id = thread_id) AS s
           ON s.thread_id = p.thread_id
) TO (getvariable('calvin_scratch') || '/metric_posts.parquet') (FORMAT parquet)
