-- A sender's own ingest rate limit (JSON {requests, periodSeconds}); NULL = the gateway default.
ALTER TABLE api_tokens ADD COLUMN rate_limit TEXT;
ALTER TABLE webhook_clients ADD COLUMN rate_limit TEXT;
-- hmac-sha256 clients that require a signed timestamp (replay window), and other per-type options (JSON).
ALTER TABLE webhook_clients ADD COLUMN options TEXT;

-- A delivery belongs to the namespace of the resource or hookline event that caused it, so
-- namespace-limited tokens see (and retry) only their own. '' = a resource without a namespace.
ALTER TABLE notification_deliveries ADD COLUMN namespace TEXT NOT NULL DEFAULT '';
CREATE INDEX notification_deliveries_by_namespace ON notification_deliveries (namespace, created_at, id);
CREATE INDEX notification_deliveries_by_namespace_status ON notification_deliveries (namespace, status, created_at, id);
