-- upgrade_keys: fills the numbers the boards read (schema.sql's person_keys,
-- area_keys, post_areas and the key columns of accounts, monthly_metrics
-- and post_links) in a file made before they existed. Store.Open runs it
-- once, when schema.sql has just added them; every statement only fills
-- what is missing. An account that has posts but no number yet (a file
-- whose posts were never linked) is numbered here.
INSERT INTO account_keys (source, author, author_key)
SELECT a.source, a.author, CAST(nextval('author_keys') AS INTEGER)
FROM accounts AS a ANTI JOIN account_keys AS k USING (source, author);

INSERT INTO person_keys (person, person_key)
SELECT person, CAST(nextval('person_key_numbers') AS INTEGER)
FROM (SELECT DISTINCT person FROM accounts) ANTI JOIN person_keys USING (person);

UPDATE accounts SET author_key = k.author_key
FROM account_keys AS k
WHERE accounts.author_key IS NULL AND k.source = accounts.source AND k.author = accounts.author;

UPDATE accounts SET person_key = p.person_key
FROM person_keys AS p
WHERE accounts.person_key IS NULL AND p.person = accounts.person;

UPDATE monthly_metrics SET author_key = k.author_key
FROM account_keys AS k
WHERE monthly_metrics.author_key IS NULL AND k.source = monthly_metrics.source AND k.author = monthly_metrics.author;

INSERT INTO area_keys (area, area_key)
SELECT area, CAST(nextval('area_key_numbers') AS INTEGER)
FROM (SELECT DISTINCT unnest(areas) AS area FROM posts) ANTI JOIN area_keys USING (area);

INSERT INTO post_areas (post_key, area_key)
SELECT p.post_key, k.area_key
FROM (SELECT post_key, unnest(list_distinct(areas)) AS area FROM posts WHERE post_key NOT IN (SELECT post_key FROM post_areas)) AS p
JOIN area_keys AS k USING (area);

UPDATE post_links SET areas_of = CASE WHEN len(p.areas) > 0 THEN p.post_key ELSE post_links.thread_key END
FROM posts AS p
WHERE post_links.areas_of IS NULL AND p.post_key = post_links.post_key;

UPDATE post_links SET accepted_at = p.accepted_at
FROM posts AS p
WHERE post_links.accepted_at IS NULL AND p.accepted_at IS NOT NULL AND p.post_key = post_links.post_key;
