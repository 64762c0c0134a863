-- XMPP rosters (RFC 6121 section 2) with each contact's subscription state
-- (RFC 6121 section 3, Appendix A), and one roster version per account
-- (RFC 6121 2.6, XEP-0237) that every change of the listed roster bumps.
--
-- The version is a counter: a client that sends the current value gets an
-- empty result, any other value the whole roster (no diffs are kept).
CREATE TABLE xmpp_roster_versions (
  account_id bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  version    bigint NOT NULL DEFAULT 0 CHECK (version >= 0)
);

CREATE TABLE xmpp_roster_items (
  account_id   bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  contact      text NOT NULL CHECK (length(contact) BETWEEN 1 AND 3071),  -- a bare JID (RFC 7622 3.1)
  name         text NOT NULL DEFAULT '',
  groups       text[] NOT NULL DEFAULT '{}',
  subscription text NOT NULL DEFAULT 'none' CHECK (subscription IN ('none', 'to', 'from', 'both')),
  ask          boolean NOT NULL DEFAULT false,  -- a subscribe sent to the contact is pending ("pending out")
  -- The contact's subscribe stanza as received ("pending in"): delivered
  -- again at each login until the user answers it (RFC 6121 3.1.3).
  pending_in   text,
  approved     boolean NOT NULL DEFAULT false,  -- pre-approved (RFC 6121 3.4)
  -- false: known only by its state (a pending in, a pre-approval), not part
  -- of the roster a client sees (RFC 6121 3.1.3: no item for a mere request).
  listed       boolean NOT NULL DEFAULT true,
  PRIMARY KEY (account_id, contact)
);
