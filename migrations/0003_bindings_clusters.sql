-- WorkflowEventBindings, stored whole (as JSON) with their Kubernetes-style metadata.
CREATE TABLE bindings (
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  uid TEXT NOT NULL,
  generation INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  object TEXT NOT NULL,        -- the stored WorkflowEventBinding (JSON)
  PRIMARY KEY (namespace, name)
);

-- Clusters that bindings submit to. The bearer token is sealed (AES-GCM) or named by a Worker secret.
CREATE TABLE clusters (
  name TEXT PRIMARY KEY,
  type TEXT NOT NULL,          -- argo-server | kubernetes
  url TEXT NOT NULL,
  token_sealed TEXT,
  token_secret TEXT,
  timeout_ms INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- One counter per configuration scope ('bindings:<namespace>', 'clusters'), bumped in the same
-- transaction as every change, so consumers check one small row per batch to see whether their
-- cached compiled configuration is current.
CREATE TABLE config_versions (
  scope TEXT PRIMARY KEY,
  version INTEGER NOT NULL
);

-- What each binding did with each event. Rows for matched bindings carry the submission they
-- make (`request`), so a retried delivery re-sends exactly the same workflow.
CREATE TABLE event_results (
  event_id TEXT NOT NULL,
  binding TEXT NOT NULL,
  binding_uid TEXT NOT NULL,
  matched INTEGER NOT NULL,      -- 0 | 1
  status TEXT NOT NULL,          -- submitted | skipped | failed | pending
  reason TEXT,                   -- why a binding was skipped
  error TEXT,                    -- why a result failed (or the last retryable error while pending)
  cluster TEXT,
  workflow TEXT,
  request TEXT,                  -- JSON submission, for matched bindings
  attempts INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (event_id, binding)
);
CREATE INDEX event_results_pending ON event_results (status) WHERE status = 'pending';

-- How many bindings the prefilter ruled out without evaluating them (namespaces with many bindings).
ALTER TABLE events ADD COLUMN bindings_pruned INTEGER NOT NULL DEFAULT 0;
