-- board_months: the monthly_metrics rows of a window of whole calendar
-- months, by author_key, each with its month's place in the window (0 for
-- the first). The engine (engine/board.go) sums each account's months:
-- over the window, reach, helped and audience are the sums of each
-- month's distinct counts; an account is active in the months in which it
-- sent a post or a comment.
--
-- Parameters:
--   $first   DATE, the window's first day
--   $last    DATE, the window's last day
--   $source  the source, or NULL for every source
SELECT author_key,
       CAST(datediff('month', CAST($first AS DATE), month) AS INTEGER) AS i,
       posts, comments, questions, answers, topics, received, accepted,
       reach, helped, first_responses, audience, active_days
FROM monthly_metrics
WHERE month BETWEEN CAST($first AS DATE) AND CAST($last AS DATE)
  AND ($source IS NULL OR source = $source)
