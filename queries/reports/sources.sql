-- sources: every source in the database: its platform, posts, accounts,
-- first and last post, when it was last ingested and how many ingests
-- (or pulls) of it landed. Its accounts are those that wrote its posts
-- (the accounts table, as the last refresh left it).
--
-- Parameters: none.
SELECT p.source, any_value(p.platform) AS platform, count(*) AS posts,
       (SELECT count(*) FROM accounts AS a WHERE a.source = p.source) AS accounts,
       min(p.created_at) AS first_post, max(p.created_at) AS last_post,
       (SELECT max(r.finished_at) FROM ingest_runs AS r WHERE r.source = p.source) AS last_ingest,
       (SELECT count(*) FROM ingest_runs AS r WHERE r.source = p.source) AS runs
FROM posts AS p
GROUP BY p.source
ORDER BY p.source
