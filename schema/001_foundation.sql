-- Identity (domains, accounts, aliases, groups), runtime settings, services,
-- the journal and blob reference counts.

-- Every address in a local domain belongs to exactly one of: an account, an
-- alias or a group. One table makes that unique across the three kinds.
CREATE TABLE domains (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL UNIQUE,           -- IDNA A-label, lowercase
  description text NOT NULL DEFAULT '',
  source      text NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'directory')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE addresses (
  address   text PRIMARY KEY,                 -- normalised local@domain
  domain_id bigint NOT NULL REFERENCES domains(id) ON DELETE RESTRICT,
  kind      text NOT NULL CHECK (kind IN ('account', 'alias', 'group'))
);
CREATE INDEX addresses_domain ON addresses(domain_id);

CREATE TABLE accounts (
  id              bigserial PRIMARY KEY,
  address         text NOT NULL UNIQUE REFERENCES addresses(address) ON DELETE RESTRICT,
  domain_id       bigint NOT NULL REFERENCES domains(id) ON DELETE RESTRICT,
  display_name    text NOT NULL DEFAULT '',
  password_hash   text,                       -- argon2id PHC string; NULL for directory accounts
  scram           jsonb NOT NULL DEFAULT '{}',-- {"sha1": {salt, iterations, stored_key, server_key}, "sha256": …}
  enabled         boolean NOT NULL DEFAULT true,
  quota_bytes     bigint NOT NULL DEFAULT 0 CHECK (quota_bytes >= 0),  -- 0 = unlimited
  used_bytes      bigint NOT NULL DEFAULT 0,
  source          text NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'directory')),
  directory_attributes jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_domain ON accounts(domain_id);

CREATE TABLE aliases (
  id         bigserial PRIMARY KEY,
  address    text NOT NULL UNIQUE REFERENCES addresses(address) ON DELETE RESTRICT,
  domain_id  bigint NOT NULL REFERENCES domains(id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A target is either a local address (which must exist: no dangling aliases,
-- and its owner cannot be deleted while targeted) or an external address.
CREATE TABLE alias_targets (
  alias_id       bigint NOT NULL REFERENCES aliases(id) ON DELETE CASCADE,
  target         text NOT NULL,
  local_address  text REFERENCES addresses(address) ON DELETE RESTRICT,
  PRIMARY KEY (alias_id, target)
);
CREATE INDEX alias_targets_local ON alias_targets(local_address);

CREATE TABLE groups (
  id         bigserial PRIMARY KEY,
  address    text NOT NULL UNIQUE REFERENCES addresses(address) ON DELETE RESTRICT,
  domain_id  bigint NOT NULL REFERENCES domains(id) ON DELETE RESTRICT,
  name       text NOT NULL DEFAULT '',
  source     text NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'directory')),
  directory_attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE group_members (
  group_id   bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_members_account ON group_members(account_id);

-- Runtime settings: only keys that differ from the built-in default are stored.
CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE services (
  name    text PRIMARY KEY,
  enabled boolean NOT NULL
);

CREATE TABLE journal (
  id      bigserial PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  level   text NOT NULL,
  service text NOT NULL,
  text    text NOT NULL,
  fields  jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX journal_at ON journal(at);

-- Content-addressed blobs: the file <data>/blobs/ab/cdef… exists once, however
-- many messages refer to it. refcount 0 rows are collected after a grace period.
CREATE TABLE blobs (
  hash       text PRIMARY KEY,                -- SHA-256, lowercase hex
  size       bigint NOT NULL,
  refcount   integer NOT NULL DEFAULT 0 CHECK (refcount >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX blobs_unreferenced ON blobs(updated_at) WHERE refcount = 0;
