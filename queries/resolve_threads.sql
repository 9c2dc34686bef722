-- resolve_threads: gives the posts of $source that arrived without a
-- thread their parent's thread, where the parent has one. The engine runs
-- it until it changes nothing, one level of a reply chain a pass; cheap
-- when every post came with a thread. Posts still without one (their
-- parent is not stored) get one from resolve_threads_fallback.
-- Parameters: $source.
UPDATE posts AS c
SET thread_id = par.thread_id
FROM posts AS par
WHERE c.source = $source
  AND c.thread_id IS NULL
  AND par.source = $source
  AND par.post_id = c.parent_id
  AND par.thread_id IS NOT NULL
