-- Notification services (where to send), triggers (when), subscriptions (who gets what).
-- Service URLs and secrets are sealed (AES-GCM) inside `object`.
CREATE TABLE notification_services (
  name TEXT PRIMARY KEY,
  object TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE notification_triggers (
  name TEXT PRIMARY KEY,
  object TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE notification_subscriptions (
  name TEXT PRIMARY KEY,
  object TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Values templates see as `context` (e.g. argocdUrl).
CREATE TABLE notification_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Argo CD's `notified` bookkeeping, per resource, trigger condition and destination:
-- without oncePer, `active` says the condition was true last time (it notifies again only after
-- it has been false); with oncePer, one row per value already notified.
CREATE TABLE notification_state (
  resource TEXT NOT NULL,
  trigger TEXT NOT NULL,
  condition INTEGER NOT NULL,
  destination TEXT NOT NULL,
  once_per TEXT NOT NULL,          -- '' for conditions without oncePer
  active INTEGER NOT NULL,
  fired INTEGER NOT NULL,          -- how many times it fired (makes delivery ids unique per firing)
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (resource, trigger, condition, destination, once_per)
);
CREATE INDEX notification_state_by_age ON notification_state (updated_at);

-- One row per message to one destination; the id is derived from what fired it, so a repeated
-- document or a redelivered queue message never creates (or sends) a second one.
CREATE TABLE notification_deliveries (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  resource TEXT NOT NULL,
  trigger TEXT NOT NULL,
  service TEXT NOT NULL,
  recipient TEXT NOT NULL,
  templates TEXT NOT NULL,         -- JSON array of template names
  message TEXT NOT NULL,           -- JSON: the rendered messages
  status TEXT NOT NULL,            -- pending | sending | delivered | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  claimed_at INTEGER,
  delivered_at INTEGER,
  enqueued INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notification_deliveries_by_time ON notification_deliveries (created_at, id);
CREATE INDEX notification_deliveries_by_status ON notification_deliveries (status, created_at, id);
CREATE INDEX notification_deliveries_by_service ON notification_deliveries (service, delivered_at);
CREATE INDEX notification_deliveries_unqueued ON notification_deliveries (enqueued, created_at) WHERE enqueued = 0;
