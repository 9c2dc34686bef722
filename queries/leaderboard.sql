-- leaderboard: the ranked contributors of one calendar month, from
-- monthly_metrics, accounts not ranked left out.
--
-- Each row's score is the scoring profile's weighted sum of its metrics;
-- value is the number ranked on: the score, or one metric ($by). Rank is by
-- value, descending; equal values share a rank (1, 2, 2, 4). Rows are
-- ordered by value, then posts, then name. Accounts whose value is 0 are
-- not listed.
--
-- Parameters:
--   $month   DATE, any day of the month (its first day by convention)
--   $source  the source to rank, or NULL for every source
--   $by      'score' or a metric name: posts, comments, questions, answers,
--            topics, received, accepted, reach, helped, first_responses,
--            audience, active_days
--   $top     how many rows at most
--   $w_posts ... $w_active_days   the profile's weight of each metric
WITH m AS (
    SELECT mm.*, a.name,
           $w_posts * mm.posts + $w_comments * mm.comments
         + $w_questions * mm.questions + $w_answers * mm.answers + $w_topics * mm.topics
         + $w_received * mm.received + $w_accepted * mm.accepted + $w_reach * mm.reach
         + $w_helped * mm.helped + $w_first_responses * mm.first_responses
         + $w_audience * mm.audience + $w_active_days * mm.active_days AS score
    FROM monthly_metrics AS mm
    JOIN accounts AS a USING (source, author)
    WHERE mm.month = CAST(date_trunc('month', CAST($month AS DATE)) AS DATE)
      AND ($source IS NULL OR mm.source = $source)
      AND a.ranked
),
v AS (
    SELECT *,
           CASE $by
               WHEN 'score' THEN score
               WHEN 'posts' THEN posts
               WHEN 'comments' THEN comments
               WHEN 'questions' THEN questions
               WHEN 'answers' THEN answers
               WHEN 'topics' THEN topics
               WHEN 'received' THEN received
               WHEN 'accepted' THEN accepted
               WHEN 'reach' THEN reach
               WHEN 'helped' THEN helped
               WHEN 'first_responses' THEN first_responses
               WHEN 'audience' THEN audience
               WHEN 'active_days' THEN active_days
           END AS value
    FROM m
)
SELECT rank() OVER (ORDER BY value DESC) AS rank,
       coalesce(name, author) AS name, source, author, value, score,
       posts, comments, questions, answers, topics, received, accepted,
       reach, helped, first_responses, audience, active_days
FROM v
WHERE value > 0
ORDER BY value DESC, posts DESC, name, source, author
LIMIT $top
