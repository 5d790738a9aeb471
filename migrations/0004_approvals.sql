-- Approval policies: what a gate calls (webhooks), whether a person must also approve, how long
-- it waits. Stored whole as JSON; header secrets given through the API are sealed inside it.
CREATE TABLE approval_policies (
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  object TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (namespace, name)
);

-- A mirror of each approval gate for listing. The ApprovalGate Durable Object is the source of
-- truth and writes here on every change; `revision` keeps a late write from undoing a newer one.
CREATE TABLE approvals (
  id TEXT PRIMARY KEY,
  namespace TEXT NOT NULL,
  policy TEXT NOT NULL,
  status TEXT NOT NULL,           -- pending | approved | rejected | failed | timed_out
  subject TEXT,                   -- JSON {cluster, workflow, node}
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  decided_at INTEGER,
  revision INTEGER NOT NULL
);
CREATE INDEX approvals_by_namespace ON approvals (namespace, id);
CREATE INDEX approvals_by_status ON approvals (namespace, status, id);

-- OAuth 2.0 clients (client credentials grant) for approval callbacks; only secret hashes kept.
CREATE TABLE oauth_clients (
  client_id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  scopes TEXT NOT NULL,           -- JSON array
  namespaces TEXT NOT NULL,       -- JSON array, or ["*"]
  created_at INTEGER NOT NULL
);
