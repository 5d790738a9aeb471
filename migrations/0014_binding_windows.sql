-- Debounce windows: the results of a window's events carry its id, so when the window fires
-- (submitting its last event) the others are marked debounced in one statement.
ALTER TABLE event_results ADD COLUMN window_id TEXT;
CREATE INDEX event_results_by_window ON event_results (window_id) WHERE window_id IS NOT NULL;
