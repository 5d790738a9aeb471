-- The event log, priced by what people look at (docs/scale.md, "What the event log writes").
-- D1 bills every row written — each index entry, each delete — so an event now costs rows only
-- when someone will look at it: events a binding matched (with every result), events a sender
-- waits for (?wait), replays, and a few sampled events per namespace, discriminator and minute.
-- Every other event is a count in event_counts and an entry in its batch's body pack in R2
-- (event_packs says where), which expires by the bucket's lifecycle rule.

-- One row per detailed event, its binding results inline (JSON): one written row per event, and
-- one more when retention deletes it. WITHOUT ROWID: the key is the table, so there is no
-- separate primary-key index to write. Every query names the namespace.
CREATE TABLE event_log (
  namespace TEXT NOT NULL,
  id TEXT NOT NULL,                      -- ULID: sorts by receive time
  discriminator TEXT NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL,          -- epoch ms
  outcome TEXT NOT NULL,                 -- no_bindings | no_match | submitted | partially_failed | failed | pending
  sender TEXT NOT NULL,
  metadata TEXT NOT NULL,                -- JSON: x- headers, lowercased, values as lists
  results TEXT NOT NULL DEFAULT '[]',    -- JSON: what each binding did (the submission only while it is unsent)
  payload TEXT,                          -- the body inline: only events logged before this migration
  body_key TEXT,                         -- R2 object holding the body (a batch's pack, or a spilled body)
  body_offset INTEGER,                   -- the body's first byte in it (NULL: the whole object)
  body_length INTEGER,                   -- the body's length in bytes
  body_bytes INTEGER NOT NULL,
  replay_of TEXT,
  error TEXT,
  bindings_pruned INTEGER NOT NULL DEFAULT 0,
  trace_id TEXT,
  PRIMARY KEY (namespace, id)
) WITHOUT ROWID;
-- Submissions still being retried (the clusters' queue depth): an entry only while pending.
CREATE INDEX event_log_pending ON event_log (outcome) WHERE outcome = 'pending';

-- Results waiting in a debounce window or for dependencies, by window: settled when it fires or
-- expires, then deleted. Only windowed bindings write here.
CREATE TABLE event_waits (
  window_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  namespace TEXT NOT NULL,
  PRIMARY KEY (window_id, event_id)
) WITHOUT ROWID;

-- The dashboard's counts: events per received minute, namespace, discriminator and outcome,
-- added per consumer batch (one upserted row per key in the batch), and how many of them have a
-- row in event_log (the sampler keeps a few per minute).
CREATE TABLE event_counts (
  minute INTEGER NOT NULL,               -- received_at / 60000
  namespace TEXT NOT NULL,
  discriminator TEXT NOT NULL,
  outcome TEXT NOT NULL,
  events INTEGER NOT NULL,
  detailed INTEGER NOT NULL,
  PRIMARY KEY (minute, namespace, discriminator, outcome)
) WITHOUT ROWID;

-- One row per body pack (an R2 object per consumer batch: a manifest of its events, then their
-- bodies): how an event without a row in event_log is found again by its id.
CREATE TABLE event_packs (
  first_id TEXT NOT NULL,                -- the smallest event id in the pack
  key TEXT NOT NULL,
  last_id TEXT NOT NULL,
  manifest_bytes INTEGER NOT NULL,       -- the manifest's length at the start of the object
  PRIMARY KEY (first_id, key)
) WITHOUT ROWID;

-- Move the existing log forward: every event keeps its row (its body inline, as it was), its
-- results and its count; waiting results keep their window.
INSERT INTO event_log (namespace, id, discriminator, received_at, outcome, sender, metadata, results, payload,
  body_key, body_offset, body_length, body_bytes, replay_of, error, bindings_pruned, trace_id)
SELECT e.namespace, e.id, e.discriminator, e.received_at, e.outcome, e.sender, e.metadata,
  coalesce((
    SELECT json_group_array(json_object(
      'binding', r.binding,
      'bindingUid', r.binding_uid,
      'matched', json(CASE r.matched WHEN 1 THEN 'true' ELSE 'false' END),
      'status', r.status,
      'reason', r.reason,
      'error', r.error,
      'cluster', r.cluster,
      'workflow', r.workflow,
      'request', CASE WHEN r.status IN ('pending', 'waiting') THEN json(r.request) END,
      'attempts', r.attempts,
      'windowId', r.window_id))
    FROM (SELECT * FROM event_results WHERE event_id = e.id ORDER BY binding) AS r
  ), '[]'),
  e.payload, e.body_key, NULL, NULL, e.body_bytes, e.replay_of, e.error, e.bindings_pruned, e.trace_id
FROM events AS e;

INSERT INTO event_waits (window_id, event_id, namespace)
SELECT DISTINCT r.window_id, r.event_id, e.namespace
FROM event_results AS r JOIN events AS e ON e.id = r.event_id
WHERE r.window_id IS NOT NULL AND r.status = 'waiting';

INSERT INTO event_counts (minute, namespace, discriminator, outcome, events, detailed)
SELECT received_at / 60000, namespace, discriminator, outcome, count(*), count(*)
FROM events GROUP BY received_at / 60000, namespace, discriminator, outcome;

-- The old tables and their seven indexes.
DROP TABLE event_results;
DROP TABLE events;
