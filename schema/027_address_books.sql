-- Personal address books (issue 14): per account, any number of books of
-- vCards, served over CardDAV. A book's revision counts its changes: every
-- write takes the book row (serialising the writers of one book), moves the
-- revision on, and stamps the card or its tombstone with it, so that a
-- sync-collection report (RFC 6578) from token N lists exactly what has a
-- revision above N.
CREATE TABLE address_books (
  id            bigserial PRIMARY KEY,
  account_id    bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' AND name <> 'gal'),
  display_name  text NOT NULL DEFAULT '' CHECK (length(display_name) <= 256),
  description   text NOT NULL DEFAULT '' CHECK (length(description) <= 4096),
  revision      bigint NOT NULL DEFAULT 0,
  -- Tokens below this revision name tombstones that were pruned: such a
  -- token is refused (DAV:valid-sync-token) and the client syncs afresh.
  sync_floor    bigint NOT NULL DEFAULT 0,
  card_count    integer NOT NULL DEFAULT 0 CHECK (card_count >= 0),  -- the bound addressbook.max_cards
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, name)
);

-- A card keeps the text its client sent (served back byte for byte) and
-- the fields read from it for search and the address-book queries.
CREATE TABLE address_cards (
  id           bigserial PRIMARY KEY,
  book_id      bigint NOT NULL REFERENCES address_books(id) ON DELETE CASCADE,
  resource     text NOT NULL CHECK (length(resource) BETWEEN 1 AND 255),  -- the name in the collection: "abc.vcf"
  uid          text NOT NULL CHECK (length(uid) <= 1024),
  etag         text NOT NULL,   -- strong: a digest of the text
  vcard        text NOT NULL,
  revision     bigint NOT NULL,
  formatted_name text NOT NULL DEFAULT '',
  emails       text[] NOT NULL DEFAULT '{}',
  search_text  text NOT NULL DEFAULT '',  -- names, addresses, phones, organisation: lower-cased
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (book_id, resource)
);
-- RFC 6352 6.3.2.1: a UID is unique within a book (no-uid-conflict).
CREATE UNIQUE INDEX address_cards_uid ON address_cards (book_id, uid) WHERE uid <> '';
CREATE INDEX address_cards_revision ON address_cards (book_id, revision);
CREATE INDEX address_cards_emails ON address_cards USING gin (emails);

CREATE TABLE address_card_tombstones (
  book_id   bigint NOT NULL REFERENCES address_books(id) ON DELETE CASCADE,
  resource  text NOT NULL,
  revision  bigint NOT NULL,
  deleted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (book_id, resource)
);
CREATE INDEX address_card_tombstones_revision ON address_card_tombstones (book_id, revision);

-- Left out of the global address list (an administrator's choice, or AD's
-- msExchHideFromAddressLists).
ALTER TABLE accounts ADD COLUMN hide_from_address_book boolean NOT NULL DEFAULT false;
