-- board_excluded: the accounts an exclusion keeps off a board
-- (engine/board.go), in the window or not: one account, the addresses of
-- a mail domain (and its subdomains), or the accounts whose name or id
-- matches a pattern (GLOB: * and ?), each exclusion for the windows its
-- from/to dates overlap (either may be null: unbounded). Returns each
-- account's author_key and the exclusion's reason.
--
-- Parameters:
--   $exclusions  a JSON list of {source, author, domain, name, from, to,
--                reason}
--   $first       DATE, the window's first day
--   $last        DATE, the window's last day
WITH ex AS (
    SELECT unnest(from_json(CAST($exclusions AS VARCHAR),
        '[{"source":"VARCHAR","author":"VARCHAR","domain":"VARCHAR","name":"VARCHAR","from":"DATE","to":"DATE","reason":"VARCHAR"}]'),
        recursive := true)
)
SELECT a.author_key, ex.reason
FROM accounts AS a
JOIN ex ON ((ex.author IS NOT NULL AND ex.source = a.source AND ex.author = a.author)
         OR (ex.domain IS NOT NULL AND (lower(a.author) LIKE '%@' || ex.domain OR lower(a.author) LIKE '%@%.' || ex.domain))
         OR (ex.name IS NOT NULL AND (a.name GLOB ex.name OR a.author GLOB ex.name)))
       AND (ex."from" IS NULL OR ex."from" <= CAST($last AS DATE))
       AND (ex."to" IS NULL OR ex."to" >= CAST($first AS DATE))
WHERE a.author_key IS NOT NULL
