-- XMPP rosters that follow identity: shared roster groups per domain
-- (issue 11: every account of a domain in every other's roster with
-- subscription both, RFC 6121 3 semantics), and the rosters of others
-- cleaned when an account is deleted (RFC 6121 2.5: the item goes, with a
-- push). Each change bumps the roster version of every roster it changes
-- (RFC 6121 2.6, XEP-0237), in the identity change's own transaction, and
-- tells every node which item of which account to push again:
-- NOTIFY posta_xmpp_roster '{"account": A, "contact": C}' (or
-- '{"domain": D}' when a domain's shared roster is turned on or off).
ALTER TABLE domains ADD COLUMN xmpp_shared_roster boolean NOT NULL DEFAULT false;

-- Bumps the version of each listed account (creating its version row) and
-- asks every node to push `contact` to them again. Ordered by id: the lock
-- order of jabber/store/subscriptions.cpp.
CREATE FUNCTION xmpp_roster_changed(owners bigint[], whom text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  who text;
BEGIN
  INSERT INTO xmpp_roster_versions(account_id, version)
    SELECT t.id, 1 FROM unnest(owners) AS t(id) ORDER BY t.id
    ON CONFLICT (account_id) DO UPDATE SET version = xmpp_roster_versions.version + 1;
  FOR who IN SELECT a.address FROM accounts a WHERE a.id = ANY(owners) LOOP
    PERFORM pg_notify('posta_xmpp_roster', json_build_object('account', who, 'contact', whom)::text);
  END LOOP;
END $$;

-- The roster a client sees (RFC 6121 2.1): the account's listed items
-- merged with the other accounts of its domain when the domain shares its
-- roster. A shared member is 'both' (presence flows as with a mutual
-- subscription) and in the group named after the domain, besides the
-- user's own name and groups for it.
CREATE FUNCTION xmpp_roster_of(owner bigint)
RETURNS TABLE(contact text, name text, groups text[], subscription text, ask boolean)
LANGUAGE sql STABLE AS $$
  WITH mine AS (
    SELECT r.contact, r.name, r.groups, r.subscription, r.ask FROM xmpp_roster_items r
    WHERE r.account_id = owner AND r.listed),
  shared AS (
    SELECT m.address AS contact, m.display_name AS name, d.name AS grp
    FROM accounts a JOIN domains d ON d.id = a.domain_id AND d.xmpp_shared_roster
    JOIN accounts m ON m.domain_id = a.domain_id AND m.id <> a.id
    WHERE a.id = owner)
  SELECT coalesce(mine.contact, shared.contact),
         CASE WHEN coalesce(mine.name, '') <> '' THEN mine.name ELSE coalesce(shared.name, '') END,
         CASE WHEN shared.contact IS NULL THEN mine.groups
              WHEN shared.grp = ANY(coalesce(mine.groups, '{}')) THEN mine.groups
              ELSE coalesce(mine.groups, '{}') || shared.grp END,
         CASE WHEN shared.contact IS NULL THEN mine.subscription ELSE 'both' END,
         CASE WHEN shared.contact IS NULL THEN mine.ask ELSE false END
  FROM mine FULL JOIN shared ON shared.contact = mine.contact
$$;

-- The shared group `whom` is in, in `owner`'s roster, or NULL: what a push
-- after a change of the user's own item must still show (jabber/store).
CREATE FUNCTION xmpp_shared_group(owner bigint, whom text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT d.name FROM accounts a JOIN domains d ON d.id = a.domain_id AND d.xmpp_shared_roster
  JOIN accounts m ON m.domain_id = a.domain_id AND m.id <> a.id AND m.address = whom
  WHERE a.id = owner
$$;

-- The accounts that share a roster with `account` (none when its domain
-- does not share), itself excluded.
CREATE FUNCTION xmpp_shared_members(self_id bigint, of_domain bigint) RETURNS bigint[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(m.id ORDER BY m.id), '{}') FROM accounts m
  JOIN domains d ON d.id = m.domain_id AND d.xmpp_shared_roster
  WHERE m.domain_id = of_domain AND m.id <> self_id
$$;

-- A deleted account leaves every roster (its own rows go by ON DELETE
-- CASCADE): the items others had for it, and the shared group of its domain.
CREATE FUNCTION xmpp_account_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  holders bigint[];
BEGIN
  WITH gone AS (DELETE FROM xmpp_roster_items WHERE contact = OLD.address RETURNING account_id, listed)
  SELECT coalesce(array_agg(DISTINCT account_id) FILTER (WHERE listed), '{}') INTO holders FROM gone;
  holders := holders || xmpp_shared_members(OLD.id, OLD.domain_id);
  holders := ARRAY(SELECT DISTINCT unnest(holders));
  IF cardinality(holders) > 0 THEN
    PERFORM xmpp_roster_changed(holders, OLD.address);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER accounts_xmpp_deleted AFTER DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION xmpp_account_deleted();

-- A new account of a sharing domain (or a new display name, which is the
-- shared item's name) appears in the others' rosters.
CREATE FUNCTION xmpp_account_shared() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  members bigint[] := xmpp_shared_members(NEW.id, NEW.domain_id);
BEGIN
  IF cardinality(members) > 0 THEN
    PERFORM xmpp_roster_changed(members, NEW.address);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER accounts_xmpp_added AFTER INSERT ON accounts
  FOR EACH ROW EXECUTE FUNCTION xmpp_account_shared();
CREATE TRIGGER accounts_xmpp_renamed AFTER UPDATE OF display_name ON accounts
  FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
  EXECUTE FUNCTION xmpp_account_shared();

-- Turning a domain's shared roster on or off changes every roster of it:
-- one notification for the domain, each node pushes what its sessions see.
CREATE FUNCTION xmpp_domain_shared() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO xmpp_roster_versions(account_id, version)
    SELECT id, 1 FROM accounts WHERE domain_id = NEW.id ORDER BY id
    ON CONFLICT (account_id) DO UPDATE SET version = xmpp_roster_versions.version + 1;
  PERFORM pg_notify('posta_xmpp_roster', json_build_object('domain', NEW.name)::text);
  RETURN NULL;
END $$;

CREATE TRIGGER domains_xmpp_shared AFTER UPDATE OF xmpp_shared_roster ON domains
  FOR EACH ROW WHEN (OLD.xmpp_shared_roster IS DISTINCT FROM NEW.xmpp_shared_roster)
  EXECUTE FUNCTION xmpp_domain_shared();
