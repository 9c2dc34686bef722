-- people_suggest: pairs of accounts that look like one person and are not
-- one yet, with the evidence: the same name shown in two sources (or two
-- accounts of one source), mail addresses that differ only in a +tag
-- or in their domain (user names of four letters or more), or an address
-- that is another one with an anti-spam marker glued in
-- (hamish_nospam@yahoo.com and hamish@yahoo.com: the ingest keeps such an
-- address as written, since it may be real). A pair with more kinds of
-- evidence comes first. Nothing is merged: the configuration's people do
-- that. Accounts already one person (by the mail rule or $people) are not
-- suggested, nor accounts that are not ranked.
--
-- Parameters:
--   $people  a JSON list of {name, source, author}: the configuration's
--            people, one row an account, '[]' for none
--   $limit   how many pairs at most
--   $markers the anti-spam markers, a regular expression's alternatives
--            ("nospam|spamfree"); a marker is taken out with a "please"
--            after it, and the . _ + or - that glues it to the word it
--            ends (hamish_nospam@) or begins (nospam-tome@)
WITH cfg AS (
    SELECT unnest(from_json(CAST($people AS VARCHAR), '[{"name":"VARCHAR","source":"VARCHAR","author":"VARCHAR"}]'), recursive := true)
),
acct AS (
    SELECT a.source, a.author, a.name, a.platform, a.messages, a.person
    FROM accounts AS a
    WHERE a.ranked
),
named AS (
    SELECT DISTINCT acct.person AS base, cfg.name
    FROM cfg JOIN acct USING (source, author)
),
people AS (
    SELECT acct.*, coalesce('person:' || named.name, acct.person) AS pk,
           lower(trim(acct.name)) AS lname,
           CASE WHEN acct.platform IN ('mbox', 'nntp') AND acct.author LIKE '%@%' THEN split_part(split_part(acct.author, '@', 1), '+', 1) END AS local,
           CASE WHEN acct.platform IN ('mbox', 'nntp') AND acct.author LIKE '%@%' THEN split_part(acct.author, '@', 2) END AS domain,
           CASE WHEN acct.platform IN ('mbox', 'nntp') AND acct.author LIKE '%@%'
                THEN regexp_replace(regexp_replace(acct.author,
                         '[._+-](' || CAST($markers AS VARCHAR) || ')(please)?([@.])', '\3', 'g'),
                         '(' || CAST($markers AS VARCHAR) || ')(please)?[._+-]?', '', 'g') END AS unmarked
    FROM acct LEFT JOIN named ON named.base = acct.person
),
pairs AS (
    SELECT x.source AS source_a, x.author AS author_a, x.name AS name_a, x.messages AS messages_a,
           y.source AS source_b, y.author AS author_b, y.name AS name_b, y.messages AS messages_b,
           'same name "' || x.name || '"' AS evidence
    FROM people AS x JOIN people AS y ON x.lname = y.lname AND x.pk < y.pk
    WHERE length(x.lname) >= 3 AND x.lname <> x.author AND x.lname LIKE '% %'
    UNION ALL
    SELECT x.source, x.author, x.name, x.messages, y.source, y.author, y.name, y.messages,
           CASE WHEN x.domain = y.domain THEN 'the same address but for a +tag'
                ELSE 'the same user name at ' || x.domain || ' and ' || y.domain END
    FROM people AS x JOIN people AS y ON x.local = y.local AND x.pk < y.pk
    WHERE length(x.local) >= 4
    UNION ALL
    SELECT x.source, x.author, x.name, x.messages, y.source, y.author, y.name, y.messages,
           'the address ' || x.author || ' is ' || y.author || ' with an anti-spam marker'
    FROM people AS x JOIN people AS y ON x.unmarked = y.author AND x.unmarked <> x.author AND x.pk < y.pk
    UNION ALL
    SELECT x.source, x.author, x.name, x.messages, y.source, y.author, y.name, y.messages,
           'the address ' || y.author || ' is ' || x.author || ' with an anti-spam marker'
    FROM people AS x JOIN people AS y ON y.unmarked = x.author AND y.unmarked <> y.author AND x.pk < y.pk
)
SELECT string_agg(evidence, '; ' ORDER BY evidence) AS evidence,
       source_a, author_a, name_a, messages_a, source_b, author_b, name_b, messages_b
FROM pairs
GROUP BY source_a, author_a, name_a, messages_a, source_b, author_b, name_b, messages_b
ORDER BY count(*) DESC, messages_a + messages_b DESC, source_a, author_a, source_b, author_b
LIMIT CAST($limit AS INTEGER)
