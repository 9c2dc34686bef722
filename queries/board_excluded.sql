-- board_excluded: the accounts an exclusion keeps off a board
-- (engine/board.go), in the window or not: one account, the addresses of
-- a mail domain (and its subdomains), or the accounts whose name or id
-- matches a pattern (GLOB: * and ?). Returns each account's author_key
-- and person_key, and the exclusion's reason, from and to: it keeps the account off the
-- boards whose windows those dates overlap (either may be null:
-- unbounded).
--
-- Parameters:
--   $exclusions  a JSON list of {source, author, domain, name, from, to,
--                reason}
WITH ex AS (
    SELECT unnest(from_json(CAST($exclusions AS VARCHAR),
        '[{"source":"VARCHAR","author":"VARCHAR","domain":"VARCHAR","name":"VARCHAR","from":"DATE","to":"DATE","reason":"VARCHAR"}]'),
        recursive := true)
)
SELECT a.author_key, a.person_key, ex.reason, ex."from", ex."to"
FROM accounts AS a
JOIN ex ON (ex.author IS NOT NULL AND ex.source = a.source AND ex.author = a.author)
        OR (ex.domain IS NOT NULL AND (lower(a.author) LIKE '%@' || ex.domain OR lower(a.author) LIKE '%@%.' || ex.domain))
        OR (ex.name IS NOT NULL AND (a.name GLOB ex.name OR a.author GLOB ex.name))
WHERE a.author_key IS NOT NULL
