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
--                    (comments are not responses here; of two made at the
--                    same instant, the one stored first)
--   audience         sum of the views of the distinct threads this account
--                    posted in (any kind) during the month, where known
--   active_days      distinct UTC days with a post of any kind
--
-- Posts without an author (deleted users) are credited to nobody.
-- It reads the temporary tables metric_authors and metric_posts that
-- refresh_metric_authors and refresh_metric_posts make just before, and
-- computes the metrics a few at a time into temporary tables (m_*), so that
-- one aggregation at a time holds memory; the last statement joins them
-- into m_final (monthly_metrics without its source column), which
-- refresh_store_metrics stores. refresh_cleanup drops the temporary tables
-- after.
-- Parameters: none; refresh_store_metrics stores m_final under $source.
CREATE OR REPLACE TEMP TABLE m_sent AS
SELECT aid, mon,
       count(*) FILTER (WHERE k IN (1, 2, 4, 5)) AS posts,
       count(*) FILTER (WHERE k = 3) AS comments,
       count(*) FILTER (WHERE k = 1) AS questions,
       count(*) FILTER (WHERE k = 2) AS answers,
       count(*) FILTER (WHERE k = 4) AS topics,
       -- a bit per day of the month: distinct days without a distinct count
       bit_count(bit_or(CAST(1 AS BIGINT) << d)) AS active_days,
       count(DISTINCT starter_aid) FILTER (WHERE NOT starts_thread AND starter_aid <> aid) AS helped
FROM metric_posts
WHERE aid IS NOT NULL
GROUP BY aid, mon;

CREATE OR REPLACE TEMP TABLE m_received AS
SELECT parent_aid AS aid, mon, count(*) AS received
FROM metric_posts
WHERE parent_aid IS NOT NULL AND aid IS DISTINCT FROM parent_aid
GROUP BY parent_aid, mon;

CREATE OR REPLACE TEMP TABLE m_accepted AS
SELECT aid, accepted_mon AS mon, count(*) AS accepted
FROM metric_posts
WHERE k = 2 AND accepted_mon IS NOT NULL AND aid IS NOT NULL
GROUP BY aid, accepted_mon;

CREATE OR REPLACE TEMP TABLE m_reach AS
SELECT aid, mon, count(DISTINCT other) AS reach
FROM (
    SELECT aid, parent_aid AS other, mon FROM metric_posts WHERE aid <> parent_aid
    UNION ALL
    SELECT parent_aid AS aid, aid AS other, mon FROM metric_posts WHERE aid <> parent_aid
)
GROUP BY aid, mon;

CREATE OR REPLACE TEMP TABLE m_first_responses AS
SELECT first.aid, first.mon, count(*) AS first_responses
FROM (
    -- the thread's first response, one post; arg_min_null: a deleted
    -- user's answer can be the first, and then nobody gets the thread
    -- (arg_min would skip it)
    SELECT arg_min_null({'aid': aid, 'mon': mon}, (ts, pk)) AS first
    FROM metric_posts
    WHERE k IN (2, 5)
      AND NOT starts_thread
      AND thread_pk IS NOT NULL
      AND aid IS DISTINCT FROM starter_aid
    GROUP BY thread_pk
)
WHERE first.aid IS NOT NULL
GROUP BY first.aid, first.mon;

CREATE OR REPLACE TEMP TABLE m_audience AS
SELECT aid, mon, sum(thread_views) AS audience
FROM (
    SELECT DISTINCT aid, mon, thread_pk, thread_views
    FROM metric_posts
    WHERE aid IS NOT NULL AND thread_views IS NOT NULL
)
GROUP BY aid, mon;

-- Every (account, month) with a metric sent, received or had an answer
-- accepted in it: reach, helped, first responses and audience all need a
-- post or a reply received. The rows go to m_final first, not straight
-- into monthly_metrics: on a re-ingest, whose transaction has just deleted
-- the source's old rows, the insert that joined the metric tables ran out
-- of memory under a 1 GB cap at ten million posts (the copy from m_final
-- does not).
CREATE OR REPLACE TEMP TABLE m_final AS
WITH keys AS (
    SELECT aid, mon FROM m_sent
    UNION SELECT aid, mon FROM m_received
    UNION SELECT aid, mon FROM m_accepted
)
SELECT au.author,
       CAST(DATE '1970-01-01' + to_months(k.mon) AS DATE) AS month,
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
       coalesce(v.audience, 0)       AS audience,
       coalesce(s.active_days, 0)      AS active_days
FROM keys AS k
JOIN metric_authors AS au             ON au.aid = k.aid
LEFT JOIN m_sent AS s                 ON s.aid = k.aid AND s.mon = k.mon
LEFT JOIN m_received AS r             ON r.aid = k.aid AND r.mon = k.mon
LEFT JOIN m_accepted AS a             ON a.aid = k.aid AND a.mon = k.mon
LEFT JOIN m_reach AS x                ON x.aid = k.aid AND x.mon = k.mon
LEFT JOIN m_first_responses AS f      ON f.aid = k.aid AND f.mon = k.mon
LEFT JOIN m_audience AS v           ON v.aid = k.aid AND v.mon = k.mon
ORDER BY month, au.author
