-- person_above: for a person's history (engine/person.go), the ranked
-- accounts that are people of their own (not of several accounts, not
-- configured, met by no exclusion: person_ranks.sql reads those) and may
-- be above the person in a month, counted rather than read one by one: a
-- person of a busy store is below most accounts. Each month gives the
-- number clearly above the person (a row with clear, its metrics zero),
-- and those about even with them (within a millionth of a millionth of
-- their value) counted by their metrics, so that the engine's own
-- arithmetic says whether they are above: ties are many among the least
-- active, and few distinct.
--
-- The accounts set apart (the person's own, the excluded, and those the
-- engine read as not people of their own: not ranked, without a person,
-- of several accounts, configured) are few: the month's rows are
-- filtered by value first and then looked up among them, not joined
-- with every account.
--
-- The placeholders in braces are replaced by the engine: value with the
-- value ranked on, over the metrics' columns (the profile's weighted sum
-- of them, as engine/board.go adds them, or one metric); metrics with
-- the twelve metrics of those about even, in MetricNames' order, each
-- CASE WHEN clear THEN 0 ELSE it END when the value is made of it and 0
-- when not (a zero leaves the value as it is).
--
-- Parameters: person_ranks.sql's; $apart, a JSON list of the author_keys
-- the engine read (engine/board.go, loadPeople); $values, a JSON list of {month, v}:
-- the person's value in each month in which it is above zero; and
-- $w_posts ... $w_active_days, the profile's weights.
WITH mine AS (
    SELECT month, v, 1e-12 * greatest(1, abs(v)) AS tol
    FROM (SELECT unnest(from_json(CAST($values AS VARCHAR), '[{"month":"DATE","v":"DOUBLE"}]'), recursive := true))
),
apart AS (
    SELECT unnest(from_json(CAST($apart AS VARCHAR), '["INTEGER"]')) AS author_key
    UNION ALL
    SELECT unnest(from_json(CAST($excluded AS VARCHAR), '["INTEGER"]'))
    UNION ALL
    SELECT unnest(from_json(CAST($mine AS VARCHAR), '["INTEGER"]'))
),
band AS (
    SELECT mm.*, {{value}} > mine.v + mine.tol AS clear
    FROM monthly_metrics AS mm
    JOIN mine USING (month)
    WHERE {{value}} >= mine.v - mine.tol
      AND author_key NOT IN (SELECT author_key FROM apart)
)
SELECT month, count(*) AS n, clear, {{metrics}}
FROM band
GROUP BY ALL
