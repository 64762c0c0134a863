-- Message bodies up to blobs.inline_max_kb live in PostgreSQL, written by the
-- delivering transaction: one WAL flush makes a whole batch durable, with no
-- file, rename or directory fsync per message. Larger bodies stay files (body
-- NULL). Existing small files are moved in online by the server.
ALTER TABLE blobs ADD COLUMN body bytea;

-- EXTERNAL: out of line and uncompressed, so substring() reads only the TOAST
-- chunks of a range (IMAP partial FETCH, header-only fetches) instead of
-- decompressing the whole body; and ingest spends no CPU on compression, of
-- bodies that are mostly base64 or already compressed attachments anyway.
ALTER TABLE blobs ALTER COLUMN body SET STORAGE EXTERNAL;
