-- person_ranks: for a person's history (engine/person.go), the
-- monthly_metrics rows, in the months the person may be ranked in, of
-- the accounts the engine weighs one by one: those whose person has other
-- accounts (multi_account_people), is configured, or is met by an
-- exclusion (such a person's value is the sum of their accounts', and an
-- exclusion holds for some months only).
-- Each row comes with its account's person_key and rank; the engine
-- groups them into people and counts those above. The other accounts,
-- people of their own, are counted by person_above.sql.
--
-- Parameters:
--   $mine      a JSON list of the person's author_keys
--   $grouped   a JSON list of the person_keys the configuration groups
--   $excluded  a JSON list of the author_keys exclusions meet
--   $values    a JSON list of {month, v}: the months in which the
--              person's value is above zero, and that value (unused here)
WITH me AS (
    SELECT unnest(from_json(CAST($mine AS VARCHAR), '["INTEGER"]')) AS author_key
),
mine AS (
    SELECT unnest(from_json(CAST($values AS VARCHAR), '[{"month":"DATE","v":"DOUBLE"}]'), recursive := true)
),
weighed AS (
    SELECT author_key FROM accounts
    WHERE person_key IN (SELECT person_key FROM multi_account_people)
       OR person_key IN (SELECT unnest(from_json(CAST($grouped AS VARCHAR), '["INTEGER"]')))
    UNION
    SELECT unnest(from_json(CAST($excluded AS VARCHAR), '["INTEGER"]'))
),
-- The rows are chosen first, then their accounts looked up: joined the
-- other way, DuckDB may look up every row's account first (4 s, not 0.3,
-- at ten million posts).
candidates AS MATERIALIZED (
    SELECT mm.*
    FROM monthly_metrics AS mm
    JOIN mine USING (month)
    WHERE mm.author_key IN (SELECT author_key FROM weighed)
      AND mm.author_key NOT IN (SELECT author_key FROM me)
)
SELECT c.month, c.author_key, a.person_key, a.ranked,
       c.posts, c.comments, c.questions, c.answers, c.topics, c.received, c.accepted,
       c.reach, c.helped, c.first_responses, c.audience, c.active_days
FROM candidates AS c
JOIN accounts AS a USING (author_key)
