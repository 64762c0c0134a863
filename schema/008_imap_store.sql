-- The mailbox store for IMAP and POP3 (mail/store): expunged UIDs kept with
-- their MODSEQ (RFC 7162 3.2.5.1 VANISHED (EARLIER), CONDSTORE), keywords
-- known per mailbox (FLAGS, PERMANENTFLAGS \*), \Noselect names (RFC 3501
-- 6.3.4), subscriptions independent of mailboxes (RFC 3501 6.3.6), a message
-- count per account for the MESSAGE quota (RFC 9208 5.2), and the folders
-- of a new account from the setting mail.auto_folders (core/identity) with
-- only INBOX left to the schema.

-- One row per expunging operation (EXPUNGE, UID EXPUNGE, MOVE, DELETE of a
-- mailbox's messages, RENAME of INBOX): the UIDs it removed and the MODSEQ
-- it took. "Expunged since modseq N" reads only the rows after N.
CREATE TABLE mailbox_expunges (
  mailbox_id bigint NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  modseq     bigint NOT NULL,
  uids       bigint[] NOT NULL,
  PRIMARY KEY (mailbox_id, modseq)
);

-- Keywords ever set in the mailbox (the FLAGS response lists them), and the
-- \Noselect state of a name kept for its children after DELETE.
ALTER TABLE mailboxes ADD COLUMN keywords text[] NOT NULL DEFAULT '{}';
ALTER TABLE mailboxes ADD COLUMN noselect boolean NOT NULL DEFAULT false;

-- Subscriptions are names, not mailboxes: a name may be subscribed before it
-- exists and stays subscribed after it is deleted.
CREATE TABLE subscriptions (
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name       text NOT NULL,
  PRIMARY KEY (account_id, name)
);
INSERT INTO subscriptions(account_id, name) SELECT account_id, name FROM mailboxes WHERE subscribed;
ALTER TABLE mailboxes DROP COLUMN subscribed;

-- STATUS UNSEEN and EXPUNGE read only the messages concerned.
CREATE INDEX messages_unseen ON messages(mailbox_id, uid) WHERE NOT ('\Seen' = ANY(flags));
CREATE INDEX messages_deleted ON messages(mailbox_id, uid) WHERE '\Deleted' = ANY(flags);

-- MESSAGE quota: a limit (0 = none) and the count, kept by the usage triggers.
ALTER TABLE accounts ADD COLUMN quota_messages bigint NOT NULL DEFAULT 0 CHECK (quota_messages >= 0);
ALTER TABLE accounts ADD COLUMN used_messages bigint NOT NULL DEFAULT 0;
UPDATE accounts a SET used_messages = (SELECT count(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
                                       WHERE b.account_id = a.id);

CREATE OR REPLACE FUNCTION message_usage_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts a SET used_bytes = a.used_bytes + n.s, used_messages = a.used_messages + n.c
    FROM (SELECT m.account_id, sum(r.size) AS s, count(*) AS c FROM new_rows r JOIN mailboxes m ON m.id = r.mailbox_id
          GROUP BY m.account_id) n
    WHERE a.id = n.account_id;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION message_usage_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts a SET used_bytes = greatest(a.used_bytes - n.s, 0),
                        used_messages = greatest(a.used_messages - n.c, 0)
    FROM (SELECT m.account_id, sum(r.size) AS s, count(*) AS c FROM old_rows r JOIN mailboxes m ON m.id = r.mailbox_id
          GROUP BY m.account_id) n
    WHERE a.id = n.account_id;
  RETURN NULL;
END $$;

-- The folders of a new account come from mail.auto_folders, created by the
-- account's own transaction (core/identity/accounts.cpp); only INBOX, which
-- every account has whatever creates it, stays with the schema.
DROP TRIGGER accounts_default_mailboxes ON accounts;
DROP FUNCTION create_default_mailboxes();

CREATE FUNCTION create_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mailboxes(account_id, name) VALUES (NEW.id, 'INBOX');
  INSERT INTO subscriptions(account_id, name) VALUES (NEW.id, 'INBOX') ON CONFLICT DO NOTHING;
  RETURN NEW;
END $$;

CREATE TRIGGER accounts_inbox AFTER INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION create_inbox();
