-- person_above: for a person's history (engine/person.go), the ranked
-- accounts that are people of their own (not grouped with other
-- accounts, not configured, met by no exclusion: person_ranks.sql reads
-- those) and may be above the person in a month, counted rather than
-- read one by one: a person of a busy store is below most accounts.
-- Each month gives the number clearly above the person (a row with
-- clear, its metrics zero), and those about even with them (within a
-- millionth of a millionth of their value) counted by their metrics, so
-- that the engine's own arithmetic says whether they are above: ties
-- are many among the least active, and few distinct.
--
-- The value placeholder in braces is replaced by the engine with the
-- value ranked on, over the metrics' columns: the profile's weighted sum
-- of them (as engine/board.go adds them), or one metric.
--
-- Parameters: person_ranks.sql's, and $w_posts ... $w_active_days, the
-- profile's weights.
WITH me AS (
    SELECT unnest(from_json(CAST($mine AS VARCHAR), '["INTEGER"]')) AS author_key
),
mine AS (
    SELECT month, {{value}} AS v, 1e-12 * greatest(1, abs({{value}})) AS tol
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
counted AS (
    SELECT author_key FROM accounts
    WHERE ranked AND person_key IS NOT NULL
      AND person_key NOT IN (SELECT person_key FROM accounts GROUP BY person_key HAVING count(*) > 1)
      AND NOT list_contains(from_json(CAST($grouped AS VARCHAR), '["INTEGER"]'), person_key)
      AND NOT list_contains(from_json(CAST($excluded AS VARCHAR), '["INTEGER"]'), author_key)
      AND author_key NOT IN (SELECT author_key FROM me)
),
ranked AS (
    SELECT mm.*, {{value}} > mine.v + mine.tol AS clear
    FROM monthly_metrics AS mm
    JOIN mine USING (month)
    SEMI JOIN counted USING (author_key)
    WHERE {{value}} >= mine.v - mine.tol
)
SELECT month, count(*) AS n, true AS clear,
       0 AS posts, 0 AS comments, 0 AS questions, 0 AS answers, 0 AS topics, 0 AS received, 0 AS accepted,
       0 AS reach, 0 AS helped, 0 AS first_responses, 0 AS audience, 0 AS active_days
FROM ranked WHERE clear
GROUP BY month
UNION ALL
SELECT month, count(*), false,
       posts, comments, questions, answers, topics, received, accepted,
       reach, helped, first_responses, audience, active_days
FROM ranked WHERE NOT clear
GROUP BY ALL
