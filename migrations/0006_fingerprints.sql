-- Keyed fingerprints of what was last applied (see src/lib/apply.ts), so re-applying the same
-- input answers "unchanged" without decrypting stored secrets.
ALTER TABLE clusters ADD COLUMN fingerprint TEXT;
ALTER TABLE webhook_clients ADD COLUMN fingerprint TEXT;
