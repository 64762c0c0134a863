-- The full-text indexer's durable queue (mail/index): one row per change of
-- a mailbox's messages, written by triggers IN THE SAME TRANSACTION as the
-- delivery, APPEND, COPY, MOVE, EXPUNGE, mailbox DELETE or RENAME that made
-- it, so a committed message is never missed by the index and delivery never
-- waits for it. The indexer commits Xapian, then deletes the rows it did:
-- a crash in between indexes them again (idempotent by mailbox and UID).
-- Ops: 'add' and 'remove' a message; 'reset' (a reindex: empty the
-- account's index first, the 'add' rows follow) and 'drop' (the account is
-- gone: remove its index). No foreign keys: a row outlives what it names.
CREATE TABLE search_queue (
  id         bigserial PRIMARY KEY,
  account_id bigint NOT NULL,
  mailbox_id bigint,            -- NULL for reset and drop
  uid        bigint,
  op         text NOT NULL CHECK (op IN ('add', 'remove', 'reset', 'drop'))
);
CREATE INDEX search_queue_mailbox ON search_queue(mailbox_id, id);

-- Statement-level with transition tables: a delivery of a whole batch adds
-- its rows in one INSERT … SELECT. No NOTIFY: it would take the global
-- notification lock in every delivering commit; the indexer polls instead,
-- and IMAP SEARCH and the search API catch up on the queue themselves.
CREATE FUNCTION search_queue_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_queue(account_id, mailbox_id, uid, op)
    SELECT b.account_id, r.mailbox_id, r.uid, 'add' FROM new_rows r JOIN mailboxes b ON b.id = r.mailbox_id
    ORDER BY r.mailbox_id, r.uid;
  RETURN NULL;
END $$;

-- When the account itself is being deleted its mailboxes may be gone
-- already: those rows are left out, the account's 'drop' removes it all.
CREATE FUNCTION search_queue_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_queue(account_id, mailbox_id, uid, op)
    SELECT b.account_id, r.mailbox_id, r.uid, 'remove' FROM old_rows r JOIN mailboxes b ON b.id = r.mailbox_id
    ORDER BY r.mailbox_id, r.uid;
  RETURN NULL;
END $$;

-- MOVE and RENAME of INBOX change a message's mailbox and UID in place
-- (mail/store/copy.cpp, rename.cpp). Row-level: transition tables cannot
-- go with a column list, and without one every flag STORE would pay.
CREATE FUNCTION search_queue_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_queue(account_id, mailbox_id, uid, op)
    SELECT account_id, OLD.mailbox_id, OLD.uid, 'remove' FROM mailboxes WHERE id = OLD.mailbox_id;
  INSERT INTO search_queue(account_id, mailbox_id, uid, op)
    SELECT account_id, NEW.mailbox_id, NEW.uid, 'add' FROM mailboxes WHERE id = NEW.mailbox_id;
  RETURN NULL;
END $$;

CREATE FUNCTION search_queue_account_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_queue(account_id, op) SELECT id, 'drop' FROM old_rows;
  RETURN NULL;
END $$;

CREATE TRIGGER messages_search_added AFTER INSERT ON messages REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_queue_added();
CREATE TRIGGER messages_search_removed AFTER DELETE ON messages REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_queue_removed();
CREATE TRIGGER messages_search_moved AFTER UPDATE OF mailbox_id, uid ON messages
  FOR EACH ROW WHEN (OLD.mailbox_id IS DISTINCT FROM NEW.mailbox_id OR OLD.uid IS DISTINCT FROM NEW.uid)
  EXECUTE FUNCTION search_queue_moved();
CREATE TRIGGER accounts_search_gone AFTER DELETE ON accounts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_queue_account_gone();

-- Messages stored before this migration are indexed once.
INSERT INTO search_queue(account_id, mailbox_id, uid, op)
  SELECT b.account_id, m.mailbox_id, m.uid, 'add' FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
  ORDER BY m.mailbox_id, m.uid;
