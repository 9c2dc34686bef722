-- leaderboard: the ranked contributors of one calendar month, from
-- monthly_metrics, accounts not ranked left out.
--
-- Each row's score is the scoring profile's weighted sum of its metrics;
-- value is the number ranked on: the score, or one metric ($by). Rank is by
-- value, descending; equal values share a rank (1, 2, 2, 4). Rows are
-- ordered by value, then posts, then name. Accounts whose value is 0 are
-- not listed.
--
-- Exclusions ($exclusions) keep accounts off the board: one account, the
-- addresses of a mail domain (and its subdomains), or accounts whose name
-- or id matches a pattern (GLOB: * and ?), each in the months its from/to
-- dates overlap (either may be null: unbounded). An excluded account is
-- not ranked; with $list_excluded it is listed after the board with the
-- reason of its first matching exclusion and rank 0. Its posts still count
-- as received by the people it answers: the metrics are not touched.
--
-- Parameters:
--   $month   DATE, any day of the month (its first day by convention)
--   $source  the source to rank, or NULL for every source
--   $by      'score' or a metric name: posts, comments, questions, answers,
--            topics, received, accepted, reach, helped, first_responses,
--            audience, active_days
--   $top     how many rows at most
--   $w_posts ... $w_active_days   the profile's weight of each metric
--   $exclusions      a JSON list of {source, author, domain, name, from,
--                    to, reason}, '[]' for none
--   $list_excluded   true: list the excluded accounts after the board
WITH ex AS (
    SELECT unnest(from_json(CAST($exclusions AS VARCHAR),
        '[{"source":"VARCHAR","author":"VARCHAR","domain":"VARCHAR","name":"VARCHAR","from":"DATE","to":"DATE","reason":"VARCHAR"}]'),
        recursive := true)
),
mon AS (
    SELECT CAST(date_trunc('month', CAST($month AS DATE)) AS DATE) AS first,
           last_day(CAST($month AS DATE)) AS last
),
m AS (
    SELECT mm.*, a.name,
           $w_posts * mm.posts + $w_comments * mm.comments
         + $w_questions * mm.questions + $w_answers * mm.answers + $w_topics * mm.topics
         + $w_received * mm.received + $w_accepted * mm.accepted + $w_reach * mm.reach
         + $w_helped * mm.helped + $w_first_responses * mm.first_responses
         + $w_audience * mm.audience + $w_active_days * mm.active_days AS score,
           (SELECT ex.reason FROM ex
            WHERE ((ex.author IS NOT NULL AND ex.source = mm.source AND ex.author = mm.author)
                OR (ex.domain IS NOT NULL AND (lower(mm.author) LIKE '%@' || ex.domain OR lower(mm.author) LIKE '%@%.' || ex.domain))
                OR (ex.name IS NOT NULL AND (a.name GLOB ex.name OR mm.author GLOB ex.name)))
              AND (ex."from" IS NULL OR ex."from" <= mon.last)
              AND (ex."to" IS NULL OR ex."to" >= mon.first)
            LIMIT 1) AS excluded
    FROM monthly_metrics AS mm
    JOIN accounts AS a USING (source, author)
    CROSS JOIN mon
    WHERE mm.month = mon.first
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
    WHERE excluded IS NULL OR $list_excluded
),
board AS (
    SELECT rank() OVER (ORDER BY value DESC) AS rank, *
    FROM v
    WHERE value > 0 AND excluded IS NULL
    ORDER BY value DESC, posts DESC, coalesce(name, author), source, author
    LIMIT $top
),
apart AS (
    SELECT 0 AS rank, *
    FROM v
    WHERE value > 0 AND excluded IS NOT NULL
)
SELECT rank, coalesce(name, author) AS name, source, author, value, score,
       posts, comments, questions, answers, topics, received, accepted,
       reach, helped, first_responses, audience, active_days, excluded
FROM (SELECT *, 0 AS part FROM board UNION ALL BY NAME SELECT *, 1 AS part FROM apart)
ORDER BY part, value DESC, posts DESC, coalesce(name, author), source, author
