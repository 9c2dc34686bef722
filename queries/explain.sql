-- explain: the posts behind a person's numbers over a span: a row per
-- post that counts, and for which metric. sent (a post, a comment), with
-- whom it answers; received, a reply by someone else to one of theirs (a
-- deleted user's marked "(deleted)": it counts, but reaches nobody);
-- accepted, an answer of theirs accepted in the span; first_response,
-- their post that was a thread's first response. reach is the distinct
-- others of the sent and received rows, helped the distinct starters of
-- the threads they sent in (not theirs). The definitions are those of
-- window_metrics.
--
-- Parameters:
--   $accounts  a JSON list of {source, author}: the person's accounts
--   $from      TIMESTAMP, the span's start
--   $to        TIMESTAMP, the span's end (excluded)
WITH want AS (
    SELECT unnest(from_json(CAST($accounts AS VARCHAR), '[{"source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)
),
mine AS (
    SELECT p.*, p.post_key AS pk FROM posts AS p SEMI JOIN want USING (source, author)
),
thread_of AS (
    SELECT s.source, s.thread_id, s.title, s.author AS starter, coalesce(s.author_name, s.author) AS starter_name
    FROM posts AS s SEMI JOIN (SELECT DISTINCT source, thread_id FROM mine) USING (source, thread_id)
    WHERE s.post_id = s.thread_id
),
sent AS (
    SELECT 'sent' AS metric, m.source, m.post_id, m.kind, m.created_at AS happened,
           CASE WHEN par.post_id IS NOT NULL AND par.author IS NULL THEN coalesce(par.author_name, 'someone') || ' (deleted)'
                ELSE coalesce(par.author_name, par.author) END AS other, t.title AS thread
    FROM mine AS m
    LEFT JOIN posts AS par ON par.source = m.source AND par.post_id = m.parent_id
    LEFT JOIN thread_of AS t ON t.source = m.source AND t.thread_id = m.thread_id
    WHERE m.created_at >= CAST($from AS TIMESTAMP) AND m.created_at < CAST($to AS TIMESTAMP)
),
received AS (
    SELECT 'received' AS metric, r.source, r.post_id, r.kind, r.created_at AS happened,
           CASE WHEN r.author IS NULL THEN coalesce(r.author_name, 'someone') || ' (deleted)'
                ELSE coalesce(r.author_name, r.author) END AS other, t.title AS thread
    FROM posts AS r
    JOIN mine AS m ON m.source = r.source AND m.post_id = r.parent_id
    LEFT JOIN thread_of AS t ON t.source = m.source AND t.thread_id = m.thread_id
    WHERE r.created_at >= CAST($from AS TIMESTAMP) AND r.created_at < CAST($to AS TIMESTAMP)
      AND NOT EXISTS (SELECT 1 FROM want WHERE want.source = r.source AND want.author = r.author)
),
accepted AS (
    SELECT 'accepted' AS metric, m.source, m.post_id, m.kind, m.accepted_at AS happened, NULL AS other, t.title AS thread
    FROM mine AS m LEFT JOIN thread_of AS t USING (source, thread_id)
    WHERE m.accepted_at >= CAST($from AS TIMESTAMP) AND m.accepted_at < CAST($to AS TIMESTAMP)
),
firsts AS (
    SELECT source, thread_id, arg_min_null({'author': author, 'post_id': post_id, 'at': created_at}, (created_at, post_key)) AS first
    FROM posts
    SEMI JOIN (SELECT DISTINCT source, thread_id FROM mine) USING (source, thread_id)
    WHERE kind IN ('answer', 'reply') AND post_id <> thread_id
      AND author IS DISTINCT FROM (SELECT starter FROM thread_of AS t WHERE t.source = posts.source AND t.thread_id = posts.thread_id)
    GROUP BY source, thread_id
),
first_responses AS (
    SELECT 'first_response' AS metric, f.source, f.first.post_id AS post_id, NULL AS kind, f.first.at AS happened,
           t.starter_name AS other, t.title AS thread
    FROM firsts AS f
    JOIN thread_of AS t USING (source, thread_id)
    WHERE f.first.at >= CAST($from AS TIMESTAMP) AND f.first.at < CAST($to AS TIMESTAMP)
      AND EXISTS (SELECT 1 FROM want WHERE want.source = f.source AND want.author = f.first.author)
)
SELECT metric, source, post_id, kind, happened, other, thread
FROM (FROM sent UNION ALL FROM received UNION ALL FROM accepted UNION ALL FROM first_responses)
ORDER BY list_position(['sent', 'received', 'accepted', 'first_response'], metric), happened, source, post_id
