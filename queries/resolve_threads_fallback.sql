-- resolve_threads_fallback: a post of $source whose thread is still
-- unknown after resolve_threads starts a thread of its own under its parent:
-- the parent's id, or its own when it has no parent.
-- Parameters: $source.
UPDATE posts
SET thread_id = coalesce(parent_id, post_id)
WHERE source = $source AND thread_id IS NULL
