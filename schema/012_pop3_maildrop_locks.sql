-- POP3 maildrop locks (RFC 1939 4: a session in TRANSACTION state has the
-- maildrop to itself), as leases that every node sharing this database
-- honours: one row per locked account, naming the node and the session that
-- hold it, valid until expires_at. The holding node extends the leases of
-- its live sessions together (mail/pop3/store/maildrop_locks.cpp); a session
-- deletes its row when it ends; the leases of a node that crashed are no
-- longer extended and lapse. IMAP sessions do not look at this table.
CREATE TABLE pop3_maildrop_locks (
  account_id  bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  node        text NOT NULL,
  session     bigint NOT NULL,
  client_ip   text NOT NULL DEFAULT '',
  acquired_at timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX pop3_maildrop_locks_node ON pop3_maildrop_locks(node);
