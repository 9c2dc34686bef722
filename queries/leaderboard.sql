-- leaderboard: the ranked contributors of a window, accounts not ranked
-- left out: the rules of engine/board.go, which ranks the boards, in SQL.
-- A test (TestBoardAgrees) ranks boards both ways and wants the same rows;
-- this query is the reference, not what calvin runs.
--
-- Contributors are people, not accounts: the accounts of mail and news
-- (platforms mbox and nntp) with the same address are one person across
-- sources, and so are the Stack Exchange users of one network account
-- (accounts.person); the configuration ($people) names a person and puts
-- any accounts together (with each account's automatic person: for a mail
-- account, every account of its address). Every other account is a person
-- of its own. A person's
-- metrics are the sums of their accounts' (a reply between two accounts
-- of one person still counts as received); a person is ranked when all
-- their accounts are; their name is the configuration's, else the name
-- of the account that posted last.
--
-- An account's metrics over the window are the sums of its months' (for
-- reach, helped and audience, the sum of each month's distinct count).
-- active_mask has bit i set when the window's month i (from 0) had a
-- post or a comment sent: the caller counts the active months and the
-- longest unbroken run of them.
--
-- Each row's score is the scoring profile's weighted sum of its metrics;
-- value is the number ranked on: the score, or one metric ($by). Rank is by
-- value, descending; equal values share a rank (1, 2, 2, 4). Rows are
-- ordered by value, then posts, then name. Accounts whose value is 0 are
-- not listed.
--
-- Exclusions ($exclusions) keep people off the board: one account, the
-- addresses of a mail domain (and its subdomains), or accounts whose name
-- or id matches a pattern (GLOB: * and ?), each in the windows its from/to
-- dates overlap (either may be null: unbounded); a person is excluded when
-- one of their accounts is. An excluded person is not ranked; with
-- $list_excluded they are listed after the board with the reason of a
-- matching exclusion and rank 0. Their posts still count as received by
-- the people they answer: the metrics are not touched.
--
-- Output: source is the person's sources, comma-separated; author the
-- account's id for a person of one account, else the person's key;
-- accounts how many accounts the person has in the window; person the
-- person's key always; account_list their accounts in the window,
-- source and author joined by chr(31), accounts by chr(30).
--
-- A person's key is accounts.person (mail:ADDRESS, se:ACCOUNTID,
-- account:SOURCE/AUTHOR: the automatic rules), or person:NAME for the
-- configured people; names and sources are looked up for the people
-- listed only.
--
-- Parameters:
--   $first   DATE, the window's first day
--   $last    DATE, the window's last day
--   and those of the query that replaces the accounts placeholder
--   $source  the source to rank, or NULL for every source
--   $by      'score' or a metric name: posts, comments, questions, answers,
--            topics, received, accepted, reach, helped, first_responses,
--            audience, active_days
--   $top     how many rows at most
--   $w_posts ... $w_active_days   the profile's weight of each metric
--   $exclusions      a JSON list of {source, author, domain, name, from,
--                    to, reason}, '[]' for none
--   $list_excluded   true: list the excluded people after the board
--   $people  a JSON list of {name, source, author}: the configuration's
--            people, one row an account, '[]' for none
--   $keys    a JSON list of people's keys listed besides the top, at their
--            rank, or with rank 0 when excluded or scoring nothing; with
--            $top 0, only they are listed
WITH ex AS (
    SELECT unnest(from_json(CAST($exclusions AS VARCHAR),
        '[{"source":"VARCHAR","author":"VARCHAR","domain":"VARCHAR","name":"VARCHAR","from":"DATE","to":"DATE","reason":"VARCHAR"}]'),
        recursive := true)
),
keys AS (
    SELECT unnest(from_json(CAST($keys AS VARCHAR), '["VARCHAR"]')) AS k
),
cfg AS (
    SELECT unnest(from_json(CAST($people AS VARCHAR), '[{"name":"VARCHAR","source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)
),
win AS (
    SELECT CAST($first AS DATE) AS first, CAST($last AS DATE) AS last
),
-- The automatic person of each configured account, and the configured
-- person it belongs to.
named AS (
    SELECT DISTINCT a.person AS base, cfg.name
    FROM cfg JOIN accounts AS a USING (source, author)
),
-- The window's accounts by author_key: their metrics, and a mask of the
-- months in which they sent anything (bit i: the window's month i). The
-- accounts placeholder in braces is replaced by the query that gives them:
-- board_months (sums of monthly_metrics) for whole months of every area,
-- window_metrics (from the posts) for a span of days or an area.
acct AS (
    SELECT * FROM ({{accounts}})
),
wa AS (
    SELECT coalesce('person:' || n.name, b.person) AS pk, n.name AS cfg_name, b.*
    FROM (
        SELECT acct.*, a.source, a.author, a.ranked, a.name, a.last_post, a.person
        FROM acct JOIN accounts AS a USING (author_key)
    ) AS b
    LEFT JOIN named AS n ON n.base = b.person
),
totals AS (
    SELECT pk,
           CAST(sum(posts) AS BIGINT) AS posts, CAST(sum(comments) AS BIGINT) AS comments, CAST(sum(questions) AS BIGINT) AS questions,
           CAST(sum(answers) AS BIGINT) AS answers, CAST(sum(topics) AS BIGINT) AS topics, CAST(sum(received) AS BIGINT) AS received,
           CAST(sum(accepted) AS BIGINT) AS accepted, CAST(sum(reach) AS BIGINT) AS reach, CAST(sum(helped) AS BIGINT) AS helped,
           CAST(sum(first_responses) AS BIGINT) AS first_responses, CAST(sum(audience) AS BIGINT) AS audience,
           CAST(sum(active_days) AS BIGINT) AS active_days, bit_or(mask) AS active_mask
    FROM wa
    GROUP BY pk
    HAVING bool_and(ranked)
),
-- The people one of whose accounts (any, in the window or not) an
-- exclusion meets, with its reason.
excluded AS (
    SELECT coalesce('person:' || n.name, m.person) AS pk, min(m.reason) AS excluded
    FROM (
        SELECT a.person, ex.reason
        FROM accounts AS a
        CROSS JOIN win
        JOIN ex ON ((ex.author IS NOT NULL AND ex.source = a.source AND ex.author = a.author)
                 OR (ex.domain IS NOT NULL AND (lower(a.author) LIKE '%@' || ex.domain OR lower(a.author) LIKE '%@%.' || ex.domain))
                 OR (ex.name IS NOT NULL AND (a.name GLOB ex.name OR a.author GLOB ex.name)))
               AND (ex."from" IS NULL OR ex."from" <= win.last)
               AND (ex."to" IS NULL OR ex."to" >= win.first)
    ) AS m
    LEFT JOIN named AS n ON n.base = m.person
    GROUP BY ALL
),
v AS (
    SELECT t.*, x.excluded,
           $w_posts * t.posts + $w_comments * t.comments
         + $w_questions * t.questions + $w_answers * t.answers + $w_topics * t.topics
         + $w_received * t.received + $w_accepted * t.accepted + $w_reach * t.reach
         + $w_helped * t.helped + $w_first_responses * t.first_responses
         + $w_audience * t.audience + $w_active_days * t.active_days AS score
    FROM totals AS t
    LEFT JOIN excluded AS x USING (pk)
    WHERE x.excluded IS NULL OR $list_excluded
),
valued AS (
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
    FROM v
),
-- The ranked people up to rank $top (ties at the cut included), and the
-- excluded ones to list apart: the people whose names are looked up.
listed AS (
    SELECT * FROM (
        SELECT rank() OVER (ORDER BY value DESC) AS rank, *
        FROM valued
        WHERE value > 0 AND excluded IS NULL
    )
    WHERE rank <= $top OR pk IN (SELECT k FROM keys)
    UNION ALL BY NAME
    SELECT 0 AS rank, * FROM valued
    WHERE (value > 0 AND excluded IS NOT NULL AND ($top > 0 OR pk IN (SELECT k FROM keys)))
       OR (pk IN (SELECT k FROM keys) AND excluded IS NULL AND value <= 0)
),
who AS (
    SELECT wa.pk, any_value(wa.cfg_name) AS cfg_name,
           string_agg(DISTINCT wa.source, ',' ORDER BY wa.source) AS source,
           count(DISTINCT (wa.source, wa.author)) AS accounts,
           min(wa.author) AS one_author,
           arg_max(wa.name, wa.last_post) AS name,
           string_agg(wa.source || chr(31) || wa.author, chr(30) ORDER BY wa.source, wa.author) AS account_list
    FROM wa SEMI JOIN listed USING (pk)
    GROUP BY wa.pk
),
shown AS (
    SELECT l.*, who.source, who.accounts, who.account_list,
           l.pk AS person,
           CASE WHEN who.accounts = 1 THEN who.one_author ELSE l.pk END AS author,
           coalesce(who.cfg_name, who.name, who.one_author) AS name
    FROM listed AS l JOIN who USING (pk)
),
board AS (
    SELECT * FROM shown WHERE rank > 0
    QUALIFY row_number() OVER (ORDER BY value DESC, posts DESC, name, source, author) <= $top
         OR pk IN (SELECT k FROM keys)
),
apart AS (
    SELECT * FROM shown WHERE rank = 0
)
SELECT rank, name, source, author, value, score,
       posts, comments, questions, answers, topics, received, accepted,
       reach, helped, first_responses, audience, active_days, excluded,
       active_mask, accounts, person, account_list
FROM (SELECT *, 0 AS part FROM board UNION ALL BY NAME SELECT *, 1 AS part FROM apart)
ORDER BY part, value DESC, posts DESC, name, source, author
