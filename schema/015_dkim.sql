-- DKIM (RFC 6376): each local domain's signing keys, and which queued mail
-- may be signed.
--
-- A domain has at most one active key (retired_at NULL); rotation retires it
-- and adds the next in one transaction. Retired keys stay (their public half
-- may still be in DNS for mail in flight) until the domain goes.
CREATE TABLE dkim_keys (
  id          bigserial PRIMARY KEY,
  domain_id   bigint NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  selector    text NOT NULL CHECK (selector ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  -- The RSA private key (PKCS#8 PEM) sealed with AES-256-GCM under a key
  -- derived from the server secret, bound to "dkim <domain> <selector>"
  -- (core/util/crypto_secret_box.hpp): a copy of the database alone signs nothing.
  private_key bytea NOT NULL,
  public_key  text NOT NULL,                  -- base64 of the DER SubjectPublicKeyInfo: the p= of the TXT record
  created_at  timestamptz NOT NULL DEFAULT now(),
  retired_at  timestamptz,
  UNIQUE (domain_id, selector)
);
CREATE UNIQUE INDEX dkim_keys_active ON dkim_keys(domain_id) WHERE retired_at IS NULL;

-- The queue runners of every node forget the keys they hold when one changes.
CREATE FUNCTION notify_dkim_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('posta_dkim', '');
  RETURN NULL;
END $$;
CREATE TRIGGER dkim_keys_changed AFTER INSERT OR UPDATE OR DELETE ON dkim_keys
  FOR EACH STATEMENT EXECUTE FUNCTION notify_dkim_changed();

-- SECURITY: only mail whose From someone vouched for is signed: an
-- authenticated sender (whose From the server checked) or a trusted network.
-- Mail from anywhere else that an alias forwards out keeps a From nobody
-- checked; signing it would lend the domain's name to a forgery.
ALTER TABLE queue ADD COLUMN may_sign boolean NOT NULL DEFAULT false;
