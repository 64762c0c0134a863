-- What an XMPP account keeps besides its roster: the XEP-0191 blocklist,
-- the user-owned part of its XEP-0054 vCard (the rest comes from identity),
-- XEP-0049 private XML, and the XEP-0012 time its last resource went
-- unavailable.

-- XEP-0191: one row per blocked JID (bare, full, domain or domain/resource,
-- as XEP-0016 section 2.1 matches them).
CREATE TABLE xmpp_blocklist (
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  jid        text NOT NULL CHECK (length(jid) BETWEEN 1 AND 3071),  -- RFC 7622 3.1
  PRIMARY KEY (account_id, jid)
);

-- XEP-0054: the fields the user may set. FN, EMAIL and JABBERID are built
-- from identity (accounts) when the vCard is read, never stored here.
CREATE TABLE xmpp_vcards (
  account_id bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  nickname   text NOT NULL DEFAULT '',
  photo_type text NOT NULL DEFAULT '',
  photo      bytea,  -- decoded BINVAL; NULL: no photo
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- XEP-0049: the fragment stored under each namespace, as XML text.
CREATE TABLE xmpp_private_xml (
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  namespace  text NOT NULL CHECK (length(namespace) BETWEEN 1 AND 1024),
  fragment   text NOT NULL,
  PRIMARY KEY (account_id, namespace)
);

-- XEP-0012 section 4: when the account's last available resource went
-- unavailable, and the status it gave.
CREATE TABLE xmpp_last_activity (
  account_id bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  at         timestamptz NOT NULL,
  status     text NOT NULL DEFAULT ''
);
