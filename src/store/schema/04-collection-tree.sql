-- Syncline store schema, version 4: collection trees and staged documents (issue 10).
-- store/collection_tree.h describes the tree; docs/ARCHITECTURE.md says why it has this shape.

-- Each document's place in its collection's tree and its hash there. key_hash: the top 32 bits
-- of SHA-256(key), set on every document; tree_hash: the 32-byte hash of (key, version vector,
-- body), set on live documents only (NULL for tombstones and files).
ALTER TABLE items ADD COLUMN key_hash INTEGER;
ALTER TABLE items ADD COLUMN tree_hash BLOB;
-- The documents of one tree node, read when two trees are compared.
CREATE INDEX items_by_key_hash ON items (db_id, collection, key_hash) WHERE kind = 0;

-- tree_nodes: the summaries of the stored levels of each collection's tree (levels 2 and 3;
-- the root and level 1 are folded from them when read, the leaves summed from their documents
-- through items_by_key_hash). A row is the count of the live documents under
-- the node and the sum of their tree_hash modulo 2^256, kept inside every write transaction.
-- A missing row is an empty node.
CREATE TABLE tree_nodes (
  db_id      INTEGER NOT NULL,
  collection TEXT NOT NULL,
  level      INTEGER NOT NULL,
  prefix     INTEGER NOT NULL,           -- the top 4*level bits of the key hashes it covers
  sum        BLOB NOT NULL,              -- 32 bytes, big-endian
  count      INTEGER NOT NULL,
  PRIMARY KEY (db_id, collection, level, prefix)
) WITHOUT ROWID;

-- staged_documents: documents received by a collection sync and not applied yet. They take no
-- etag and are invisible to readers; one write transaction applies a whole stage at the end,
-- so a sync that fails half-way leaves the collection as it was.
CREATE TABLE staged_documents (
  db_id          INTEGER NOT NULL,
  stage          TEXT NOT NULL,          -- the collection sync's job id
  key            TEXT NOT NULL,
  deleted        INTEGER NOT NULL,       -- 1: the master has no such live document
  version_vector TEXT NOT NULL,
  updated_at     INTEGER NOT NULL,
  body           BLOB,
  PRIMARY KEY (db_id, stage, key)
) WITHOUT ROWID;

-- collection_jobs: collection syncs run on this node as replica (replicate/collection_jobs.h).
-- A job that was running when the node stopped is found here and marked failed and resumable.
CREATE TABLE collection_jobs (
  db_id            INTEGER NOT NULL,
  id               TEXT NOT NULL,
  collection       TEXT NOT NULL,
  master_url       TEXT NOT NULL,
  master_db        TEXT NOT NULL,
  master_key       TEXT NOT NULL,        -- the master's API key, needed to resume
  method           TEXT NOT NULL,        -- full, merkle, keys
  max_wait_seconds INTEGER NOT NULL,
  state            TEXT NOT NULL,        -- pending, running, done, failed, cancelled
  resumable        INTEGER NOT NULL,     -- 1: `job resume` may run it again
  result           TEXT,                 -- JSON counts of a finished job
  error_code       TEXT,                 -- Status code name of a failed one
  error_message    TEXT,
  follow           INTEGER NOT NULL,     -- 1: the collection follows the master once done
  created_at       INTEGER NOT NULL,     -- microseconds since the Unix epoch
  started_at       INTEGER NOT NULL,
  finished_at      INTEGER NOT NULL,
  PRIMARY KEY (db_id, id)
) WITHOUT ROWID;
CREATE INDEX collection_jobs_by_time ON collection_jobs (db_id, created_at DESC);

-- collection_followers: collections of this node that follow a master's (--follow): changes
-- there are applied here continuously. `checkpoint_etag` is the master's etag up to which
-- every change is applied here; it moves in the same transaction as the documents it covers.
-- Local writes to a followed collection are refused, so a replica never silently diverges.
CREATE TABLE collection_followers (
  db_id           INTEGER NOT NULL,
  collection      TEXT NOT NULL,
  master_url      TEXT NOT NULL,
  master_db       TEXT NOT NULL,
  master_key      TEXT NOT NULL,
  checkpoint_etag INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,     -- microseconds since the Unix epoch
  PRIMARY KEY (db_id, collection)
) WITHOUT ROWID;

-- The hashes above are SHA-256, which SQL cannot compute: opening the store fills them in, and
-- builds the trees, in one transaction, then removes this marker.
INSERT OR REPLACE INTO node VALUES ('tree_rebuild', '1');
