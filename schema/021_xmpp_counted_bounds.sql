-- XMPP per-account bounds that hold under concurrent writers. A count taken
-- in one statement and an insert made after it let two sessions both see
-- room for the last slot (READ COMMITTED gives each statement its own
-- snapshot); a counter row updated with the bound in its WHERE clause is
-- locked by the first writer, and the second re-reads it once the first
-- commits (PostgreSQL re-checks an UPDATE's or ON CONFLICT's condition on
-- the newest row version), so the bound is exact.

-- XEP-0160 offline messages per account, for xmpp.max_offline_messages:
-- raised by the insert that stores one (jabber/store/offline.cpp), lowered
-- by whatever deletes them.
CREATE TABLE xmpp_offline_counts (
  account_id bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  stored     integer NOT NULL CHECK (stored >= 0)
);
INSERT INTO xmpp_offline_counts(account_id, stored)
  SELECT account_id, count(*) FROM xmpp_offline_messages GROUP BY account_id;

CREATE FUNCTION xmpp_offline_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE xmpp_offline_counts c SET stored = greatest(c.stored - d.n, 0)
    FROM (SELECT account_id, count(*) AS n FROM old_rows GROUP BY account_id ORDER BY account_id) d
    WHERE c.account_id = d.account_id;
  RETURN NULL;
END $$;
CREATE TRIGGER xmpp_offline_removed AFTER DELETE ON xmpp_offline_messages
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xmpp_offline_removed();

-- The items a user listed in the roster (shared groups not counted), for
-- xmpp.max_roster_items, kept on the version row that every roster change
-- locks anyway. Triggers follow every insert, update and delete of items
-- (roster sets, subscriptions, cleanups of schema/019); a roster set checks
-- the bound when it bumps the version (jabber/store/roster_store.cpp).
ALTER TABLE xmpp_roster_versions ADD COLUMN own_items integer NOT NULL DEFAULT 0 CHECK (own_items >= 0);
INSERT INTO xmpp_roster_versions(account_id, version, own_items)
  SELECT account_id, 0, count(*) FILTER (WHERE listed) FROM xmpp_roster_items GROUP BY account_id
  ON CONFLICT (account_id) DO UPDATE SET own_items = EXCLUDED.own_items;

-- Moves each account's count by `delta` (its listed items added minus
-- removed); ordered by id, the lock order of schema/019 and
-- jabber/store/subscriptions.cpp. The rows of a deleted account went with it.
CREATE FUNCTION xmpp_roster_own_items_moved(delta jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO xmpp_roster_versions AS v (account_id, version, own_items)
    SELECT d.key::bigint, 0, greatest(d.value::integer, 0) FROM jsonb_each_text(delta) d
      JOIN accounts a ON a.id = d.key::bigint
      WHERE d.value::integer <> 0 ORDER BY d.key::bigint
    ON CONFLICT (account_id) DO UPDATE SET own_items = greatest(v.own_items + (delta ->> v.account_id::text)::integer, 0)
$$;

CREATE FUNCTION xmpp_roster_items_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta jsonb;
BEGIN
  -- Transition tables exist only for their own event: one query per event.
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_object_agg(account_id, n) INTO delta
      FROM (SELECT account_id, count(*) AS n FROM new_rows WHERE listed GROUP BY account_id) c;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT jsonb_object_agg(account_id, n) INTO delta
      FROM (SELECT account_id, sum(d) AS n FROM (
              SELECT account_id, -1 AS d FROM old_rows WHERE listed
              UNION ALL SELECT account_id, 1 FROM new_rows WHERE listed) x GROUP BY account_id) c;
  ELSE
    SELECT jsonb_object_agg(account_id, -n) INTO delta
      FROM (SELECT account_id, count(*) AS n FROM old_rows WHERE listed GROUP BY account_id) c;
  END IF;
  IF delta IS NOT NULL THEN
    PERFORM xmpp_roster_own_items_moved(delta);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER xmpp_roster_items_added AFTER INSERT ON xmpp_roster_items
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xmpp_roster_items_counted();
CREATE TRIGGER xmpp_roster_items_changed AFTER UPDATE ON xmpp_roster_items
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xmpp_roster_items_counted();
CREATE TRIGGER xmpp_roster_items_removed AFTER DELETE ON xmpp_roster_items
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xmpp_roster_items_counted();

-- The available resources of each node (RFC 6121 4.2), so that a node
-- restarted after a crash (SIGKILL, power loss) knows whose presence ended
-- without an unavailable broadcast: at start-up it removes its own rows and
-- records XEP-0012 last activity for accounts left with no available
-- resource (jabber/store/online_store.cpp). `token` names the session that
-- wrote the row (and follows it through an XEP-0198 resumption), so a
-- session replaced by a newer one on the same resource removes only its own.
CREATE TABLE xmpp_online_resources (
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  resource   text NOT NULL CHECK (length(resource) BETWEEN 1 AND 1023),  -- RFC 7622 3.4
  node       text NOT NULL,  -- the bootstrap hostname, unique among the nodes of a database
  token      text NOT NULL,
  since      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, resource)
);
CREATE INDEX xmpp_online_resources_node ON xmpp_online_resources(node);
