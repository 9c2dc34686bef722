-- link_candidates: the stored posts of $source that the chunk of posts
-- being linked (the temporary table link_chunk) names as its parents or
-- threads, with the columns link_posts looks them up by. The engine
-- keeps them in a temporary table for link_posts to look among: every
-- stored post is read once, for four columns, and the join that follows
-- is as large as the chunk, not as the source (a thousand new posts
-- joined with ten million stored took 7.5 s, against 0.7 s).
-- Parameters: $source.
SELECT post_id, thread_id, post_key, author
FROM posts
WHERE source = $source AND post_id IN (SELECT unnest([parent_id, thread_id]) FROM link_chunk)
