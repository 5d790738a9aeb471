-- API tokens: only a SHA-256 hash of each token is kept. The token's public id (part of the
-- token text) finds the row; the hash is then compared in constant time.
CREATE TABLE api_tokens (
  name TEXT PRIMARY KEY,
  token_id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL,
  namespaces TEXT NOT NULL,   -- JSON array of namespaces, or ["*"]
  scopes TEXT NOT NULL,       -- JSON array of scopes
  templates TEXT,             -- JSON array of template names; NULL = may submit any template
  created_at INTEGER NOT NULL,
  expires_at INTEGER          -- epoch ms; NULL = never
);

-- Webhook clients authenticate signed deliveries (GitHub, GitLab, Bitbucket, HMAC) for one
-- namespace. The secret is AES-GCM encrypted with a key derived from HOOKLINE_SECRET_KEY.
CREATE TABLE webhook_clients (
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  secret_sealed TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (namespace, name)
);
