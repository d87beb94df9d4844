-- A delivery's version goes up each time it is claimed or requeued, so that
-- the worker finishing an attempt saves its outcome only over the row it
-- claimed: a replay that arrived meanwhile, or another worker's claim after
-- the lease ran out, is not overwritten.
ALTER TABLE deliveries ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
