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
-- only those found are read from posts, for their ids and titles. The
-- others are named as on the boards, by their accounts' latest names; a
-- deleted user by the name on the post.
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
    SELECT 'sent' AS metric, post_key, source, kind, created_at AS happened,
           parent_key AS other_key, parent_author_key AS other_author, thread_key
    FROM span WHERE author_key IN (SELECT author_key FROM want)
),
received AS (
    SELECT 'received' AS metric, post_key, source, kind, created_at AS happened,
           post_key AS other_key, author_key AS other_author, thread_key
    FROM span
    WHERE parent_author_key IN (SELECT author_key FROM want)
      AND (author_key IS NULL OR author_key NOT IN (SELECT author_key FROM want))
),
accepted AS (
    SELECT 'accepted' AS metric, post_key, source, kind, accepted_at AS happened,
           NULL AS other_key, NULL AS other_author, thread_key
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
    SELECT 'first_response' AS metric, c.post_key, c.source, NULL AS kind, c.created_at AS happened,
           c.thread_key AS other_key, c.starter_author_key AS other_author, c.thread_key
    FROM candidates AS c SEMI JOIN firsts USING (post_key)
),
counted AS (
    FROM sent UNION ALL FROM received UNION ALL FROM accepted UNION ALL FROM first_responses
),
-- What posts gives: each counted post's id, each thread's title, and the
-- name on each other post whose author is a deleted user. Read apart,
-- each for its own posts: every column read from posts costs a scan of
-- the stretch of posts its keys span.
ids AS (
    SELECT post_key, post_id FROM posts WHERE post_key IN (SELECT post_key FROM counted)
),
titles AS (
    SELECT post_key, title FROM posts WHERE post_key IN (SELECT thread_key FROM counted)
),
deleted AS (
    SELECT post_key, author_name FROM posts
    WHERE post_key IN (SELECT other_key FROM counted WHERE other_author IS NULL AND metric <> 'accepted')
),
-- The others by their accounts' names, as the boards show them.
names AS (
    SELECT author_key, coalesce(name, author) AS name FROM accounts
    WHERE author_key IN (SELECT other_author FROM counted)
)
SELECT c.metric, c.source, i.post_id,
       CASE c.kind WHEN 1 THEN 'question' WHEN 2 THEN 'answer' WHEN 3 THEN 'comment' WHEN 4 THEN 'topic' WHEN 5 THEN 'reply' END AS kind,
       c.happened,
       CASE
           WHEN c.metric = 'accepted' OR c.other_key IS NULL THEN NULL
           WHEN c.other_author IS NOT NULL THEN n.name
           WHEN c.metric = 'first_response' THEN d.author_name
           ELSE coalesce(d.author_name, 'someone') || ' (deleted)'
       END AS other,
       t.title AS thread
FROM counted AS c
JOIN ids AS i USING (post_key)
LEFT JOIN names AS n ON n.author_key = c.other_author
LEFT JOIN deleted AS d ON d.post_key = c.other_key
LEFT JOIN titles AS t ON t.post_key = c.thread_key
ORDER BY list_position(['sent', 'received', 'accepted', 'first_response'], c.metric), c.happened, c.source, i.post_id
