-- person_months: the months in which some accounts have metrics (sent,
-- received or had an answer accepted), for a person's history.
--
-- Parameters:
--   $accounts  a JSON list of {source, author}
WITH want AS (
    SELECT unnest(from_json(CAST($accounts AS VARCHAR), '[{"source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)
)
SELECT DISTINCT month FROM monthly_metrics SEMI JOIN want USING (source, author) ORDER BY month
