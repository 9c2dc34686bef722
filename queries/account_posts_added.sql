-- account_posts_added: account_posts after an ingest that only added
-- posts, for the accounts that wrote the posts above $after: their rows
-- in accounts (as the last refresh left them, when every post up to
-- $after was counted) with the new posts added, so that the stored posts
-- are not read again. The latest name is the new posts' when the newest
-- of them with a name is newer than every stored post, the stored one
-- when no new post has a name; an account for which neither holds (a
-- named post older than its last stored one: late data) is counted again
-- from all its posts, as account_posts does.
-- Parameters: $source, $after.
WITH n AS (
    SELECT author,
           arg_max(author_name, created_at)                  AS name,
           max(created_at) FILTER (author_name IS NOT NULL)  AS named_at,
           count(*)                                          AS messages,
           min(created_at)                                   AS first_post,
           max(created_at)                                   AS last_post
    FROM posts
    WHERE source = $source AND post_key > $after AND author IS NOT NULL
    GROUP BY author
),
stored AS (
    SELECT n.*, o.name AS old_name, o.messages AS old_messages,
           o.first_post AS old_first, o.last_post AS old_last,
           o.author IS NULL OR n.named_at IS NULL OR n.named_at > o.last_post AS known
    FROM n LEFT JOIN accounts AS o ON o.source = $source AND o.author = n.author
)
SELECT author,
       CASE WHEN old_last IS NULL OR named_at > old_last THEN name ELSE old_name END AS name,
       messages + coalesce(old_messages, 0)                                          AS messages,
       least(first_post, coalesce(old_first, first_post))                            AS first_post,
       greatest(last_post, coalesce(old_last, last_post))                            AS last_post
FROM stored
WHERE known
UNION ALL
SELECT author,
       arg_max(author_name, created_at),
       count(*),
       min(created_at),
       max(created_at)
FROM posts
WHERE source = $source AND author IN (SELECT author FROM stored WHERE NOT known)
GROUP BY author
