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
-- Parameters: $source.
INSERT INTO monthly_metrics
WITH p AS (
    SELECT post_id, thread_id, parent_id, kind, author, created_at, month, views, accepted_at
    FROM posts
    WHERE source = $source
),
-- e: every post with what the metrics need of its parent and its thread,
-- so that each metric below is one pass over e, not a join of its own.
e AS (
    SELECT p.author, p.month, p.kind, p.created_at, p.post_id, p.thread_id,
           p.post_id = p.thread_id AS starts_thread,
           par.post_id IS NOT NULL AS has_parent,
           par.author              AS parent_author,
           s.post_id IS NOT NULL   AS has_starter,
           s.author                AS starter,
           s.views                 AS thread_views
    FROM p
    LEFT JOIN p AS par ON par.post_id = p.parent_id
    LEFT JOIN p AS s   ON s.post_id = p.thread_id
),
links AS ( -- one row per post whose parent is stored and written by someone else
    SELECT author AS from_author, parent_author AS to_author, month
    FROM e
    WHERE has_parent AND author IS DISTINCT FROM parent_author
),
sent AS (
    SELECT author, month,
           count(*) FILTER (WHERE kind IN ('question', 'answer', 'topic', 'reply')) AS posts,
           count(*) FILTER (WHERE kind = 'comment')  AS comments,
           count(*) FILTER (WHERE kind = 'question') AS questions,
           count(*) FILTER (WHERE kind = 'answer')   AS answers,
           count(*) FILTER (WHERE kind = 'topic')    AS topics,
           count(DISTINCT CAST(created_at AS DATE))  AS active_days,
           count(DISTINCT starter) FILTER (WHERE NOT starts_thread AND starter <> author) AS helped
    FROM e
    WHERE author IS NOT NULL
    GROUP BY author, month
),
received AS (
    SELECT to_author AS author, month, count(*) AS received
    FROM links
    WHERE to_author IS NOT NULL
    GROUP BY to_author, month
),
accepted AS (
    SELECT author, CAST(date_trunc('month', accepted_at) AS DATE) AS month, count(*) AS accepted
    FROM p
    WHERE kind = 'answer' AND accepted_at IS NOT NULL AND author IS NOT NULL
    GROUP BY ALL
),
reach AS (
    SELECT author, month, count(DISTINCT other) AS reach
    FROM (
        SELECT from_author AS author, to_author AS other, month FROM links
        UNION ALL
        SELECT to_author AS author, from_author AS other, month FROM links
    )
    WHERE author IS NOT NULL AND other IS NOT NULL
    GROUP BY author, month
),
first_responses AS (
    SELECT author, month, count(*) AS first_responses
    FROM (
        SELECT author, month,
               row_number() OVER (PARTITION BY thread_id ORDER BY created_at, post_id) AS n
        FROM e
        WHERE kind IN ('answer', 'reply')
          AND NOT starts_thread
          AND has_starter
          AND author IS DISTINCT FROM starter
    )
    WHERE n = 1 AND author IS NOT NULL
    GROUP BY author, month
),
audience AS (
    SELECT author, month, sum(thread_views) AS audience
    FROM (SELECT DISTINCT author, month, thread_id, thread_views FROM e WHERE author IS NOT NULL)
    WHERE thread_views IS NOT NULL
    GROUP BY author, month
),
-- Every (account, month) with a metric sent, received or had an answer
-- accepted in it: reach, helped, first responses and audience all need a
-- post or a reply received.
keys AS (
    SELECT author, month FROM sent
    UNION SELECT author, month FROM received
    UNION SELECT author, month FROM accepted
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
LEFT JOIN sent AS s             ON s.author = k.author AND s.month = k.month
LEFT JOIN received AS r         ON r.author = k.author AND r.month = k.month
LEFT JOIN accepted AS a         ON a.author = k.author AND a.month = k.month
LEFT JOIN reach AS x            ON x.author = k.author AND x.month = k.month
LEFT JOIN first_responses AS f  ON f.author = k.author AND f.month = k.month
LEFT JOIN audience AS au        ON au.author = k.author AND au.month = k.month
ORDER BY k.month, k.author
