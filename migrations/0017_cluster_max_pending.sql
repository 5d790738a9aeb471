-- A cluster's cap on the workflows hookline submitted that it still runs (Pending or Running):
-- over it, submissions are held in arrival order (issue 34). NULL: no cap.
ALTER TABLE clusters ADD COLUMN max_pending INTEGER;
