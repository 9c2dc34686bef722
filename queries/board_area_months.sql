-- board_area_months: board_months.sql for the posts of one counted area:
-- its area_metrics rows over a window of whole calendar months, by
-- author_key, each with its month's place in the window (0 for the
-- first). The engine (engine/board.go) sums each account's months as it
-- sums monthly_metrics.
--
-- Parameters:
--   $first   DATE, the window's first day
--   $last    DATE, the window's last day
--   $source  the source, or NULL for every source
--   $area    the area's counted_areas.area_id
SELECT author_key,
       CAST(datediff('month', CAST($first AS DATE), month) AS INTEGER) AS i,
       posts, comments, questions, answers, topics, received, accepted,
       reach, helped, first_responses, audience, active_days
FROM area_metrics
WHERE area_id = $area
  AND month BETWEEN CAST($first AS DATE) AND CAST($last AS DATE)
  AND ($source IS NULL OR source = $source)
