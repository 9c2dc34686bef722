-- person_ranks: for a person's history (engine/person.go), the
-- monthly_metrics rows, in the months the person has, of the accounts
-- that may rank above them: those whose value is at least the person's
-- that month, and every row of an account whose person has other
-- accounts or is configured (such a person's value is the sum of their
-- accounts'). Each row comes with its account's person_key and rank; the
-- engine groups them into people and counts those above.
--
-- The value placeholder in braces is replaced by the engine with the
-- value ranked on, over the metrics' columns: the profile's weighted sum
-- of them (as engine/board.go adds them), or one metric.
--
-- Parameters:
--   $mine     a JSON list of the person's author_keys
--   $grouped  a JSON list of the person_keys the configuration groups
--   $w_posts ... $w_active_days  the profile's weights
WITH me AS (
    SELECT unnest(from_json(CAST($mine AS VARCHAR), '["INTEGER"]')) AS author_key
),
mine AS (
    SELECT month, {{value}} AS v
    FROM (
        SELECT month, sum(posts) AS posts, sum(comments) AS comments, sum(questions) AS questions,
               sum(answers) AS answers, sum(topics) AS topics, sum(received) AS received,
               sum(accepted) AS accepted, sum(reach) AS reach, sum(helped) AS helped,
               sum(first_responses) AS first_responses, sum(audience) AS audience,
               sum(active_days) AS active_days
        FROM monthly_metrics SEMI JOIN me USING (author_key)
        GROUP BY month
    )
),
grouped AS (
    SELECT author_key FROM accounts
    WHERE person_key IN (SELECT person_key FROM accounts GROUP BY person_key HAVING count(*) > 1)
       OR list_contains(from_json(CAST($grouped AS VARCHAR), '["INTEGER"]'), person_key)
),
-- The rows are chosen first, then their accounts looked up: joined the
-- other way, DuckDB may look up every row's account first (4 s, not 0.3,
-- at ten million posts).
candidates AS MATERIALIZED (
    SELECT mm.*
    FROM monthly_metrics AS mm
    JOIN mine USING (month)
    WHERE ({{value}} >= mine.v OR mm.author_key IN (SELECT author_key FROM grouped))
      AND mm.author_key NOT IN (SELECT author_key FROM me)
)
SELECT c.month, c.author_key, a.person_key, a.ranked,
       c.posts, c.comments, c.questions, c.answers, c.topics, c.received, c.accepted,
       c.reach, c.helped, c.first_responses, c.audience, c.active_days
FROM candidates AS c
JOIN accounts AS a USING (author_key)
