-- person_find: the people a name finds: those whose configured name, an
-- account's name shown, an account's id, or whose key (person:NAME,
-- mail:ADDRESS, account:SOURCE/AUTHOR) is $name, case aside; each with
-- every account of theirs, by the rules of leaderboard (one mail address
-- is one person across sources; the configuration's people put accounts
-- together).
--
-- Parameters:
--   $name    what to look for
--   $people  a JSON list of {name, source, author}: the configuration's
--            people, one row an account, '[]' for none
WITH cfg AS (
    SELECT unnest(from_json(CAST($people AS VARCHAR), '[{"name":"VARCHAR","source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)
),
base AS (
    SELECT a.source, a.author, a.name, a.last_post,
           CASE WHEN a.platform IN ('mbox', 'nntp') THEN '' ELSE a.source END AS bs
    FROM accounts AS a
),
named AS (
    SELECT DISTINCT b.bs, b.author, cfg.name AS cfg_name
    FROM cfg JOIN base AS b USING (source, author)
),
acct AS (
    SELECT b.*, n.cfg_name,
           CASE WHEN n.cfg_name IS NOT NULL THEN 'person:' || n.cfg_name
                WHEN b.bs = '' THEN 'mail:' || b.author
                ELSE 'account:' || b.source || '/' || b.author END AS pkey
    FROM base AS b LEFT JOIN named AS n USING (bs, author)
)
SELECT pkey, coalesce(any_value(cfg_name), arg_max(name, last_post), min(author)) AS name,
       string_agg(source || chr(31) || author, chr(30) ORDER BY source, author) AS account_list
FROM acct
WHERE pkey IN (SELECT pkey FROM acct
               WHERE lower(cfg_name) = lower($name) OR lower(name) = lower($name)
                  OR lower(author) = lower($name) OR lower(pkey) = lower($name))
GROUP BY pkey
ORDER BY pkey
