-- board_months: the accounts of a window of whole calendar months, for
-- leaderboard (it stands in for its accounts placeholder): each account's sums of its
-- months' metrics (for reach, helped and audience, the sums of each
-- month's distinct counts), and a mask of the months in which it sent
-- anything (bit i: the window's month i). It reads leaderboard's win.
--
-- Parameters:
--   $source  the source, or NULL for every source
SELECT mm.source, mm.author,
       sum(posts) AS posts, sum(comments) AS comments, sum(questions) AS questions,
       sum(answers) AS answers, sum(topics) AS topics, sum(received) AS received,
       sum(accepted) AS accepted, sum(reach) AS reach, sum(helped) AS helped,
       sum(first_responses) AS first_responses, sum(audience) AS audience,
       sum(active_days) AS active_days,
       coalesce(bit_or(CAST(1 AS BIGINT) << CAST(datediff('month', win.first, mm.month) AS BIGINT))
                FILTER (WHERE posts + comments > 0), 0) AS mask
FROM monthly_metrics AS mm
CROSS JOIN win
WHERE mm.month BETWEEN win.first AND win.last
  AND ($source IS NULL OR mm.source = $source)
GROUP BY mm.source, mm.author
