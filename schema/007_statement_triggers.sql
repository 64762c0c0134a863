-- Reference counts and quota usage follow the rows once per statement, not
-- once per row: a delivering transaction inserts a whole batch of messages in
-- one statement, and per-row triggers cost it one UPDATE of `blobs` and one of
-- `accounts` for every copy. The rules are the same as in 002_mailstore.sql.
-- Lock order: blob rows were locked in hash order by the blob pin, and the
-- accounts' INBOX rows in id order, before these run.

CREATE FUNCTION blob_refs_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE blobs b SET refcount = b.refcount + n.c, updated_at = now()
    FROM (SELECT blob_hash, count(*) AS c FROM new_rows GROUP BY blob_hash ORDER BY blob_hash) n
    WHERE b.hash = n.blob_hash;
  RETURN NULL;
END $$;

CREATE FUNCTION blob_refs_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE blobs b SET refcount = greatest(b.refcount - n.c, 0), updated_at = now()
    FROM (SELECT blob_hash, count(*) AS c FROM old_rows GROUP BY blob_hash ORDER BY blob_hash) n
    WHERE b.hash = n.blob_hash;
  RETURN NULL;
END $$;

CREATE FUNCTION message_usage_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts a SET used_bytes = a.used_bytes + n.s
    FROM (SELECT m.account_id, sum(r.size) AS s FROM new_rows r JOIN mailboxes m ON m.id = r.mailbox_id
          GROUP BY m.account_id) n
    WHERE a.id = n.account_id;
  RETURN NULL;
END $$;

CREATE FUNCTION message_usage_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts a SET used_bytes = greatest(a.used_bytes - n.s, 0)
    FROM (SELECT m.account_id, sum(r.size) AS s FROM old_rows r JOIN mailboxes m ON m.id = r.mailbox_id
          GROUP BY m.account_id) n
    WHERE a.id = n.account_id;
  RETURN NULL;
END $$;

DROP TRIGGER messages_blob_ref ON messages;
DROP TRIGGER queue_blob_ref ON queue;
DROP TRIGGER messages_usage ON messages;

CREATE TRIGGER messages_blob_refs_added AFTER INSERT ON messages REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION blob_refs_added();
CREATE TRIGGER messages_blob_refs_removed AFTER DELETE ON messages REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION blob_refs_removed();
CREATE TRIGGER queue_blob_refs_added AFTER INSERT ON queue REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION blob_refs_added();
CREATE TRIGGER queue_blob_refs_removed AFTER DELETE ON queue REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION blob_refs_removed();
CREATE TRIGGER messages_usage_added AFTER INSERT ON messages REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION message_usage_added();
CREATE TRIGGER messages_usage_removed AFTER DELETE ON messages REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION message_usage_removed();
