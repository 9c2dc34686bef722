-- refresh_metric_posts: the posts of $source with what the metrics need
-- of their parent and their thread, as the temporary table metric_posts
-- that refresh_monthly_metrics reads. A table of its own, not a CTE of that
-- query: DuckDB can spill a table to disk under its memory cap, and the
-- metrics read it six times.
-- Parameters: $source.
CREATE OR REPLACE TEMP TABLE metric_posts AS
WITH p AS (
    SELECT post_id, thread_id, parent_id, kind, author, created_at, month, views, accepted_at
    FROM posts
    WHERE source = $source
)
SELECT p.author, p.month, p.kind, p.created_at, p.post_id, p.thread_id, p.accepted_at,
       p.post_id = p.thread_id AS starts_thread,
       par.post_id IS NOT NULL AS has_parent,
       par.author              AS parent_author,
       s.post_id IS NOT NULL   AS has_starter,
       s.author                AS starter,
       s.views                 AS thread_views
FROM p
LEFT JOIN p AS par ON par.post_id = p.parent_id
LEFT JOIN p AS s   ON s.post_id = p.thread_id
