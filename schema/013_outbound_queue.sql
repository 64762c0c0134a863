-- The outbound queue runner (mail/queue): leases, outcomes and attempts.
--
-- A runner claims due rows with FOR UPDATE SKIP LOCKED and marks them leased
-- to itself until lease_expires_at, so two nodes never deliver the same row;
-- it extends the leases of the rows it is still delivering and clears them
-- when the outcome is written. A crashed node's leases lapse and another
-- runner (or the restarted one) takes the rows again.
ALTER TABLE queue
  ADD COLUMN domain text COLLATE "C" GENERATED ALWAYS AS (lower(substring(recipient FROM '@([^@]*)$'))) STORED,
  ADD COLUMN leased_by text,
  ADD COLUMN lease_expires_at timestamptz,
  ADD COLUMN last_attempt_at timestamptz,
  ADD COLUMN last_code integer,          -- the reply code of the last attempt (a local one when no server answered)
  ADD COLUMN last_reply text,            -- its whole reply text: "451 4.4.1 connection refused by …"
  ADD COLUMN delay_notice_sent boolean NOT NULL DEFAULT false,
  -- What the message needs from the next server (RFC 6531, RFC 6152/3030):
  -- UTF-8 in its envelope or header, and the BODY= it arrived with.
  ADD COLUMN smtputf8 boolean NOT NULL DEFAULT false,
  ADD COLUMN body_type text CHECK (body_type IN ('8BITMIME', 'BINARYMIME'));

-- The last_error column of 002 was never written; last_reply replaces it.
ALTER TABLE queue DROP COLUMN last_error;

-- queue_due (next_attempt_at) serves the claims; leased rows are few (what
-- the runners have in flight), lapsed ones are taken like due ones.
CREATE INDEX queue_leased ON queue(leased_by) WHERE leased_by IS NOT NULL;
CREATE INDEX queue_domain ON queue(domain);

-- One row per attempt to deliver one recipient, kept after the queue row is
-- gone (no foreign key) for `posta queue show` and the journal's retention.
CREATE TABLE queue_attempts (
  id           bigserial PRIMARY KEY,
  queue_id     bigint NOT NULL,
  recipient    text NOT NULL,
  attempted_at timestamptz NOT NULL DEFAULT now(),
  host         text NOT NULL DEFAULT '',  -- "mx1.example.net [192.0.2.25]:25", or '' when none answered
  code         integer NOT NULL,
  reply        text NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('delivered', 'deferred', 'bounced', 'expired', 'deleted'))
);
CREATE INDEX queue_attempts_queue ON queue_attempts(queue_id);
CREATE INDEX queue_attempts_at ON queue_attempts(attempted_at);
