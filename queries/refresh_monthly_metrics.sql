-- refresh_monthly_metrics: the metrics of every account of $source per
-- calendar month (UTC), rebuilt from its posts. The definitions are those
-- of DESIGN.md; where it leaves a choice, the choice is stated here.
--
--   posts            questions, answers, topics and replies authored
--   comments, questions, answers, topics   the same, by kind
--   received         posts of any kind (comments included) made in the month
--                    by someone else whose parent is this account's post;
--                    a deleted user's post counts, a self-reply does not
--   accepted         this account's answers whose accepted_at is in the month
--   reach            distinct other accounts linked to this one by a post
--                    (of any kind) that replies to the other's, either way
--   helped           distinct other accounts whose threads this account
--                    posted in (anything but the thread's first post)
--   first_responses  threads whose first answer or reply by someone other
--                    than the starter is this account's, made in the month
--                    (comments are not responses here)
--   audience         sum of the views of the distinct threads this account
--                    posted in (any kind) during the month, where known
--   active_days      distinct UTC days with a post of any kind
--
-- Posts without an author (deleted users) are credited to nobody.
-- It reads the posts of the source from the temporary table metric_posts
-- that refresh_metric_posts makes just before, and computes one metric a
-- statement into temporary tables (m_*), so that one aggregation at a time
-- holds memory; the last statement joins them into monthly_metrics.
-- refresh_cleanup drops the temporary tables after.
-- Parameters: $source (bound to the last statement).
CREATE OR REPLACE TEMP TABLE m_links AS -- one row per post whose parent is stored and written by someone else
SELECT author AS from_author, parent_author AS to_author, month
FROM metric_posts
WHERE has_parent AND author IS DISTINCT FROM parent_author;

CREATE OR REPLACE TEMP TABLE m_sent AS
SELECT author, month,
       count(*) FILTER (WHERE kind IN ('question', 'answer', 'topic', 'reply')) AS posts,
       count(*) FILTER (WHERE kind = 'comment')  AS comments,
       count(*) FILTER (WHERE kind = 'question') AS questions,
       count(*) FILTER (WHERE kind = 'answer')   AS answers,
       count(*) FILTER (WHERE kind = 'topic')    AS topics,
       count(DISTINCT CAST(created_at AS DATE))  AS active_days,
       count(DISTINCT starter) FILTER (WHERE NOT starts_thread AND starter <> author) AS helped
FROM metric_posts
WHERE author IS NOT NULL
GROUP BY author, month;

CREATE OR REPLACE TEMP TABLE m_received AS
SELECT to_author AS author, month, count(*) AS received
FROM m_links
WHERE to_author IS NOT NULL
GROUP BY to_author, month;

CREATE OR REPLACE TEMP TABLE m_accepted AS
SELECT author, CAST(date_trunc('month', accepted_at) AS DATE) AS month, count(*) AS accepted
FROM metric_posts
WHERE kind = 'answer' AND accepted_at IS NOT NULL AND author IS NOT NULL
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE m_reach AS
SELECT author, month, count(DISTINCT other) AS reach
FROM (
    SELECT from_author AS author, to_author AS other, month FROM m_links
    UNION ALL
    SELECT to_author AS author, from_author AS other, month FROM m_links
)
WHERE author IS NOT NULL AND other IS NOT NULL
GROUP BY author, month;

CREATE OR REPLACE TEMP TABLE m_first_responses AS
SELECT author, month, count(*) AS first_responses
FROM (
    SELECT author, month,
           row_number() OVER (PARTITION BY thread_id ORDER BY created_at, post_id) AS n
    FROM metric_posts
    WHERE kind IN ('answer', 'reply')
      AND NOT starts_thread
      AND has_starter
      AND author IS DISTINCT FROM starter
)
WHERE n = 1 AND author IS NOT NULL
GROUP BY author, month;

CREATE OR REPLACE TEMP TABLE m_audience AS
SELECT author, month, sum(thread_views) AS audience
FROM (SELECT DISTINCT author, month, thread_id, thread_views FROM metric_posts WHERE author IS NOT NULL)
WHERE thread_views IS NOT NULL
GROUP BY author, month;

-- Every (account, month) with a metric sent, received or had an answer
-- accepted in it: reach, helped, first responses and audience all need a
-- post or a reply received.
INSERT INTO monthly_metrics
WITH keys AS (
    SELECT author, month FROM m_sent
    UNION SELECT author, month FROM m_received
    UNION SELECT author, month FROM m_accepted
)
SELECT $source AS source, k.author, k.month,
       coalesce(s.posts, 0)            AS posts,
       coalesce(s.comments, 0)         AS comments,
       coalesce(s.questions, 0)        AS questions,
       coalesce(s.answers, 0)          AS answers,
       coalesce(s.topics, 0)           AS topics,
       coalesce(r.received, 0)         AS received,
       coalesce(a.accepted, 0)         AS accepted,
       coalesce(x.reach, 0)            AS reach,
       coalesce(s.helped, 0)           AS helped,
       coalesce(f.first_responses, 0)  AS first_responses,
       coalesce(au.audience, 0)        AS audience,
       coalesce(s.active_days, 0)      AS active_days
FROM keys AS k
LEFT JOIN m_sent AS s             ON s.author = k.author AND s.month = k.month
LEFT JOIN m_received AS r         ON r.author = k.author AND r.month = k.month
LEFT JOIN m_accepted AS a         ON a.author = k.author AND a.month = k.month
LEFT JOIN m_reach AS x            ON x.author = k.author AND x.month = k.month
LEFT JOIN m_first_responses AS f  ON f.author = k.author AND f.month = k.month
LEFT JOIN m_audience AS au        ON au.author = k.author AND au.month = k.month
ORDER BY k.month, k.author
