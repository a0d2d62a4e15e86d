-- 0004: whether a stored request is a completed copy of its call.  A streamed call logged twice
-- (a start-only record and the finished stream) is one request: the loader keeps the completed
-- copy, even when the start reported more tokens (a compaction stream reports more cache reads
-- at its start than at its end).  Readers that cannot tell store true; rows stored before this
-- migration are true.

ALTER TABLE requests ADD COLUMN complete BOOLEAN NOT NULL DEFAULT true;
