-- Syncline store schema, version 6: users, what they may do per database, and their login
-- tokens (issue 9). Node-wide: a user is not inside a database.

-- users: who may log in. The password is kept only as libsodium's crypto_pwhash_str (Argon2id,
-- its parameters and salt in the string).
CREATE TABLE users (
  name                TEXT PRIMARY KEY,
  password_hash       TEXT NOT NULL,
  created_at          INTEGER NOT NULL,    -- microseconds since the Unix epoch
  password_changed_at INTEGER NOT NULL
);

-- user_grants: a user's role on a database; db '*' covers every database. The highest role
-- that covers a database is the user's role there.
CREATE TABLE user_grants (
  user TEXT NOT NULL,
  db   TEXT NOT NULL,
  role INTEGER NOT NULL,                   -- 0 read, 1 write, 2 admin
  PRIMARY KEY (user, db)
);

-- Rows of a removed user are deleted with it, in the same transaction (no foreign keys: the
-- store does not turn them on).

-- tokens: bearer tokens handed out by login. Only a hash of each is kept, so a copy of the
-- store does not let anyone in. A token dies at expires_at, at logout, with its user, or when
-- its user's password changes.
CREATE TABLE tokens (
  token_hash BLOB PRIMARY KEY,             -- BLAKE2b-256 of the token
  user       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX tokens_by_user ON tokens (user);
CREATE INDEX tokens_by_expiry ON tokens (expires_at);
