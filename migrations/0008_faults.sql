-- Submissions waiting for each cluster (its breaker's `queued`), counted without a table scan.
CREATE INDEX event_results_pending_by_cluster ON event_results (cluster) WHERE status = 'pending';
