-- schema: the tables of a Calvin database. Every ingestor's rows land in
-- posts; accounts and monthly_metrics are derived from posts and refreshed,
-- per source, in the same transaction as each ingest. Safe to run again.

-- posts: one row per message, the canonical post of DESIGN.md, keyed by
-- (source, post_id), plus month, the calendar month (UTC) of created_at.
CREATE SEQUENCE IF NOT EXISTS post_keys;
CREATE TABLE IF NOT EXISTS posts (
    source      VARCHAR   NOT NULL, -- the configured source's name
    platform    VARCHAR   NOT NULL, -- stackexchange, nntp, mbox, discourse, csv
    post_id     VARCHAR   NOT NULL, -- unique within the source
    thread_id   VARCHAR,            -- post_id of the thread's first post (set by every ingest)
    parent_id   VARCHAR,            -- the post this one answers or replies to
    kind        VARCHAR   NOT NULL, -- question, answer, comment, topic, reply
    title       VARCHAR,            -- the thread's title, on thread starters
    author      VARCHAR,            -- the account; NULL for a deleted user
    author_name VARCHAR,            -- the name shown for that account
    created_at  TIMESTAMP NOT NULL, -- UTC
    month       DATE      NOT NULL, -- first day of created_at's month
    areas       VARCHAR[] NOT NULL, -- tags, newsgroups, categories
    score       BIGINT    NOT NULL, -- net votes or likes
    views       BIGINT,             -- views of the thread, on thread starters
    accepted_at TIMESTAMP,          -- when this answer was accepted
    body_bytes  BIGINT    NOT NULL, -- size of the body
    post_key    BIGINT              -- a number unique in the file, given as the post is stored (post_keys)
);

-- ingest_runs: one row per ingest that landed.
CREATE SEQUENCE IF NOT EXISTS ingest_run_ids;
CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id        BIGINT    NOT NULL DEFAULT nextval('ingest_run_ids'),
    source        VARCHAR   NOT NULL,
    platform      VARCHAR   NOT NULL,
    input         VARCHAR   NOT NULL, -- the path or URL read, without credentials
    started_at    TIMESTAMP NOT NULL, -- UTC
    finished_at   TIMESTAMP NOT NULL, -- UTC
    rows_read     BIGINT    NOT NULL, -- records parsed into posts
    rows_rejected BIGINT    NOT NULL, -- bad records reported and skipped
    rows_inserted BIGINT    NOT NULL, -- posts new to the store
    rows_updated  BIGINT    NOT NULL, -- stored posts whose score, views, acceptance or names changed
    rows_stored   BIGINT    NOT NULL  -- rows_inserted + rows_updated
);
-- rows_duplicate came later: a file made before it gets it, 0 on old runs.
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS
    rows_duplicate BIGINT DEFAULT 0; -- records dropped as met before in the read (a crosspost, a resend)

-- accounts: one row per (source, author) that has posted.
CREATE TABLE IF NOT EXISTS accounts (
    source     VARCHAR   NOT NULL,
    platform   VARCHAR   NOT NULL,
    author     VARCHAR   NOT NULL,
    name       VARCHAR,              -- the latest name shown for the account
    messages   BIGINT    NOT NULL,   -- rows in posts, comments included
    first_post TIMESTAMP NOT NULL,
    last_post  TIMESTAMP NOT NULL,
    ranked     BOOLEAN   NOT NULL,   -- false: never on a leaderboard
    reason     VARCHAR               -- why not ranked
);

-- monthly_metrics: the metrics of DESIGN.md per account and calendar month
-- (UTC). A row exists for every month in which the account sent, received
-- or had an answer accepted.
CREATE TABLE IF NOT EXISTS monthly_metrics (
    source          VARCHAR NOT NULL,
    author          VARCHAR NOT NULL,
    month           DATE    NOT NULL,
    posts           BIGINT  NOT NULL, -- questions, answers, topics and replies sent
    comments        BIGINT  NOT NULL,
    questions       BIGINT  NOT NULL,
    answers         BIGINT  NOT NULL,
    topics          BIGINT  NOT NULL,
    received        BIGINT  NOT NULL, -- posts by others whose parent is this account's
    accepted        BIGINT  NOT NULL, -- answers accepted in the month
    reach           BIGINT  NOT NULL, -- distinct others linked by a reply, either way
    helped          BIGINT  NOT NULL, -- distinct others whose threads it replied in
    first_responses BIGINT  NOT NULL, -- threads it gave the first answer or reply to
    audience        BIGINT  NOT NULL, -- views of the distinct threads it posted in
    active_days     BIGINT  NOT NULL  -- distinct days with a message
);

-- pull_marks: how far a live source has been pulled: per server and group,
-- the last article stored (a news server's groups), or the bump time of
-- the last topic stored (a Discourse forum: group "topics"). It is written in the same
-- transaction as the posts it covers, so a pull that is cut off resumes
-- after the last step it stored.
CREATE TABLE IF NOT EXISTS pull_marks (
    source     VARCHAR   NOT NULL,
    server     VARCHAR   NOT NULL, -- news://host:port, or a forum's URL
    grp        VARCHAR   NOT NULL, -- the group, as the server names it; "topics"
    last       BIGINT    NOT NULL, -- the highest article number stored; a bump time (µs)
    updated_at TIMESTAMP NOT NULL, -- UTC
    PRIMARY KEY (source, server, grp)
);

-- account_facts: what a source says of its accounts beyond their posts,
-- as the ingests found it: fact "role" (a forum's staff, moderator,
-- admin), for the configuration's exclusions; fact "se_account" (the
-- Stack Exchange network account of a site's user), which makes one
-- person of the users of one account across sites. Added to by each
-- ingest, never removed; a fact is stored once (the ingest adds those not
-- there: a primary key's index, held in memory, took more than a 1 GB
-- cap at 7.5 million users, and a file made with one is made again
-- without it, Store.create).
CREATE TABLE IF NOT EXISTS account_facts (
    source VARCHAR NOT NULL,
    author VARCHAR NOT NULL,
    fact   VARCHAR NOT NULL, -- role, se_account
    value  VARCHAR NOT NULL
);

-- published: the boards calvin publish froze, as they stood: one row per
-- listed person of each board (month, window, profile, area; every
-- source). Later reads of a published board return these rows.
CREATE TABLE IF NOT EXISTS published (
    month           DATE      NOT NULL, -- the board's month (the window ends with it)
    "window"        VARCHAR   NOT NULL, -- month, quarter, 12m, 90d
    profile         VARCHAR   NOT NULL,
    area            VARCHAR   NOT NULL, -- the configuration's area; '' for every post
    published_at    TIMESTAMP NOT NULL, -- UTC
    rank            INTEGER   NOT NULL,
    person          VARCHAR   NOT NULL, -- the person's key (person:NAME, mail:ADDRESS, account:SOURCE/AUTHOR)
    name            VARCHAR   NOT NULL,
    sources         VARCHAR   NOT NULL,
    author          VARCHAR   NOT NULL,
    account_list    VARCHAR   NOT NULL, -- source chr(31) author, accounts joined by chr(30)
    value           DOUBLE    NOT NULL,
    score           DOUBLE    NOT NULL,
    posts           BIGINT    NOT NULL,
    comments        BIGINT    NOT NULL,
    questions       BIGINT    NOT NULL,
    answers         BIGINT    NOT NULL,
    topics          BIGINT    NOT NULL,
    received        BIGINT    NOT NULL,
    accepted        BIGINT    NOT NULL,
    reach           BIGINT    NOT NULL,
    helped          BIGINT    NOT NULL,
    first_responses BIGINT    NOT NULL,
    audience        BIGINT    NOT NULL,
    active_days     BIGINT    NOT NULL,
    active_months   INTEGER   NOT NULL,
    longest_run     INTEGER   NOT NULL,
    PRIMARY KEY (month, "window", profile, area, person)
);

-- published.excluded and top came later: a board's excluded people are
-- kept too (rank 0, excluded the reason), and its top N, so that a diff
-- can tell an exclusion or others leaving from late data.
ALTER TABLE published ADD COLUMN IF NOT EXISTS excluded VARCHAR; -- why the person was not ranked; NULL for a ranked row
ALTER TABLE published ADD COLUMN IF NOT EXISTS top INTEGER;       -- the board's top N; NULL on a board published before it was kept

-- accounts.person came later: the person an account is by the automatic
-- rules (refresh_accounts); a file made before it gets it here.
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS person VARCHAR;
UPDATE accounts SET person = CASE WHEN platform IN ('mbox', 'nntp') THEN 'mail:' || author
                                  ELSE 'account:' || source || '/' || author END
WHERE person IS NULL;


-- posts.post_key came later: a file made before it numbers its posts here,
-- in the order they were stored. post_links and the metrics' ties use it.
ALTER TABLE posts ADD COLUMN IF NOT EXISTS post_key BIGINT;
UPDATE posts SET post_key = nextval('post_keys') WHERE post_key IS NULL;

-- account_keys: a number for each account, unique in the file and never
-- changed, which post_links holds instead of the account's name. Added to
-- by each ingest (link_accounts).
CREATE SEQUENCE IF NOT EXISTS author_keys;
CREATE TABLE IF NOT EXISTS account_keys (
    source     VARCHAR NOT NULL,
    author     VARCHAR NOT NULL,
    author_key INTEGER NOT NULL
);

-- post_links: what the metrics need of each post, its parent and its
-- thread, in numbers: one row per post, made by the ingest that stores
-- the post (link_posts), so that recomputing the metrics joins nothing.
-- A post's author, parent and thread never change, so neither does its
-- row, except while its parent or its thread's first post is not stored
-- yet (pending): each ingest looks for those again.
CREATE TABLE IF NOT EXISTS post_links (
    source             VARCHAR   NOT NULL,
    post_key           BIGINT    NOT NULL, -- posts.post_key
    month              DATE      NOT NULL, -- posts.month
    kind               TINYINT   NOT NULL, -- 1 question, 2 answer, 3 comment, 4 topic, 5 reply
    created_at         TIMESTAMP NOT NULL, -- posts.created_at
    author_key         INTEGER,            -- the author's account_keys.author_key; NULL for a deleted user
    parent_key         BIGINT,             -- the parent's post_key; NULL: no parent, or not stored
    parent_author_key  INTEGER,            -- the parent's author_key
    thread_key         BIGINT,             -- the post_key of the thread's first post; NULL: not stored
    starter_author_key INTEGER,            -- that post's author_key
    pending            BOOLEAN   NOT NULL  -- the parent or the thread's first post is not stored yet
);

-- Numbers for the boards (they came later; Store.Open fills them in a file
-- made before, queries/upgrade_keys.sql). A board reads numbers, not
-- names: the accounts, people and areas it groups and filters by are
-- found by these keys.
--
-- person_keys: a number for each person key (accounts.person: mail:ADDRESS,
-- se:ID, account:SOURCE/AUTHOR), unique in the file and never changed.
-- Added to by each refresh of accounts.
CREATE SEQUENCE IF NOT EXISTS person_key_numbers;
CREATE TABLE IF NOT EXISTS person_keys (
    person     VARCHAR NOT NULL,
    person_key INTEGER NOT NULL
);
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS author_key INTEGER;        -- account_keys.author_key
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS person_key INTEGER;        -- person_keys.person_key of person
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS named_at TIMESTAMP;        -- when name was shown: the newest post with a name (NULL: none, or not known in a file made before)
ALTER TABLE monthly_metrics ADD COLUMN IF NOT EXISTS author_key INTEGER; -- account_keys.author_key

-- multi_account_people: the people (person_keys) of more than one account,
-- whose value on a board is the sum of their accounts'. Kept by each
-- refresh of accounts, so that a person's history finds them without
-- grouping every account.
CREATE TABLE IF NOT EXISTS multi_account_people (
    person_key INTEGER NOT NULL
);

-- account_names: what finds an account by name (queries/person_find.sql):
-- its name shown, its id and its person key, each lowercased, in name
-- order as each refresh of accounts adds them, so that a name is looked
-- up in a row group or two instead of lowercasing every account's. Kept
-- by each refresh of accounts with the accounts it counts.
CREATE TABLE IF NOT EXISTS account_names (
    name       VARCHAR NOT NULL, -- lower(accounts.name), lower(author) or lower(person)
    author_key INTEGER NOT NULL  -- accounts.author_key
);

-- area_keys: a number for each area (tag, newsgroup, category) a post has,
-- unique in the file. post_areas: each post's own areas by number (a post
-- without areas of its own has no rows). Both added to by each link.
CREATE SEQUENCE IF NOT EXISTS area_key_numbers;
CREATE TABLE IF NOT EXISTS area_keys (
    area     VARCHAR NOT NULL,
    area_key INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS post_areas (
    post_key BIGINT  NOT NULL, -- posts.post_key
    area_key INTEGER NOT NULL  -- area_keys.area_key
);
-- post_links.areas_of: the post whose areas count as this post's: itself
-- when it has areas of its own, else its thread's first post (a Stack
-- Exchange answer or comment); NULL while that post is not stored.
ALTER TABLE post_links ADD COLUMN IF NOT EXISTS areas_of BIGINT;
-- post_links.accepted_at: posts.accepted_at, copied by the link step and
-- by every refresh of a source whose stored posts changed, so that the
-- answers accepted in a span are found among the links.
ALTER TABLE post_links ADD COLUMN IF NOT EXISTS accepted_at TIMESTAMP;

-- counted_areas: the technology areas whose monthly metrics are kept
-- (area_metrics), each by its patterns: the areas of the configuration a
-- refresh was given, added as they first appear. area_metrics:
-- monthly_metrics within one of them, counting only the posts in the area
-- (the area boards over whole months sum them). Every refresh of a source
-- counts its months in every counted area.
CREATE TABLE IF NOT EXISTS counted_areas (
    area_id  INTEGER NOT NULL,
    patterns VARCHAR NOT NULL  -- the area's patterns, sorted, as a JSON list
);
CREATE TABLE IF NOT EXISTS area_metrics (
    area_id         INTEGER NOT NULL, -- counted_areas.area_id
    source          VARCHAR NOT NULL,
    author_key      INTEGER NOT NULL,
    month           DATE    NOT NULL,
    posts           BIGINT  NOT NULL, -- the columns of monthly_metrics
    comments        BIGINT  NOT NULL,
    questions       BIGINT  NOT NULL,
    answers         BIGINT  NOT NULL,
    topics          BIGINT  NOT NULL,
    received        BIGINT  NOT NULL,
    accepted        BIGINT  NOT NULL,
    reach           BIGINT  NOT NULL,
    helped          BIGINT  NOT NULL,
    first_responses BIGINT  NOT NULL,
    audience        BIGINT  NOT NULL,
    active_days     BIGINT  NOT NULL
);

-- account_months: the rows of monthly_metrics laid out by account (in
-- author_key order), for the reads of one person's months: in
-- monthly_metrics, laid out by month, DuckDB reads one account's rows by
-- decompressing every column of the whole table. It holds each source's
-- months before account_months_until.until, the source's latest month
-- when every month of it was last counted; the later months, which each
-- pull recounts, are read from monthly_metrics. A whole refresh of a
-- source writes its rows again, in order; a refresh of some of its
-- months before until replaces theirs (appended, out of order: late
-- data, rare).
CREATE TABLE IF NOT EXISTS account_months (
    source          VARCHAR NOT NULL,
    author_key      INTEGER NOT NULL,
    month           DATE    NOT NULL,
    posts           BIGINT  NOT NULL, -- the columns of monthly_metrics
    comments        BIGINT  NOT NULL,
    questions       BIGINT  NOT NULL,
    answers         BIGINT  NOT NULL,
    topics          BIGINT  NOT NULL,
    received        BIGINT  NOT NULL,
    accepted        BIGINT  NOT NULL,
    reach           BIGINT  NOT NULL,
    helped          BIGINT  NOT NULL,
    first_responses BIGINT  NOT NULL,
    audience        BIGINT  NOT NULL,
    active_days     BIGINT  NOT NULL
);
CREATE TABLE IF NOT EXISTS account_months_until (
    source VARCHAR NOT NULL,
    until  DATE    NOT NULL -- account_months holds the source's months before it
);

-- The views an ingest's Arrow streams were seen under, which an earlier Calvin
-- left in the file after the load (ordinary views of memory long
-- freed: reading one crashed the client). Each load now drops its view
-- before it commits.
DROP VIEW IF EXISTS calvin_arrow_stream;
DROP VIEW IF EXISTS calvin_facts_stream;
DROP VIEW IF EXISTS calvin_metrics_stream;
