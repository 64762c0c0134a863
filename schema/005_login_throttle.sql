-- Failed-login throttling, shared by every node and kept across settings
-- changes and restarts. One row per key: a client network ('ip'), an account
-- from one client network ('account_net'), or an account from anywhere
-- ('account', with a higher limit). A fixed window of failures per row; at
-- the limit the key is locked until locked_until.

CREATE TABLE login_throttle (
  scope        text NOT NULL CHECK (scope IN ('ip', 'account_net', 'account')),
  key          text NOT NULL,
  failures     integer NOT NULL,
  window_start timestamptz NOT NULL,
  locked_until timestamptz,
  PRIMARY KEY (scope, key)
);

-- Expired rows are deleted in small batches on each failure.
CREATE INDEX login_throttle_window ON login_throttle (window_start);
