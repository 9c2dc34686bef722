-- person_find: the people a name finds: those whose configured name, an
-- account's name shown, an account's id, or whose key (person:NAME,
-- mail:ADDRESS, account:SOURCE/AUTHOR) is $name, case aside; each with
-- every account of theirs, by the rules of leaderboard (accounts.person,
-- then the configuration's people). An automatic person the
-- configuration names is found by its configured key, not its own.
--
-- The name is looked up in account_names (lowercased, sorted), and the
-- accounts it names checked; the people found then gather their accounts
-- by their automatic person, by number.
--
-- Parameters:
--   $name    what to look for
--   $key     whether $name may be an automatic person's key (every one
--            has a colon: mail:, se:, account:): else a person's key is
--            not what finds them
--   $people  a JSON list of {name, source, author}: the configuration's
--            people, one row an account, '[]' for none
WITH cfg AS (
    SELECT unnest(from_json(CAST($people AS VARCHAR), '[{"name":"VARCHAR","source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)
),
named AS (
    SELECT DISTINCT a.person AS base, a.person_key, cfg.name AS cfg_name
    FROM cfg JOIN accounts AS a USING (source, author)
),
hit AS (
    SELECT DISTINCT a.person AS base, a.person_key, lower(a.name) = n.name OR lower(a.author) = n.name AS by_account
    FROM account_names AS n JOIN accounts AS a USING (author_key)
    WHERE n.name = lower($name)
      AND (lower(a.name) = n.name OR lower(a.author) = n.name OR ($key AND lower(a.person) = n.name))
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
    SELECT f.pkey, n.person_key, n.cfg_name FROM found AS f JOIN named AS n ON f.pkey = 'person:' || n.cfg_name
    UNION ALL
    SELECT f.pkey, h.person_key, NULL FROM found AS f JOIN (SELECT DISTINCT base, person_key FROM hit) AS h ON f.pkey = h.base
)
SELECT b.pkey, coalesce(any_value(b.cfg_name), arg_max(a.name, a.last_post), min(a.author)) AS name,
       string_agg(a.source || chr(31) || a.author, chr(30) ORDER BY a.source, a.author) AS account_list
FROM accounts AS a JOIN bases AS b USING (person_key)
GROUP BY b.pkey
ORDER BY b.pkey
