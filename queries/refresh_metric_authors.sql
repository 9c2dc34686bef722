-- refresh_metric_authors: the accounts of $source numbered 1, 2, 3, ... as
-- the temporary table metric_authors (author, aid). The metrics group and
-- join on these integers rather than on the account strings: at ten
-- million posts that halves the refresh. It reads the accounts that
-- refresh_accounts has just rebuilt (every author of the source's posts),
-- not the posts again.
-- Parameters: $source.
CREATE OR REPLACE TEMP TABLE metric_authors AS
SELECT author, CAST(row_number() OVER () AS INTEGER) AS aid
FROM accounts
WHERE source = $source
