-- Notification templates as data (Argo CD's templates, Go text/template + sprig), rendered at run
-- time: applying or editing one takes effect at once, with no build or redeploy. hookline's
-- built-in templates stay in templates/ (Eta, compiled at build time); a stored template of the
-- same name wins.
CREATE TABLE notification_templates (
  name TEXT PRIMARY KEY,
  object TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
