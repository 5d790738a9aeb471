-- Headers sent with every call to a cluster (e.g. a Cloudflare Access service token in front of
-- an Argo Server behind a Tunnel): a JSON array of {name, value} | {name, sealed} | {name, workerSecret}.
ALTER TABLE clusters ADD COLUMN headers TEXT NOT NULL DEFAULT '[]';
