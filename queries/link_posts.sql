-- link_posts: the post_links rows of one chunk of the posts of $source not
-- linked yet (the temporary table link_chunk, queries/link_chunk.sql).
-- Each post's author, its parent's and its thread's first post's become
-- numbers (account_keys, post_key), found among the posts of the source
-- the chunk names (link_candidates) and their accounts (link_keys): a
-- parent stored since is found now.
--
-- The two joins keep their build sides narrow (a parent needs only its
-- key and account; a thread only its first post's), and a thread's first
-- post is the post that opens it (its own thread): at ten million posts,
-- joining whole rows spilled to disk and took three times as long. The
-- accounts are looked up among those of the chunk and its candidates
-- only: the source's own (1.25 million at ten million posts), joined
-- three times, took more than a 200 MB cap by themselves.
-- A post's areas are its own, or, when it has none, its thread's first
-- post's (areas_of names the post whose areas count).
--
-- Parameters: $source.
INSERT INTO post_links BY NAME
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
FROM link_chunk AS n
LEFT JOIN (SELECT post_id, post_key, author FROM link_candidates) AS par
       ON par.post_id = n.parent_id
LEFT JOIN (SELECT thread_id, post_key, author FROM link_candidates WHERE post_id = thread_id) AS s
       ON s.thread_id = n.thread_id
LEFT JOIN link_keys AS na ON na.author = n.author
LEFT JOIN link_keys AS pa ON pa.author = par.author
LEFT JOIN link_keys AS sa ON sa.author = s.author
