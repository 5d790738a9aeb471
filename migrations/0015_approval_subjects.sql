-- One open gate per workflow node. A gate with a subject holds its node — (cluster, namespace,
-- workflow, node id as the cluster reports it) — from creation until its decision; a second gate
-- on the same node is refused with the first one's id. WITHOUT ROWID: the key is the table, so a
-- hold costs one written row, not a row and an index entry.
CREATE TABLE approval_subjects (
  subject TEXT PRIMARY KEY,
  gate_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
