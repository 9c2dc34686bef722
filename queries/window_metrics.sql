-- window_metrics: the metrics of DESIGN.md per account (by author_key)
-- over any span of time and any set of areas, computed from the posts in
-- SQL: the reference the engine's counts are checked against. The engine
-- counts the same definitions from post_links in Go (engine/metrics.go per
-- calendar month, engine/span.go over a span or an area, which the 90-day
-- and area boards rank); TestSpanMetricsAgree wants the same numbers from
-- all three.
--
-- The span is [$from, $to). A post's areas are its own, or, when it has
-- none (a Stack Exchange answer or comment), its thread's first post's;
-- with patterns, only posts with an area matching one (GLOB: * and ?)
-- count, for every metric: a reply outside the area is not received, a
-- thread's first response is the first in the area. Accepted counts the
-- answers accepted in the span, whenever they were written; a thread's
-- first response counts when it was made in the span. mask has bit i set
-- when the account sent anything in the i-th month from $from's month.
--
-- Reach and helped count people only: an account that is nobody (not
-- ranked in accounts, such as Stack Exchange's Community user) is in no
-- one's reach and helped by no one; its posts are still received.
--
-- Parameters:
--   $source    a source, or NULL for every source
--   $from      TIMESTAMP, the span's start
--   $to        TIMESTAMP, the span's end (excluded)
--   $patterns  a JSON list of area patterns, '[]' for every post
WITH pat AS (
    SELECT unnest(from_json(CAST($patterns AS VARCHAR), '["VARCHAR"]')) AS g
),
span AS (
    SELECT CAST($from AS TIMESTAMP) AS t0, CAST($to AS TIMESTAMP) AS t1,
           CAST(date_trunc('month', CAST($from AS TIMESTAMP)) AS DATE) AS m0,
           (SELECT count(*) FROM pat) = 0 AS everything
),
-- The posts the metrics can need, read narrowly: those made in the span,
-- those accepted in it, and, for their threads, the threads' first
-- posts, the parents of the span's posts, and the threads' responses made
-- before the span's end (one of which is each thread's first).
made AS (
    SELECT posts.post_key AS pk, source, post_id, thread_id, parent_id, kind, author, created_at, accepted_at, areas
    FROM posts, span
    WHERE ($source IS NULL OR source = $source)
      AND ((created_at >= span.t0 AND created_at < span.t1) OR (accepted_at >= span.t0 AND accepted_at < span.t1))
),
threads AS (
    SELECT DISTINCT source, thread_id FROM made
),
starters AS (
    SELECT p.source, p.thread_id, p.post_key AS thread_pk, p.author AS starter, p.views AS thread_views, p.areas AS thread_areas
    FROM posts AS p SEMI JOIN threads USING (source, thread_id)
    WHERE p.post_id = p.thread_id
),
parents AS (
    SELECT p.source, p.post_id, p.author
    FROM posts AS p SEMI JOIN (SELECT DISTINCT source, parent_id AS post_id FROM made WHERE parent_id IS NOT NULL) USING (source, post_id)
),
responses AS (
    SELECT p.post_key AS pk, p.source, p.post_id, p.thread_id, p.kind, p.author, p.created_at, p.areas
    FROM posts AS p SEMI JOIN threads USING (source, thread_id), span
    WHERE p.kind IN ('answer', 'reply') AND p.post_id <> p.thread_id AND p.created_at < span.t1
),
nobody AS (
    SELECT source, author FROM accounts WHERE NOT ranked AND ($source IS NULL OR source = $source)
),
-- A post's areas are its own, or its thread's first post's; with
-- patterns, only posts with an area matching one count.
p AS (
    SELECT x.*, x.post_id = x.thread_id AS starts_thread,
           s.thread_pk, s.starter, s.thread_views, par.author AS parent_author,
           na.author IS NOT NULL OR np.author IS NOT NULL AS with_nobody, ns.author IS NOT NULL AS starter_nobody
    FROM made AS x
    LEFT JOIN starters AS s USING (source, thread_id)
    LEFT JOIN parents AS par ON par.source = x.source AND par.post_id = x.parent_id
    LEFT JOIN nobody AS na ON na.source = x.source AND na.author = x.author
    LEFT JOIN nobody AS np ON np.source = x.source AND np.author = par.author
    LEFT JOIN nobody AS ns ON ns.source = x.source AND ns.author = s.starter
    WHERE (SELECT everything FROM span)
       OR EXISTS (SELECT 1 FROM pat, (SELECT unnest(CASE WHEN len(x.areas) > 0 THEN x.areas ELSE coalesce(s.thread_areas, []) END) AS a) AS u
                  WHERE u.a GLOB pat.g)
),
w AS (
    SELECT p.* FROM p, span WHERE created_at >= span.t0 AND created_at < span.t1
),
inarea_responses AS (
    SELECT r.*, s.thread_pk, s.starter
    FROM responses AS r
    JOIN starters AS s USING (source, thread_id)
    WHERE (SELECT everything FROM span)
       OR EXISTS (SELECT 1 FROM pat, (SELECT unnest(CASE WHEN len(r.areas) > 0 THEN r.areas ELSE coalesce(s.thread_areas, []) END) AS a) AS u
                  WHERE u.a GLOB pat.g)
),
m_sent AS (
    SELECT source, author,
           count(*) FILTER (WHERE kind IN ('question', 'answer', 'topic', 'reply')) AS posts,
           count(*) FILTER (WHERE kind = 'comment') AS comments,
           count(*) FILTER (WHERE kind = 'question') AS questions,
           count(*) FILTER (WHERE kind = 'answer') AS answers,
           count(*) FILTER (WHERE kind = 'topic') AS topics,
           count(DISTINCT CAST(created_at AS DATE)) AS active_days,
           count(DISTINCT starter) FILTER (WHERE NOT starts_thread AND starter <> author AND NOT starter_nobody) AS helped,
           bit_or(CAST(1 AS BIGINT) << CAST(datediff('month', span.m0, created_at) AS BIGINT)) AS mask
    FROM w, span
    WHERE author IS NOT NULL
    GROUP BY source, author
),
m_received AS (
    SELECT source, parent_author AS author, count(*) AS received
    FROM w
    WHERE parent_author IS NOT NULL AND author IS DISTINCT FROM parent_author
    GROUP BY source, parent_author
),
m_accepted AS (
    SELECT source, author, count(*) AS accepted
    FROM p, span
    WHERE accepted_at >= span.t0 AND accepted_at < span.t1 AND author IS NOT NULL
    GROUP BY source, author
),
m_reach AS (
    SELECT source, author, count(DISTINCT other) AS reach
    FROM (
        SELECT source, author, parent_author AS other FROM w WHERE author <> parent_author AND NOT with_nobody
        UNION ALL
        SELECT source, parent_author AS author, author AS other FROM w WHERE author <> parent_author AND NOT with_nobody
    )
    GROUP BY source, author
),
m_first_responses AS (
    SELECT source, first.author AS author, count(*) AS first_responses
    FROM (
        SELECT source, arg_min_null({'author': author, 'at': created_at}, (created_at, pk)) AS first
        FROM inarea_responses
        WHERE author IS DISTINCT FROM starter
        GROUP BY source, thread_pk
    ), span
    WHERE first.author IS NOT NULL AND first.at >= span.t0 AND first.at < span.t1
    GROUP BY source, first.author
),
m_audience AS (
    SELECT source, author, sum(thread_views) AS audience
    FROM (SELECT DISTINCT source, author, thread_pk, thread_views FROM w WHERE author IS NOT NULL AND thread_views IS NOT NULL)
    GROUP BY source, author
)
SELECT k.author_key,
       coalesce(s.posts, 0)           AS posts,
       coalesce(s.comments, 0)        AS comments,
       coalesce(s.questions, 0)       AS questions,
       coalesce(s.answers, 0)         AS answers,
       coalesce(s.topics, 0)          AS topics,
       coalesce(r.received, 0)        AS received,
       coalesce(a.accepted, 0)        AS accepted,
       coalesce(x.reach, 0)           AS reach,
       coalesce(s.helped, 0)          AS helped,
       coalesce(f.first_responses, 0) AS first_responses,
       coalesce(v.audience, 0)        AS audience,
       coalesce(s.active_days, 0)     AS active_days,
       coalesce(s.mask, 0)            AS mask
FROM m_sent AS s
FULL JOIN m_received AS r        USING (source, author)
FULL JOIN m_accepted AS a        USING (source, author)
LEFT JOIN m_reach AS x           USING (source, author)
LEFT JOIN m_first_responses AS f USING (source, author)
LEFT JOIN m_audience AS v        USING (source, author)
JOIN account_keys AS k           USING (source, author)
