-- refresh_store_metrics: stores the monthly metrics that
-- refresh_monthly_metrics has just computed into the temporary table
-- m_final under $source, in month order. The engine deletes the source's
-- old rows just before.
-- Parameters: $source.
INSERT INTO monthly_metrics BY NAME
SELECT $source AS source, * FROM m_final
