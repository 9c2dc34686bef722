-- refresh_accounts: the accounts of $source as its posts make them (the
-- engine puts them in place of the source's rows in accounts, with their
-- author_key and person_key), from the temporary table account_posts the
-- engine made first: every account's posts counted (account_posts.sql),
-- or, after an ingest that only added posts, those of the accounts that
-- wrote them (account_posts_added.sql). An
-- account is not ranked when it is not a person: the Stack Exchange
-- Community user (-1) owns wiki posts and bumps old questions; Mailman
-- files messages whose sender it lost under bogus@does.not.exist.com.
--
-- person is who the account is by the automatic rules: a mail or news
-- address is one person across sources (mail:ADDRESS); a Stack Exchange
-- user of a network account is that account across sites (se:ID, from
-- account_facts); any other account is a person of its own
-- (account:SOURCE/AUTHOR). The configuration's people are applied when
-- ranking.
-- Parameters: $source; $parts and $part as for account_posts (the facts
-- read are those of the part's accounts, and of those account_posts
-- counts: after added posts, a few, where grouping every account's facts
-- took 0.2 s at ten million posts).
SELECT $source AS source,
       pl.platform,
       a.*,
       CASE
           WHEN pl.platform = 'stackexchange' AND a.author = '-1'
               THEN 'bot: the Stack Exchange Community user'
           WHEN a.author = 'bogus@does.not.exist.com'
               THEN 'bot: Mailman''s stand-in for a lost sender'
       END AS reason,
       reason IS NULL AS ranked,
       CASE
           WHEN pl.platform IN ('mbox', 'nntp') THEN 'mail:' || a.author
           WHEN f.value IS NOT NULL THEN 'se:' || f.value
           ELSE 'account:' || $source || '/' || a.author
       END AS person
FROM account_posts AS a
CROSS JOIN (SELECT platform FROM posts WHERE source = $source LIMIT 1) AS pl
LEFT JOIN (
    SELECT author, min(value) AS value
    FROM account_facts
    WHERE source = $source AND fact = 'se_account' AND hash(author) % CAST($parts AS UBIGINT) = CAST($part AS UBIGINT)
      AND author IN (SELECT author FROM account_posts)
    GROUP BY author
) AS f USING (author)
