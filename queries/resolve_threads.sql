-- resolve_threads: gives the posts of $source that arrived without a
-- thread their parent's thread. Cheap when every post came with one.
-- The posts still without one afterwards (their parent is not stored, or
-- has no thread yet) are given by resolve_threads_fallback.
-- Parameters: $source.
UPDATE posts AS c
SET thread_id = par.thread_id
FROM posts AS par
WHERE c.source = $source
  AND c.thread_id IS NULL
  AND par.source = $source
  AND par.post_id = c.parent_id
  AND par.thread_id IS NOT NULL
