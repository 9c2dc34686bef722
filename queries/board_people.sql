-- board_people: the configuration's people as a board groups accounts
-- (engine/board.go): the automatic person (person_key) of each configured
-- account, with the configured name. An account brings its whole
-- automatic person (for a mail account, every account of its address).
--
-- Parameters:
--   $people  a JSON list of {name, source, author}, one row an account
WITH cfg AS (
    SELECT unnest(from_json(CAST($people AS VARCHAR), '[{"name":"VARCHAR","source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)
)
SELECT DISTINCT a.person_key, cfg.name
FROM cfg JOIN accounts AS a USING (source, author)
