-- XEP-0160 offline messages: a message of type normal or chat to a local
-- account with no available resource, kept (with its XEP-0203 delay
-- already added) until the account's next available presence.
CREATE TABLE xmpp_offline_messages (
  id          bigserial PRIMARY KEY,
  account_id  bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  stanza      text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX xmpp_offline_messages_account ON xmpp_offline_messages(account_id, id);
