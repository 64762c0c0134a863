-- IMAP \Recent (RFC 3501 2.3.2) decided in the database, so that across
-- nodes a message is \Recent in exactly one session: the first to SELECT
-- the mailbox (or to hear of the message while it has it selected) claims
-- the UIDs above recent_uid and moves the mark up in one statement.
-- And a deleted mailbox is told to the sessions that have it selected,
-- however it goes (IMAP DELETE, an account deleted by the administrator and
-- its mailboxes cascading): NOTIFY posta_mailbox <id> for every removed row.

ALTER TABLE mailboxes ADD COLUMN recent_uid bigint NOT NULL DEFAULT 0;
-- Messages already there are nobody's news.
UPDATE mailboxes SET recent_uid = uidnext - 1;

CREATE FUNCTION mailboxes_removed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('posta_mailbox', id::text) FROM old_rows;
  RETURN NULL;
END $$;

CREATE TRIGGER mailboxes_removed_notify AFTER DELETE ON mailboxes REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mailboxes_removed_notify();
