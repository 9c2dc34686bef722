-- leaderboard: the ranked contributors of a window of calendar months
-- (one month, a quarter, twelve), from monthly_metrics, accounts not
-- ranked left out.
--
-- An account's metrics over the window are the sums of its months' (for
-- reach, helped and audience, the sum of each month's distinct count).
-- active_months counts the window's months in which it sent anything (a
-- post or a comment); longest_run is the longest unbroken run of them.
--
-- Each row's score is the scoring profile's weighted sum of its metrics;
-- value is the number ranked on: the score, or one metric ($by). Rank is by
-- value, descending; equal values share a rank (1, 2, 2, 4). Rows are
-- ordered by value, then posts, then name. Accounts whose value is 0 are
-- not listed.
--
-- Exclusions ($exclusions) keep accounts off the board: one account, the
-- addresses of a mail domain (and its subdomains), or accounts whose name
-- or id matches a pattern (GLOB: * and ?), each in the windows its from/to
-- dates overlap (either may be null: unbounded). An excluded account is
-- not ranked; with $list_excluded it is listed after the board with the
-- reason of its first matching exclusion and rank 0. Its posts still count
-- as received by the people it answers: the metrics are not touched.
--
-- Parameters:
--   $first   DATE, the first day of the window's first month
--   $last    DATE, the first day of the window's last month
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
win AS (
    SELECT CAST($first AS DATE) AS first, last_day(CAST($last AS DATE)) AS last
),
w AS (
    SELECT mm.*, year(mm.month) * 12 + month(mm.month) AS mi, mm.posts + mm.comments > 0 AS active
    FROM monthly_metrics AS mm, win
    WHERE mm.month BETWEEN win.first AND win.last
      AND ($source IS NULL OR mm.source = $source)
),
totals AS (
    SELECT source, author,
           CAST(sum(posts) AS BIGINT) AS posts, CAST(sum(comments) AS BIGINT) AS comments, CAST(sum(questions) AS BIGINT) AS questions,
           CAST(sum(answers) AS BIGINT) AS answers, CAST(sum(topics) AS BIGINT) AS topics, CAST(sum(received) AS BIGINT) AS received,
           CAST(sum(accepted) AS BIGINT) AS accepted, CAST(sum(reach) AS BIGINT) AS reach, CAST(sum(helped) AS BIGINT) AS helped,
           CAST(sum(first_responses) AS BIGINT) AS first_responses, CAST(sum(audience) AS BIGINT) AS audience,
           CAST(sum(active_days) AS BIGINT) AS active_days, count(*) FILTER (WHERE active) AS active_months
    FROM w
    GROUP BY source, author
),
m AS (
    SELECT t.*, a.name,
           $w_posts * t.posts + $w_comments * t.comments
         + $w_questions * t.questions + $w_answers * t.answers + $w_topics * t.topics
         + $w_received * t.received + $w_accepted * t.accepted + $w_reach * t.reach
         + $w_helped * t.helped + $w_first_responses * t.first_responses
         + $w_audience * t.audience + $w_active_days * t.active_days AS score,
           (SELECT ex.reason FROM ex
            WHERE ((ex.author IS NOT NULL AND ex.source = t.source AND ex.author = t.author)
                OR (ex.domain IS NOT NULL AND (lower(t.author) LIKE '%@' || ex.domain OR lower(t.author) LIKE '%@%.' || ex.domain))
                OR (ex.name IS NOT NULL AND (a.name GLOB ex.name OR t.author GLOB ex.name)))
              AND (ex."from" IS NULL OR ex."from" <= win.last)
              AND (ex."to" IS NULL OR ex."to" >= win.first)
            LIMIT 1) AS excluded
    FROM totals AS t
    JOIN accounts AS a USING (source, author)
    CROSS JOIN win
    WHERE a.ranked
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
-- The longest run, for the accounts listed only: an island of months is
-- a run of active months whose month index less its row number is one.
shown AS (
    SELECT source, author FROM board
    UNION ALL
    SELECT source, author FROM v WHERE value > 0 AND excluded IS NOT NULL
),
runs AS (
    SELECT source, author, max(n) AS longest_run
    FROM (
        SELECT source, author, count(*) AS n
        FROM (SELECT w.source, w.author, w.mi - row_number() OVER (PARTITION BY w.source, w.author ORDER BY w.mi) AS island
              FROM w SEMI JOIN shown USING (source, author)
              WHERE w.active)
        GROUP BY source, author, island
    )
    GROUP BY source, author
),
apart AS (
    SELECT 0 AS rank, *
    FROM v
    WHERE value > 0 AND excluded IS NOT NULL
)
SELECT rank, coalesce(name, author) AS name, source, author, value, score,
       posts, comments, questions, answers, topics, received, accepted,
       reach, helped, first_responses, audience, active_days, excluded,
       active_months, coalesce(longest_run, 0) AS longest_run
FROM (SELECT *, 0 AS part FROM board UNION ALL BY NAME SELECT *, 1 AS part FROM apart)
LEFT JOIN runs USING (source, author)
ORDER BY part, value DESC, posts DESC, coalesce(name, author), source, author
