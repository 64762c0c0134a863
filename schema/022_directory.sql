-- Directory sources (issue 12): Active Directory or OpenLDAP servers whose
-- users and groups become accounts, aliases and groups. A source's settings
-- are one JSON document validated by directory/store/source_config; the
-- service account's password is sealed with the server secret
-- (core/util/crypto_secret_box, purpose "directory-bind"), never stored in clear.
CREATE TABLE directory_sources (
  id              bigserial PRIMARY KEY,
  name            text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  config          jsonb NOT NULL,
  bind_password   bytea,            -- sealed; NULL: anonymous or none
  enabled         boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Where each source's sync stands. DURABILITY: the cookie (RFC 4533 or
-- DirSync) is written in the transaction that applies the changes it
-- covers, so a crash between them replays changes instead of losing them.
CREATE TABLE directory_sync_state (
  source_id        bigint PRIMARY KEY REFERENCES directory_sources(id) ON DELETE CASCADE,
  cookie           bytea,
  last_started_at  timestamptz,
  last_finished_at timestamptz,
  last_status      text NOT NULL DEFAULT 'never',   -- never | ok | failed | stopped
  last_message     text NOT NULL DEFAULT '',
  last_counts      jsonb NOT NULL DEFAULT '{}'
);

-- An account or group from a directory is linked to its entry by the
-- entry's stable identity (objectGUID, entryUUID), so a rename or a new
-- mail address updates it instead of making another. A removed source
-- leaves its accounts (data is kept), unlinked.
ALTER TABLE accounts
  ADD COLUMN directory_source_id bigint REFERENCES directory_sources(id) ON DELETE SET NULL,
  ADD COLUMN directory_uid text,
  ADD COLUMN directory_dn text,
  ADD COLUMN directory_login text,          -- the bind name: sAMAccountName / uid
  -- An argon2id hash of the last password the directory accepted: logins
  -- fall back to it while the directory is unreachable (never when it answers).
  ADD COLUMN directory_verifier text,
  ADD COLUMN directory_verified_at timestamptz,   -- the last bind that accepted it
  ADD COLUMN directory_missing_since timestamptz;  -- gone from the directory: disabled, deleted after the grace period
CREATE UNIQUE INDEX accounts_directory_uid ON accounts(directory_source_id, directory_uid)
  WHERE directory_uid IS NOT NULL;

ALTER TABLE groups
  ADD COLUMN directory_source_id bigint REFERENCES directory_sources(id) ON DELETE SET NULL,
  ADD COLUMN directory_uid text,
  ADD COLUMN directory_dn text;
CREATE UNIQUE INDEX groups_directory_uid ON groups(directory_source_id, directory_uid)
  WHERE directory_uid IS NOT NULL;

-- Every group of a source as the last pass left it (with or without a mail
-- address): lists are planned from it, so an incremental pass needs only the
-- groups that changed.
CREATE TABLE directory_groups (
  source_id bigint NOT NULL REFERENCES directory_sources(id) ON DELETE CASCADE,
  uuid      text NOT NULL,
  dn        text NOT NULL,
  name      text NOT NULL,
  mail      text NOT NULL DEFAULT '',
  members   jsonb NOT NULL DEFAULT '[]',   -- member DNs as the directory gives them
  PRIMARY KEY (source_id, uuid)
);

-- The alias addresses a directory gives an account (proxyAddresses "smtp:",
-- mailAlternateAddress): aliases whose only target is that account, kept by
-- the sync and removed with it.
ALTER TABLE aliases
  ADD COLUMN directory_account_id bigint REFERENCES accounts(id) ON DELETE RESTRICT;
CREATE INDEX aliases_directory_account ON aliases(directory_account_id) WHERE directory_account_id IS NOT NULL;

-- Photos (thumbnailPhoto / jpegPhoto) of directory accounts, kept beside
-- the attributes for vCards and the address book.
CREATE TABLE directory_photos (
  account_id bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  sha256     text NOT NULL,
  photo      bytea NOT NULL
);
