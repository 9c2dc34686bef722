-- link_accounts: numbers the accounts of $source that wrote the posts not
-- linked yet (post_key above $after) and have no number yet, in
-- account_keys. The engine runs it before link_posts.
-- Parameters: $source, $after (the highest post_key linked so far).
INSERT INTO account_keys (source, author, author_key)
SELECT $source, n.author, CAST(nextval('author_keys') AS INTEGER)
FROM (
    SELECT DISTINCT author
    FROM posts
    WHERE source = $source AND post_key > $after AND author IS NOT NULL
) AS n
ANTI JOIN (SELECT author FROM account_keys WHERE source = $source) AS k USING (author)
