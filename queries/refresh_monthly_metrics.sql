-- refresh_monthly_metrics: the metrics of every account of $source per
-- calendar month (UTC), rebuilt from its posts. The definitions are those
-- of DESIGN.md; where it leaves a choice, the choice is stated here.
--
--   posts            questions, answers, topics and replies authored
--   comments, questions, answers, topics   the same, by kind
--   received         posts of any kind (comments included) made in the month
--                    by someone else whose parent is this account's post;
--                    a deleted user's post counts, a self-reply does not
--   accepted         this account's posts whose accepted_at is in the month:
--                    answers on Stack Exchange, a forum's replies marked
--                    as the solution
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
--
-- One statement, written to monthly_metrics.parquet in the refresh's
-- scratch folder (the variable calvin_scratch), for refresh_store_metrics.
-- It reads metric_posts.parquet, which refresh_metric_posts writes just
-- before, and the temporary table metric_authors. Each metric is a CTE
-- read once, so DuckDB streams them without materialising any; reading a
-- file, every one runs on all threads (see refresh_metric_posts). A row
-- exists for every (account, month) in which the account sent, received
-- or had an answer accepted: reach, helped, first responses and audience
-- all need a post or a reply received, so the other metrics join to those
-- three.
-- Parameters: none.
COPY (
    WITH mp AS NOT MATERIALIZED (
        SELECT * FROM read_parquet(getvariable('calvin_scratch') || '/metric_posts.parquet')
    ),
    m_sent AS (
        SELECT aid, mon,
               count(*) FILTER (WHERE k IN (1, 2, 4, 5)) AS posts,
               count(*) FILTER (WHERE k = 3) AS comments,
               count(*) FILTER (WHERE k = 1) AS questions,
               count(*) FILTER (WHERE k = 2) AS answers,
               count(*) FILTER (WHERE k = 4) AS topics,
               -- a bit per day of the month: distinct days without a distinct count
               bit_count(bit_or(CAST(1 AS BIGINT) << d)) AS active_days,
               count(DISTINCT starter_aid) FILTER (WHERE NOT starts_thread AND starter_aid <> aid) AS helped
        FROM mp
        WHERE aid IS NOT NULL
        GROUP BY aid, mon
    ),
    m_received AS (
        SELECT parent_aid AS aid, mon, count(*) AS received
        FROM mp
        WHERE parent_aid IS NOT NULL AND aid IS DISTINCT FROM parent_aid
        GROUP BY parent_aid, mon
    ),
    m_accepted AS (
        SELECT aid, accepted_mon AS mon, count(*) AS accepted
        FROM mp
        WHERE accepted_mon IS NOT NULL AND aid IS NOT NULL
        GROUP BY aid, accepted_mon
    ),
    m_reach AS (
        SELECT aid, mon, count(DISTINCT other) AS reach
        FROM (
            SELECT aid, parent_aid AS other, mon FROM mp WHERE aid <> parent_aid
            UNION ALL
            SELECT parent_aid AS aid, aid AS other, mon FROM mp WHERE aid <> parent_aid
        )
        GROUP BY aid, mon
    ),
    m_first_responses AS (
        SELECT first.aid, first.mon, count(*) AS first_responses
        FROM (
            -- the thread's first response, one post; arg_min_null: a deleted
            -- user's answer can be the first, and then nobody gets the thread
            -- (arg_min would skip it)
            SELECT arg_min_null({'aid': aid, 'mon': mon}, (ts, pk)) AS first
            FROM mp
            WHERE k IN (2, 5)
              AND NOT starts_thread
              AND thread_pk IS NOT NULL
              AND aid IS DISTINCT FROM starter_aid
            GROUP BY thread_pk
        )
        WHERE first.aid IS NOT NULL
        GROUP BY first.aid, first.mon
    ),
    m_audience AS (
        SELECT aid, mon, sum(thread_views) AS audience
        FROM (
            SELECT DISTINCT aid, mon, thread_pk, thread_views
            FROM mp
            WHERE aid IS NOT NULL AND thread_views IS NOT NULL
        )
        GROUP BY aid, mon
    )
    SELECT au.author,
           CAST(DATE '1970-01-01' + to_months(mon) AS DATE) AS month,
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
           coalesce(v.audience, 0)         AS audience,
           coalesce(s.active_days, 0)      AS active_days
    FROM m_sent AS s
    FULL JOIN m_received AS r        USING (aid, mon)
    FULL JOIN m_accepted AS a        USING (aid, mon)
    LEFT JOIN m_reach AS x           USING (aid, mon)
    LEFT JOIN m_first_responses AS f USING (aid, mon)
    LEFT JOIN m_audience AS v        USING (aid, mon)
    JOIN metric_authors AS au        USING (aid)
    ORDER BY month, au.author
) TO (getvariable('calvin_scratch') || '/monthly_metrics.parquet') (FORMAT parquet)
