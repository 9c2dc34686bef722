-- refresh_store_metrics: stores under $source the monthly metrics that
-- refresh_monthly_metrics has just written to monthly_metrics.parquet in
-- the refresh's scratch folder (the variable calvin_scratch), in month
-- order. The engine deletes the source's old rows just before. A plain
-- copy, not the join's own insert: on a re-ingest of ten million posts,
-- the join inserting into monthly_metrics right after the old rows were
-- deleted in the same transaction ran out of memory under a 1 GB cap.
-- Parameters: $source.
INSERT INTO monthly_metrics BY NAME
SELECT $source AS source, *
FROM read_parquet(getvariable('calvin_scratch') || '/monthly_metrics.parquet')
