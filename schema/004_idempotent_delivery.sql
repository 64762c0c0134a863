-- Idempotent delivery. Every accepted message gets a delivery id (made by the
-- committer when the session hands it over); its delivering transaction
-- records the id with its outcome. A COMMIT whose outcome is unknown (the
-- connection was lost during it) is retried: the retry finds the id and
-- reports the stored outcome instead of delivering a second copy.
CREATE TABLE deliveries (
  id           text PRIMARY KEY,
  report       jsonb NOT NULL,               -- {"delivered":[…],"queued":[…],"over_quota":[…],"gone":[…],"notice_sent":b}
  committed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_age ON deliveries(committed_at);

-- The copies of one delivery are unique per mailbox and per queued recipient.
ALTER TABLE messages ADD COLUMN delivery_id text;
CREATE UNIQUE INDEX messages_delivery ON messages(delivery_id, mailbox_id) WHERE delivery_id IS NOT NULL;
ALTER TABLE queue ADD COLUMN delivery_id text;
CREATE UNIQUE INDEX queue_delivery ON queue(delivery_id, recipient) WHERE delivery_id IS NOT NULL;
