-- thread: the posts of one thread in time order: who wrote each, whom it
-- answers, and its kind.
--
-- Parameters:
--   $source  the thread's source (required)
--   $thread  the thread's id: the post id of its first post (required)
SELECT p.post_id, p.kind, p.created_at, coalesce(p.author_name, p.author, '(deleted)') AS author,
       p.parent_id, coalesce(parent.author_name, parent.author) AS answers, p.score,
       p.accepted_at IS NOT NULL AS accepted, p.title
FROM posts AS p
LEFT JOIN posts AS parent ON parent.source = p.source AND parent.post_id = p.parent_id
WHERE p.source = $source AND p.thread_id = $thread
ORDER BY p.created_at, p.post_id
