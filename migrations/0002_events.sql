-- The event log: one row per accepted event, written by the EVENTS queue consumer.
-- id is a ULID (sorts by receive time); writes are idempotent on it.
CREATE TABLE events (
  id TEXT PRIMARY KEY,
  namespace TEXT NOT NULL,
  discriminator TEXT NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL,          -- epoch ms
  outcome TEXT NOT NULL,                 -- no_bindings | no_match | submitted | partially_failed | failed | pending
  sender TEXT NOT NULL,                  -- admin | token:<name> | client:<ns>/<name>
  metadata TEXT NOT NULL,                -- JSON: x- headers, lowercased, values as lists
  payload TEXT,                          -- JSON text, when the body travelled inline
  body_key TEXT,                         -- R2 key in EVENT_BODIES, when the body was spilled
  body_bytes INTEGER NOT NULL,
  replay_of TEXT,                        -- the event this one replays
  error TEXT                             -- why processing gave up, when it did
);

-- Every list query is namespace-scoped, newest first, optionally filtered.
CREATE INDEX events_by_namespace ON events (namespace, id);
CREATE INDEX events_by_discriminator ON events (namespace, discriminator, id);
CREATE INDEX events_by_outcome ON events (namespace, outcome, id);
-- Retention deletes by age.
CREATE INDEX events_by_received_at ON events (received_at);
