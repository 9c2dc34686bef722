-- link_posts: the post_links rows of the posts of $source not linked yet:
-- those stored since the last link (post_key above $after) and those
-- whose links were pending, which the engine has just deleted and listed
-- in the temporary table relink. Each post's author, its parent's and its
-- thread's first post's become numbers (account_keys, post_key), found
-- among every post of the source: a parent stored since is found now.
--
-- The two joins keep their build sides narrow (a parent needs only its
-- key and account; a thread only its first post's), and a thread's first
-- post is the post that opens it (its own thread): at ten million posts,
-- joining whole rows spilled to disk and took three times as long. The
-- accounts are numbered after those joins, so that an ingest of a few
-- posts into a large source looks up a few accounts, not every post's.
-- A post's areas are its own, or, when it has none, its thread's first
-- post's (areas_of names the post whose areas count).
--
-- The parents and threads are looked for among {{candidates}}: the
-- source's posts, or, when the posts to link are few beside them, the
-- temporary table link_candidates the engine made of those the posts
-- name (queries/link_candidates.sql): a thousand posts into ten million
-- then read four columns of the stored posts once, where joining them all
-- built a table of every post.
-- Parameters: $source, $after.
INSERT INTO post_links BY NAME
WITH n AS (
    -- two parts: an OR of the two would read every post's columns
    SELECT post_key, post_id, thread_id, parent_id, kind, created_at, month, author, len(areas) > 0 AS own_areas, accepted_at
    FROM posts
    WHERE source = $source AND post_key > $after
    UNION ALL
    SELECT post_key, post_id, thread_id, parent_id, kind, created_at, month, author, len(areas) > 0 AS own_areas, accepted_at
    FROM posts
    WHERE source = $source AND post_key <= $after AND post_key IN (SELECT post_key FROM relink)
),
c AS NOT MATERIALIZED (
    -- the posts that may be a parent or a thread's first post
    SELECT post_id, thread_id, post_key, author
    FROM {{candidates}}
    WHERE source = $source
),
k AS NOT MATERIALIZED (
    SELECT author, author_key FROM account_keys WHERE source = $source
)
SELECT $source AS source,
       n.post_key,
       n.month,
       CAST(CASE n.kind WHEN 'question' THEN 1 WHEN 'answer' THEN 2 WHEN 'comment' THEN 3
                        WHEN 'topic' THEN 4 WHEN 'reply' THEN 5 END AS TINYINT) AS kind,
       n.created_at,
       n.accepted_at,
       na.author_key,
       par.post_key   AS parent_key,
       pa.author_key  AS parent_author_key,
       s.post_key     AS thread_key,
       sa.author_key  AS starter_author_key,
       CASE WHEN n.own_areas THEN n.post_key ELSE s.post_key END AS areas_of,
       (n.parent_id IS NOT NULL AND par.post_key IS NULL) OR s.post_key IS NULL AS pending
FROM n
LEFT JOIN (SELECT post_id, post_key, author FROM c) AS par
       ON par.post_id = n.parent_id
LEFT JOIN (SELECT thread_id, post_key, author FROM c WHERE post_id = thread_id) AS s
       ON s.thread_id = n.thread_id
LEFT JOIN k AS na ON na.author = n.author
LEFT JOIN k AS pa ON pa.author = par.author
LEFT JOIN k AS sa ON sa.author = s.author
