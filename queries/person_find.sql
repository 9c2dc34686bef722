-- person_find: the people a name finds: those whose configured name, an
-- account's name shown, an account's id, or whose key (person:NAME,
-- mail:ADDRESS, account:SOURCE/AUTHOR) is $name, case aside; each with
-- every account of theirs, by the rules of leaderboard (accounts.person,
-- then the configuration's people).
--
-- Parameters:
--   $name    what to look for
--   $people  a JSON list of {name, source, author}: the configuration's
--            people, one row an account, '[]' for none
WITH cfg AS (
    SELECT unnest(from_json(CAST($people AS VARCHAR), '[{"name":"VARCHAR","source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)
),
named AS (
    SELECT DISTINCT a.person AS base, cfg.name AS cfg_name
    FROM cfg JOIN accounts AS a USING (source, author)
),
acct AS (
    SELECT a.source, a.author, a.name, a.last_post, n.cfg_name,
           coalesce('person:' || n.cfg_name, a.person) AS pkey
    FROM accounts AS a LEFT JOIN named AS n ON n.base = a.person
)
SELECT pkey, coalesce(any_value(cfg_name), arg_max(name, last_post), min(author)) AS name,
       string_agg(source || chr(31) || author, chr(30) ORDER BY source, author) AS account_list
FROM acct
WHERE pkey IN (SELECT pkey FROM acct
               WHERE lower(cfg_name) = lower($name) OR lower(name) = lower($name)
                  OR lower(author) = lower($name) OR lower(pkey) = lower($name))
GROUP BY pkey
ORDER BY pkey
