-- Ingest writes each row once. Measured under bench/smtp_vs_postfix.sh, the
-- delivering transaction wrote every `blobs` row twice: pinned with refcount
-- 0, then raised by the statement trigger of the messages it got — a second,
-- non-HOT row version (refcount and updated_at are indexed) with its own
-- index entries and dead tuple. The inserting code now states the references
-- it adds when it pins (blob::store::pin), so inserts of messages and queue
-- rows no longer count; deletes still do, whatever deletes them (expunge,
-- account removal cascading, queue completion).
DROP TRIGGER messages_blob_refs_added ON messages;
DROP TRIGGER queue_blob_refs_added ON queue;
DROP FUNCTION blob_refs_added();

-- A delivery id is unique through its `deliveries` row, written in the same
-- transaction as its copies: a second commit of the same id fails on that
-- key (after waiting for the first), so per-copy unique indexes add nothing
-- but an index insert per copy.
DROP INDEX messages_delivery;
DROP INDEX queue_delivery;

-- Only Posta reads these documents, and it parses them itself: text skips
-- the jsonb conversion at every insert.
ALTER TABLE blob_structures ALTER COLUMN structure TYPE text;
ALTER TABLE deliveries ALTER COLUMN report TYPE text;

-- Hashes and delivery ids are ASCII compared for equality and ordered only
-- for locking: byte order ("C") spares every index comparison the locale's
-- collation routine.
ALTER TABLE blobs ALTER COLUMN hash TYPE text COLLATE "C";
ALTER TABLE blob_structures ALTER COLUMN hash TYPE text COLLATE "C";
ALTER TABLE messages ALTER COLUMN blob_hash TYPE text COLLATE "C";
ALTER TABLE queue ALTER COLUMN blob_hash TYPE text COLLATE "C";
ALTER TABLE deliveries ALTER COLUMN id TYPE text COLLATE "C";
