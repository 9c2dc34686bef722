-- account_posts: each account of $source with what its posts say of it:
-- its latest name and when it was shown, its messages, its first and
-- last post
-- (refresh_accounts makes the accounts of these).
-- Parameters: $source; $parts and $part: only the accounts whose
-- author hashes to $part of $parts (the engine counts the accounts a
-- part at a time when they do not fit its memory cap at once). The casts
-- matter: compared as they come, the filter tripled the time at ten
-- million posts.
-- Grouped by the account alone: with the source as a second key (the
-- same in every row) it took a third longer at ten million posts.
SELECT author,
       arg_max(author_name, created_at)                 AS name,
       max(created_at) FILTER (author_name IS NOT NULL) AS named_at,
       count(*)                                         AS messages,
       min(created_at)                                  AS first_post,
       max(created_at)                                  AS last_post
FROM posts
WHERE source = $source AND author IS NOT NULL AND hash(author) % CAST($parts AS UBIGINT) = CAST($part AS UBIGINT)
GROUP BY author
