-- refresh_accounts: the accounts of $source, rebuilt from its posts. An
-- account is not ranked when it is not a person: the Stack Exchange
-- Community user (-1) owns wiki posts and bumps old questions; Mailman
-- files messages whose sender it lost under bogus@does.not.exist.com.
-- Parameters: $source.
INSERT INTO accounts BY NAME
SELECT source,
       any_value(platform)                 AS platform,
       author,
       arg_max(author_name, created_at)    AS name,
       count(*)                            AS messages,
       min(created_at)                     AS first_post,
       max(created_at)                     AS last_post,
       CASE
           WHEN any_value(platform) = 'stackexchange' AND author = '-1'
               THEN 'bot: the Stack Exchange Community user'
           WHEN author = 'bogus@does.not.exist.com'
               THEN 'bot: Mailman''s stand-in for a lost sender'
       END                                 AS reason,
       reason IS NULL                      AS ranked
FROM posts
WHERE source = $source AND author IS NOT NULL
GROUP BY source, author
