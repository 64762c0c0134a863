-- UIDVALIDITY from a sequence (RFC 3501 2.3.1.1, RFC 9051 2.3.1.1): every
-- mailbox gets a value no other mailbox had, even when two are created in
-- the same second; epoch seconds gave equal values there. The sequence
-- starts above every value handed out so far and above the current epoch
-- second, so a mailbox deleted and created again still gets a greater one.
-- SECURITY: IMAP's nz-number is 32 bits; the sequence ends there (in 2106
-- at one mailbox a second) rather than wrap.

CREATE SEQUENCE mailbox_uidvalidity AS bigint MINVALUE 1 MAXVALUE 4294967295 NO CYCLE;
SELECT setval('mailbox_uidvalidity',
              greatest(coalesce((SELECT max(uidvalidity) FROM mailboxes), 0),
                       extract(epoch FROM clock_timestamp())::bigint, 1));

-- Any other way of creating a mailbox (IMAP CREATE) gets one by default.
ALTER TABLE mailboxes ALTER COLUMN uidvalidity SET DEFAULT nextval('mailbox_uidvalidity');

CREATE OR REPLACE FUNCTION create_default_mailboxes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mailboxes(account_id, name, special_use) VALUES
    (NEW.id, 'INBOX', NULL),
    (NEW.id, 'Sent', '\Sent'),
    (NEW.id, 'Drafts', '\Drafts'),
    (NEW.id, 'Trash', '\Trash'),
    (NEW.id, 'Junk', '\Junk');
  RETURN NEW;
END $$;
