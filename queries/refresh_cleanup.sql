-- refresh_cleanup: drops the temporary table that refresh_metric_authors
-- makes. The engine removes the scratch folder with its files.
DROP TABLE metric_authors
