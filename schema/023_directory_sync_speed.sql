-- Directory sync at scale (issue 12 benchmark: 10,000 users, 500 lists):
-- a list's members are found by their accounts' directory DNs, compared
-- lowercase; without this index every list scanned all of the source's
-- accounts.
CREATE INDEX accounts_directory_dn ON accounts(directory_source_id, lower(directory_dn))
  WHERE directory_dn IS NOT NULL;
