-- One trace id from sender to workflow to approval to message (W3C traceparent, else a new id).
ALTER TABLE events ADD COLUMN trace_id TEXT;
CREATE INDEX events_by_trace ON events (trace_id) WHERE trace_id IS NOT NULL;
ALTER TABLE approvals ADD COLUMN trace_id TEXT;
CREATE INDEX approvals_by_trace ON approvals (trace_id) WHERE trace_id IS NOT NULL;
ALTER TABLE notification_deliveries ADD COLUMN trace_id TEXT;
CREATE INDEX notification_deliveries_by_trace ON notification_deliveries (trace_id) WHERE trace_id IS NOT NULL;
