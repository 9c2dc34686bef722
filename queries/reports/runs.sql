-- runs: the latest ingests, newest first: what each read, skipped,
-- dropped as duplicates and stored, and how long it took.
--
-- Parameters:
--   $source  only this source's runs (optional: every source without it)
--   $limit   how many runs at most (default: 20)
SELECT run_id, source, platform, input, started_at,
       round(epoch(finished_at) - epoch(started_at), 3) AS seconds,
       rows_read, rows_rejected, rows_duplicate, rows_inserted, rows_updated
FROM ingest_runs
WHERE $source IS NULL OR source = $source
ORDER BY run_id DESC
LIMIT CAST($limit AS INTEGER)
