-- person_find: the people a name finds: those whose configured name, an
-- account's name shown, an account's id, or whose key (person:NAME,
-- mail:ADDRESS, account:SOURCE/AUTHOR) is $name, case aside; each with
-- every account of theirs, by the rules of leaderboard (accounts.person,
-- then the configuration's people). An automatic person the
-- configuration names is found by its configured key, not its own.
--
-- The accounts are scanned once for the name; the people found then
-- gather their accounts by their automatic person.
--
-- Parameters:
--   $name    what to look for
--   $key     whether $name may be an automatic person's key (every one
--            has a colon: mail:, se:, account:): else no person's key
--            is lowercased to compare
--   $people  a JSON list of {name, source, author}: the configuration's
--            people, one row an account, '[]' for none
WITH cfg AS (
    SELECT unnest(from_json(CAST($people AS VARCHAR), '[{"name":"VARCHAR","source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)
),
named AS (
    SELECT DISTINCT a.person AS base, cfg.name AS cfg_name
    FROM cfg JOIN accounts AS a USING (source, author)
),
hit AS (
    SELECT DISTINCT person AS base, lower(name) = lower($name) OR lower(author) = lower($name) AS by_account
    FROM accounts
    WHERE lower(name) = lower($name) OR lower(author) = lower($name) OR ($key AND lower(person) = lower($name))
),
found AS (
    SELECT coalesce('person:' || n.cfg_name, h.base) AS pkey
    FROM hit AS h LEFT JOIN named AS n USING (base)
    WHERE h.by_account OR n.cfg_name IS NULL
    UNION
    SELECT 'person:' || cfg_name FROM named
    WHERE lower(cfg_name) = lower($name) OR lower('person:' || cfg_name) = lower($name)
),
bases AS (
    SELECT f.pkey, n.base, n.cfg_name FROM found AS f JOIN named AS n ON f.pkey = 'person:' || n.cfg_name
    UNION ALL
    SELECT pkey, pkey, NULL FROM found WHERE pkey NOT IN (SELECT 'person:' || cfg_name FROM named)
)
SELECT b.pkey, coalesce(any_value(b.cfg_name), arg_max(a.name, a.last_post), min(a.author)) AS name,
       string_agg(a.source || chr(31) || a.author, chr(30) ORDER BY a.source, a.author) AS account_list
FROM accounts AS a JOIN bases AS b ON a.person = b.base
GROUP BY b.pkey
ORDER BY b.pkey
