-- Directory groups as XMPP shared roster groups (issue 12 "groups become
-- XMPP shared roster groups"), and roster items that follow an account's
-- new address. The directory sync writes each group of a source with its
-- members expanded through nested groups (directory/store/group_links.cpp);
-- the XMPP server reads them here, through xmpp_shared_contacts(), which
-- now serves both kinds of shared group (schema/019's domain one too). Every
-- change bumps the roster versions it changes (RFC 6121 2.6, XEP-0237) in
-- the writer's transaction and tells the nodes what to push:
-- NOTIFY posta_xmpp_roster '{"account": A, "contacts": [C, …]}'.

-- The groups a source shares (its setting xmpp_shared_groups, default on);
-- a group with more members than the source's xmpp_shared_group_max_members
-- is not written at all (SECURITY: group_links.cpp).
CREATE TABLE directory_shared_groups (
  source_id bigint NOT NULL REFERENCES directory_sources(id) ON DELETE CASCADE,
  uuid      text NOT NULL,
  name      text NOT NULL,   -- the roster group: the directory group's display name, else its cn
  PRIMARY KEY (source_id, uuid)
);

CREATE TABLE directory_shared_members (
  source_id  bigint NOT NULL,
  uuid       text NOT NULL,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  PRIMARY KEY (source_id, uuid, account_id),
  FOREIGN KEY (source_id, uuid) REFERENCES directory_shared_groups(source_id, uuid) ON DELETE CASCADE
);
CREATE INDEX directory_shared_members_account ON directory_shared_members(account_id);

CREATE FUNCTION directory_shares_groups(config jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce((config ->> 'xmpp_shared_groups')::boolean, true)
$$;

-- Bumps each owner's roster version and asks the nodes to push `contacts`
-- to it (its own address left out), in notifications of at most 40
-- contacts (pg_notify payloads stay far below their 8000-byte bound).
CREATE FUNCTION xmpp_roster_changed_many(owners bigint[], contacts text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  who text;
  chunk text[];
  i integer;
BEGIN
  IF cardinality(owners) = 0 OR cardinality(contacts) = 0 THEN
    RETURN;
  END IF;
  -- An owner being deleted (its membership going by cascade) is skipped.
  INSERT INTO xmpp_roster_versions(account_id, version)
    SELECT DISTINCT a.id, 1 FROM accounts a WHERE a.id = ANY(owners) ORDER BY a.id
    ON CONFLICT (account_id) DO UPDATE SET version = xmpp_roster_versions.version + 1;
  FOR who IN SELECT a.address FROM accounts a WHERE a.id = ANY(owners) LOOP
    chunk := ARRAY(SELECT c FROM unnest(contacts) c WHERE c <> who);
    i := 1;
    WHILE i <= cardinality(chunk) LOOP
      PERFORM pg_notify('posta_xmpp_roster',
                        json_build_object('account', who, 'contacts', chunk[i:i + 39])::text);
      i := i + 40;
    END LOOP;
  END LOOP;
END $$;

-- Every contact a shared group puts in `owner`'s roster, with the shared
-- groups it is in: the domain's (schema/019) and the directory groups the
-- owner and the contact are both members of, while their source shares.
CREATE FUNCTION xmpp_shared_contacts(owner bigint)
RETURNS TABLE(contact text, name text, groups text[]) LANGUAGE sql STABLE AS $$
  SELECT x.contact, min(x.name), array_agg(DISTINCT x.grp ORDER BY x.grp) FROM (
    SELECT m.address AS contact, m.display_name AS name, d.name AS grp
    FROM accounts a JOIN domains d ON d.id = a.domain_id AND d.xmpp_shared_roster
    JOIN accounts m ON m.domain_id = a.domain_id AND m.id <> a.id
    WHERE a.id = owner
    UNION ALL
    SELECT m.address, m.display_name, g.name
    FROM directory_shared_members mine
    JOIN directory_shared_groups g ON g.source_id = mine.source_id AND g.uuid = mine.uuid
    JOIN directory_sources s ON s.id = g.source_id AND directory_shares_groups(s.config)
    JOIN directory_shared_members o ON o.source_id = mine.source_id AND o.uuid = mine.uuid AND o.account_id <> owner
    JOIN accounts m ON m.id = o.account_id
    WHERE mine.account_id = owner) x
  GROUP BY x.contact
$$;

-- The roster a client sees (RFC 6121 2.1), as schema/019 defined it, with
-- every shared group: a shared contact is 'both' and in its shared groups,
-- besides the user's own name and groups for it.
CREATE OR REPLACE FUNCTION xmpp_roster_of(owner bigint)
RETURNS TABLE(contact text, name text, groups text[], subscription text, ask boolean)
LANGUAGE sql STABLE AS $$
  WITH mine AS (
    SELECT r.contact, r.name, r.groups, r.subscription, r.ask FROM xmpp_roster_items r
    WHERE r.account_id = owner AND r.listed),
  shared AS (SELECT * FROM xmpp_shared_contacts(owner))
  SELECT coalesce(mine.contact, shared.contact),
         CASE WHEN coalesce(mine.name, '') <> '' THEN mine.name ELSE coalesce(shared.name, '') END,
         CASE WHEN shared.contact IS NULL THEN mine.groups
              ELSE coalesce(mine.groups, '{}') ||
                   ARRAY(SELECT g FROM unnest(shared.groups) g WHERE g <> ALL(coalesce(mine.groups, '{}'))) END,
         CASE WHEN shared.contact IS NULL THEN mine.subscription ELSE 'both' END,
         CASE WHEN shared.contact IS NULL THEN mine.ask ELSE false END
  FROM mine FULL JOIN shared ON shared.contact = mine.contact
$$;

-- The shared groups `whom` is in, in `owner`'s roster, as a JSON array
-- ('[]': none): what a push after a change of the user's own item must
-- still show (jabber/store/roster_store.hpp overlay_shared_groups).
CREATE FUNCTION xmpp_shared_groups(owner bigint, whom text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT array_to_json(s.groups)::text FROM xmpp_shared_contacts(owner) s WHERE s.contact = whom),
                  '[]')
$$;

-- The accounts that share a directory group with `account`, itself excluded.
CREATE FUNCTION directory_group_peers(account bigint) RETURNS bigint[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT o.account_id), '{}') FROM directory_shared_members mine
  JOIN directory_shared_members o ON o.source_id = mine.source_id AND o.uuid = mine.uuid AND o.account_id <> account
  WHERE mine.account_id = account
$$;

CREATE FUNCTION account_addresses(ids bigint[]) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(address ORDER BY address), '{}') FROM accounts WHERE id = ANY(ids)
$$;

-- Members joined a group: the others are pushed the newcomers, the
-- newcomers the whole group.
CREATE FUNCTION directory_shared_members_added() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  g record;
  added bigint[];
  others bigint[];
BEGIN
  FOR g IN SELECT DISTINCT source_id, uuid FROM new_rows LOOP
    added := ARRAY(SELECT account_id FROM new_rows n WHERE n.source_id = g.source_id AND n.uuid = g.uuid);
    others := ARRAY(SELECT m.account_id FROM directory_shared_members m
                    WHERE m.source_id = g.source_id AND m.uuid = g.uuid AND m.account_id <> ALL(added));
    PERFORM xmpp_roster_changed_many(others, account_addresses(added));
    PERFORM xmpp_roster_changed_many(added, account_addresses(others || added));
  END LOOP;
  RETURN NULL;
END $$;

-- Members left a group (or it went): the rest are pushed the leavers, the
-- leavers everyone they shared it with. A deleted account is no longer in
-- accounts here; xmpp_account_peers_pushed pushed its removal before.
CREATE FUNCTION directory_shared_members_removed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  g record;
  removed bigint[];
  rest bigint[];
BEGIN
  FOR g IN SELECT DISTINCT source_id, uuid FROM old_rows LOOP
    removed := ARRAY(SELECT account_id FROM old_rows o WHERE o.source_id = g.source_id AND o.uuid = g.uuid);
    rest := ARRAY(SELECT m.account_id FROM directory_shared_members m
                  WHERE m.source_id = g.source_id AND m.uuid = g.uuid);
    PERFORM xmpp_roster_changed_many(rest, account_addresses(removed));
    PERFORM xmpp_roster_changed_many(removed, account_addresses(rest || removed));
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER directory_shared_members_added AFTER INSERT ON directory_shared_members
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION directory_shared_members_added();
CREATE TRIGGER directory_shared_members_removed AFTER DELETE ON directory_shared_members
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION directory_shared_members_removed();

-- Every member of a group is pushed every other (a renamed group: its
-- roster group's new name).
CREATE FUNCTION directory_shared_group_pushed(of_source bigint, of_uuid text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  members bigint[] := ARRAY(SELECT account_id FROM directory_shared_members
                            WHERE source_id = of_source AND uuid = of_uuid);
BEGIN
  PERFORM xmpp_roster_changed_many(members, account_addresses(members));
END $$;

CREATE FUNCTION directory_shared_group_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM directory_shared_group_pushed(NEW.source_id, NEW.uuid);
  RETURN NULL;
END $$;

CREATE TRIGGER directory_shared_group_renamed AFTER UPDATE OF name ON directory_shared_groups
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION directory_shared_group_renamed();

-- A source that starts or stops sharing its groups changes every roster
-- its groups are in.
CREATE FUNCTION directory_source_sharing() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  g record;
BEGIN
  FOR g IN SELECT uuid FROM directory_shared_groups WHERE source_id = NEW.id ORDER BY uuid LOOP
    PERFORM directory_shared_group_pushed(NEW.id, g.uuid);
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER directory_source_sharing AFTER UPDATE OF config ON directory_sources
  FOR EACH ROW WHEN (directory_shares_groups(OLD.config) IS DISTINCT FROM directory_shares_groups(NEW.config))
  EXECUTE FUNCTION directory_source_sharing();

-- An account about to be deleted leaves the rosters of its group peers
-- (BEFORE: its membership rows go with it, by cascade); a new display name
-- is the name of its shared items there (schema/019 pushes the domain's).
CREATE FUNCTION xmpp_account_peers_pushed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM xmpp_roster_changed(directory_group_peers(OLD.id), OLD.address);
    RETURN OLD;
  END IF;
  PERFORM xmpp_roster_changed(directory_group_peers(NEW.id), NEW.address);
  RETURN NULL;
END $$;

CREATE TRIGGER accounts_xmpp_leaving BEFORE DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION xmpp_account_peers_pushed();
CREATE TRIGGER accounts_xmpp_peers_renamed AFTER UPDATE OF display_name ON accounts
  FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
  EXECUTE FUNCTION xmpp_account_peers_pushed();

-- An account with a new address (a directory rename changing its mail,
-- directory/store/account_links.cpp rename_owner): the items others list
-- for the old bare JID name the new one, with their name, groups and
-- subscription state (a user who already listed the new JID keeps that
-- item). Everyone who listed it or shares a group with it is pushed the
-- old JID (now gone) and the new one (RFC 6121 2.1.6).
CREATE FUNCTION xmpp_account_readdressed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  holders bigint[];
BEGIN
  holders := ARRAY(SELECT account_id FROM xmpp_roster_items WHERE contact = OLD.address AND listed);
  DELETE FROM xmpp_roster_items r WHERE r.contact = OLD.address AND EXISTS (
    SELECT 1 FROM xmpp_roster_items n WHERE n.account_id = r.account_id AND n.contact = NEW.address);
  UPDATE xmpp_roster_items SET contact = NEW.address WHERE contact = OLD.address;
  holders := holders || xmpp_shared_members(NEW.id, OLD.domain_id) || xmpp_shared_members(NEW.id, NEW.domain_id)
             || directory_group_peers(NEW.id);
  holders := ARRAY(SELECT DISTINCT h FROM unnest(holders) h WHERE h <> NEW.id ORDER BY h);
  IF cardinality(holders) > 0 THEN
    PERFORM xmpp_roster_changed_many(holders, ARRAY[OLD.address, NEW.address]);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER accounts_xmpp_readdressed AFTER UPDATE OF address ON accounts
  FOR EACH ROW WHEN (OLD.address IS DISTINCT FROM NEW.address) EXECUTE FUNCTION xmpp_account_readdressed();
