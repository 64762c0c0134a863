-- Caches of identity look-ups (the RCPT cache of mail/delivery, later the
-- XMPP server's) are cleared on every node when what they hold changes:
-- domains and their catch-all, addresses, and an account's existence,
-- address, state or quota. Not its used bytes, which change with every
-- delivery: those caches do not rely on them.
CREATE FUNCTION notify_identity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('posta_identity', TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TRIGGER domains_identity_changed AFTER INSERT OR UPDATE OR DELETE ON domains
  FOR EACH STATEMENT EXECUTE FUNCTION notify_identity_changed();
CREATE TRIGGER addresses_identity_changed AFTER INSERT OR UPDATE OR DELETE ON addresses
  FOR EACH STATEMENT EXECUTE FUNCTION notify_identity_changed();
CREATE TRIGGER accounts_identity_changed AFTER INSERT OR DELETE OR UPDATE OF address, enabled, quota_bytes ON accounts
  FOR EACH STATEMENT EXECUTE FUNCTION notify_identity_changed();
