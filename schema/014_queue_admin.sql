-- The mail queue as administrators see it (`posta queue`, /api/v1/queue):
-- one message per delivery id — the id its client was told in "queued as"
-- (rows written without one, by hand or before 004, are their own message,
-- named by their row id) — and every attempt of it, delivered recipients
-- included, even after their rows left the queue.
CREATE INDEX queue_message ON queue ((coalesce(delivery_id, id::text)));

ALTER TABLE queue_attempts ADD COLUMN message_id text COLLATE "C";
UPDATE queue_attempts a SET message_id = coalesce(q.delivery_id, q.id::text) FROM queue q WHERE q.id = a.queue_id;
CREATE INDEX queue_attempts_message ON queue_attempts(message_id);
