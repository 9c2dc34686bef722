-- refresh_cleanup: drops the temporary tables that refresh_metric_authors,
-- refresh_metric_posts and refresh_monthly_metrics make (m_final included).
DROP TABLE metric_authors;
DROP TABLE metric_posts;
DROP TABLE m_sent;
DROP TABLE m_received;
DROP TABLE m_accepted;
DROP TABLE m_reach;
DROP TABLE m_first_responses;
DROP TABLE m_audience;
DROP TABLE m_final;
