-- Syncline store schema, version 1. See README.md beside this file for the rules.

-- node: facts about this node set once, such as its node_id and the schema version.
CREATE TABLE node (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- databases: the named namespaces of this node. Every committed change in a database gets the
-- next etag, last_etag + 1, so etags are strictly increasing per database and never reused.
CREATE TABLE databases (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  last_etag  INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL            -- microseconds since the Unix epoch
);

-- items: documents (kind 0) and files (kind 1), live or tombstoned (deleted = 1). The change
-- feed is this table read in etag order: each item appears once, at its latest etag.
CREATE TABLE items (
  id             INTEGER PRIMARY KEY,
  db_id          INTEGER NOT NULL,
  kind           INTEGER NOT NULL,
  collection     TEXT NOT NULL,          -- '' for files
  key            TEXT NOT NULL,          -- document key or file name
  etag           INTEGER NOT NULL,
  version_vector TEXT NOT NULL,          -- JSON object {node_id: counter}
  deleted        INTEGER NOT NULL DEFAULT 0,
  updated_at     INTEGER NOT NULL,       -- microseconds since the Unix epoch
  body           BLOB,                   -- a document's JSON text
  size           INTEGER NOT NULL DEFAULT 0,  -- a file's content length
  content_hash   TEXT,                   -- hex SHA-256 of a file's content
  manifest       BLOB,                   -- a file's chunk list, docs/formats/manifest.md
  metadata       TEXT                    -- a file's metadata, JSON object of strings
);
CREATE UNIQUE INDEX items_by_key ON items (db_id, kind, collection, key);
CREATE UNIQUE INDEX items_by_etag ON items (db_id, etag);

-- chunks: where each distinct chunk of a database lives. Chunk bytes are appended to pack
-- files (packs/<db_id>/<pack>.pack) and synced before their row here is committed, so every
-- row points at durable bytes.
CREATE TABLE chunks (
  db_id  INTEGER NOT NULL,
  hash   BLOB NOT NULL,                  -- SHA-256 of the chunk, 32 bytes
  pack   INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL,
  PRIMARY KEY (db_id, hash)
) WITHOUT ROWID;
