-- Slack bot services: the first message of each Argo CD `groupingKey` per channel, so later
-- messages of the group go in its thread (and deliveryPolicy Update edits it).
CREATE TABLE slack_threads (
  service TEXT NOT NULL,
  channel TEXT NOT NULL,
  grouping_key TEXT NOT NULL,
  ts TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (service, channel, grouping_key)
);
