-- history: one account's metrics month by month, and its rank that month
-- by the calvin score (posts + received) among the ranked accounts of its
-- source (empty in a month it scored nothing, such as one with only an
-- answer accepted).
--
-- Parameters:
--   $source  the account's source (required)
--   $author  the account: a user id, an address, a username (required)
WITH ranked AS (
    SELECT mm.author, mm.month, rank() OVER (PARTITION BY mm.month ORDER BY mm.posts + mm.received DESC) AS calvin_rank
    FROM monthly_metrics AS mm
    JOIN accounts AS a USING (source, author)
    WHERE mm.source = $source AND a.ranked AND mm.posts + mm.received > 0
)
SELECT strftime(mm.month, '%Y-%m') AS month, r.calvin_rank, mm.posts + mm.received AS calvin_score,
       mm.posts, mm.comments, mm.received, mm.accepted, mm.reach, mm.helped, mm.first_responses, mm.active_days
FROM monthly_metrics AS mm
LEFT JOIN ranked AS r USING (author, month)
WHERE mm.source = $source AND mm.author = $author
ORDER BY mm.month
