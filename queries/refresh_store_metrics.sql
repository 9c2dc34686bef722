-- refresh_store_metrics: stores under $source the monthly metrics that
-- refresh_monthly_metrics has just written to monthly_metrics.parquet in
-- the refresh's scratch folder (the variable calvin_scratch), in month
-- order. The engine deletes the source's old rows just before.
-- Parameters: $source.
INSERT INTO monthly_metrics BY NAME
SELECT $source AS source, *
FROM read_parquet(getvariable('calvin_scratch') || '/monthly_metrics.parquet')
