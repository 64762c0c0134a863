-- The mailbox store (built for IMAP: UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ per
-- mailbox; UID, MODSEQ, flags, INTERNALDATE per message), the parsed
-- structure of each blob, and the outbound queue.

ALTER TABLE domains ADD COLUMN catch_all text;  -- local address receiving unknown recipients

CREATE TABLE mailboxes (
  id            bigserial PRIMARY KEY,
  account_id    bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name          text NOT NULL,                 -- "INBOX", "Sent", hierarchy separator '/'
  uidvalidity   bigint NOT NULL,
  uidnext       bigint NOT NULL DEFAULT 1,
  highestmodseq bigint NOT NULL DEFAULT 1,
  special_use   text,                          -- RFC 6154: \Sent, \Drafts, \Trash, \Junk
  subscribed    boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, name)
);

-- The structure of a message, parsed once per blob at delivery (GMime):
-- envelope, body structure and per-part offsets, relative to the blob.
CREATE TABLE blob_structures (
  hash      text PRIMARY KEY REFERENCES blobs(hash) ON DELETE CASCADE,
  structure jsonb NOT NULL
);

CREATE TABLE messages (
  id            bigserial PRIMARY KEY,
  mailbox_id    bigint NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid           bigint NOT NULL,
  modseq        bigint NOT NULL,
  flags         text[] NOT NULL DEFAULT '{}',
  internal_date timestamptz NOT NULL DEFAULT now(),
  -- Return-Path and Delivered-To of this copy, served before the blob.
  header_prefix text NOT NULL DEFAULT '',
  blob_hash     text NOT NULL REFERENCES blobs(hash),
  size          bigint NOT NULL,                -- RFC822.SIZE: prefix + blob
  UNIQUE (mailbox_id, uid)
);
CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);
CREATE INDEX messages_blob ON messages(blob_hash);

-- Outbound: one row per remote recipient, with the DSN parameters kept.
CREATE TABLE queue (
  id              bigserial PRIMARY KEY,
  blob_hash       text NOT NULL REFERENCES blobs(hash),
  sender          text NOT NULL,                -- '' for the null reverse-path
  recipient       text NOT NULL,
  envid           text,
  ret             text,                         -- 'FULL' | 'HDRS' | NULL
  notify          text,                         -- 'NEVER' or a list of SUCCESS,FAILURE,DELAY
  orcpt           text,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  client_ip       text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX queue_due ON queue(next_attempt_at);

-- Blob reference counts and quota usage follow the rows, whatever deletes
-- them (IMAP expunge, account deletion cascading, queue completion).
CREATE FUNCTION blob_ref() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE blobs SET refcount = refcount + 1, updated_at = now() WHERE hash = NEW.blob_hash;
    RETURN NEW;
  END IF;
  UPDATE blobs SET refcount = greatest(refcount - 1, 0), updated_at = now() WHERE hash = OLD.blob_hash;
  RETURN OLD;
END $$;

CREATE TRIGGER messages_blob_ref AFTER INSERT OR DELETE ON messages FOR EACH ROW EXECUTE FUNCTION blob_ref();
CREATE TRIGGER queue_blob_ref AFTER INSERT OR DELETE ON queue FOR EACH ROW EXECUTE FUNCTION blob_ref();

CREATE FUNCTION message_usage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE accounts SET used_bytes = used_bytes + NEW.size
      WHERE id = (SELECT account_id FROM mailboxes WHERE id = NEW.mailbox_id);
    RETURN NEW;
  END IF;
  UPDATE accounts SET used_bytes = greatest(used_bytes - OLD.size, 0)
    WHERE id = (SELECT account_id FROM mailboxes WHERE id = OLD.mailbox_id);
  RETURN OLD;
END $$;

CREATE TRIGGER messages_usage AFTER INSERT OR DELETE ON messages FOR EACH ROW EXECUTE FUNCTION message_usage();

-- Every account has an INBOX and the special-use folders from the start.
CREATE FUNCTION create_default_mailboxes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  validity bigint := extract(epoch FROM clock_timestamp())::bigint;
BEGIN
  INSERT INTO mailboxes(account_id, name, uidvalidity, special_use) VALUES
    (NEW.id, 'INBOX', validity, NULL),
    (NEW.id, 'Sent', validity, '\Sent'),
    (NEW.id, 'Drafts', validity, '\Drafts'),
    (NEW.id, 'Trash', validity, '\Trash'),
    (NEW.id, 'Junk', validity, '\Junk');
  RETURN NEW;
END $$;

CREATE TRIGGER accounts_default_mailboxes AFTER INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION create_default_mailboxes();

-- Accounts created before this migration get their folders too.
INSERT INTO mailboxes(account_id, name, uidvalidity, special_use)
SELECT a.id, f.name, extract(epoch FROM clock_timestamp())::bigint, f.special_use
FROM accounts a
CROSS JOIN (VALUES ('INBOX', NULL), ('Sent', '\Sent'), ('Drafts', '\Drafts'), ('Trash', '\Trash'), ('Junk', '\Junk'))
  AS f(name, special_use)
ON CONFLICT DO NOTHING;
