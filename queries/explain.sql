-- explain: the posts behind a person's numbers over a span: a row per
-- post that counts, and for which metric. sent (a post, a comment), with
-- whom it answers; received, a reply by someone else to one of theirs (a
-- deleted user's marked "(deleted)": it counts, but reaches nobody);
-- accepted, an answer of theirs accepted in the span; first_response,
-- their post that was a thread's first response. reach is the distinct
-- others of the sent and received rows, helped the distinct starters of
-- the threads they sent in (not theirs). The definitions are those of
-- engine/metrics.go.
--
-- The posts are found by number in post_links (the person's author_keys,
-- the months of the span; the acceptances by post_links.accepted_at), and
-- only those found are read from posts, for their ids, names and titles.
--
-- Parameters:
--   $accounts  a JSON list of {source, author}: the person's accounts
--   $from      TIMESTAMP, the span's start
--   $to        TIMESTAMP, the span's end (excluded)
WITH want AS (
    SELECT k.author_key
    FROM account_keys AS k
    SEMI JOIN (SELECT unnest(from_json(CAST($accounts AS VARCHAR), '[{"source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)) AS w
    USING (source, author)
),
span AS (
    SELECT *
    FROM post_links
    WHERE month BETWEEN CAST(date_trunc('month', CAST($from AS TIMESTAMP)) AS DATE)
                    AND CAST(date_trunc('month', CAST($to AS TIMESTAMP) - INTERVAL 1 MICROSECOND) AS DATE)
      AND created_at >= CAST($from AS TIMESTAMP) AND created_at < CAST($to AS TIMESTAMP)
),
sent AS (
    SELECT 'sent' AS metric, post_key, created_at AS happened, parent_key AS other_key, thread_key
    FROM span WHERE author_key IN (SELECT author_key FROM want)
),
received AS (
    SELECT 'received' AS metric, post_key, created_at AS happened, post_key AS other_key, thread_key
    FROM span
    WHERE parent_author_key IN (SELECT author_key FROM want)
      AND (author_key IS NULL OR author_key NOT IN (SELECT author_key FROM want))
),
accepted AS (
    SELECT 'accepted' AS metric, post_key, accepted_at AS happened, NULL AS other_key, thread_key
    FROM post_links
    WHERE accepted_at >= CAST($from AS TIMESTAMP) AND accepted_at < CAST($to AS TIMESTAMP)
      AND author_key IN (SELECT author_key FROM want)
),
-- Their answers and replies in the span that may be a thread's first
-- response, and each of those threads' first (of two at the same
-- instant, the one stored first).
candidates AS (
    SELECT * FROM span
    WHERE author_key IN (SELECT author_key FROM want) AND kind IN (2, 5)
      AND thread_key <> post_key AND author_key IS DISTINCT FROM starter_author_key
),
-- A thread's first response is before the span's end when one of the
-- candidates is: only the links before it are looked at.
firsts AS (
    SELECT thread_key, arg_min(post_key, (created_at, post_key)) AS post_key
    FROM post_links
    WHERE thread_key IN (SELECT thread_key FROM candidates)
      AND month <= CAST(date_trunc('month', CAST($to AS TIMESTAMP) - INTERVAL 1 MICROSECOND) AS DATE)
      AND created_at < CAST($to AS TIMESTAMP)
      AND kind IN (2, 5) AND thread_key <> post_key AND author_key IS DISTINCT FROM starter_author_key
    GROUP BY thread_key
),
first_responses AS (
    SELECT 'first_response' AS metric, c.post_key, c.created_at AS happened, c.thread_key AS other_key, c.thread_key
    FROM candidates AS c SEMI JOIN firsts USING (post_key)
),
counted AS (
    FROM sent UNION ALL FROM received UNION ALL FROM accepted UNION ALL FROM first_responses
),
info AS (
    SELECT post_key, source, post_id, kind, title, author, author_name
    FROM posts
    WHERE post_key IN (SELECT post_key FROM counted UNION SELECT other_key FROM counted UNION SELECT thread_key FROM counted)
)
SELECT c.metric, p.source, p.post_id,
       CASE WHEN c.metric = 'first_response' THEN NULL ELSE p.kind END AS kind,
       c.happened,
       CASE c.metric
           WHEN 'accepted' THEN NULL
           WHEN 'first_response' THEN coalesce(o.author_name, o.author)
           ELSE CASE WHEN o.post_key IS NOT NULL AND o.author IS NULL THEN coalesce(o.author_name, 'someone') || ' (deleted)'
                     ELSE coalesce(o.author_name, o.author) END
       END AS other,
       t.title AS thread
FROM counted AS c
JOIN info AS p ON p.post_key = c.post_key
LEFT JOIN info AS o ON o.post_key = c.other_key
LEFT JOIN info AS t ON t.post_key = c.thread_key
ORDER BY list_position(['sent', 'received', 'accepted', 'first_response'], c.metric), c.happened, p.source, p.post_id
