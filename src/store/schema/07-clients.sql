-- Syncline store schema, version 7: offline-first clients (issue 9). A client registers once
-- per database and gets an id; the server keeps, per client and collection, how far the client
-- has pulled and what it asked for, and the results of the client's recent push operations so
-- that a batch sent twice applies once.

-- clients: every registered client of a database.
CREATE TABLE clients (
  db_id        INTEGER NOT NULL,
  client_id    TEXT NOT NULL,            -- a UUID made by the server
  user         TEXT NOT NULL,            -- who registered it ('' for the admin key)
  platform     TEXT NOT NULL,            -- JSON object: name, version, device
  created_at   INTEGER NOT NULL,         -- microseconds since the Unix epoch
  last_seen_at INTEGER NOT NULL,
  PRIMARY KEY (db_id, client_id)
);

-- client_collections: per client and collection, the cursor the client last said it has
-- applied, and the filter and fields it pulls with ('' for none).
CREATE TABLE client_collections (
  db_id      INTEGER NOT NULL,
  client_id  TEXT NOT NULL,
  collection TEXT NOT NULL,
  cursor     TEXT NOT NULL,              -- opaque to clients (replicate/client_cursor.h)
  filter     TEXT NOT NULL,              -- JSON filter, or ''
  fields     TEXT NOT NULL,              -- JSON array of field paths, or ''
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (db_id, client_id, collection)
);

-- client_ops: the result of each push operation a client sent recently, by the id the client
-- gave it. Written in the transaction that applies the operation, so a retry after a cut
-- connection finds it. Pruned after a week.
CREATE TABLE client_ops (
  db_id      INTEGER NOT NULL,
  client_id  TEXT NOT NULL,
  op_id      TEXT NOT NULL,
  result     TEXT NOT NULL,              -- JSON: the operation's answer, as first sent
  created_at INTEGER NOT NULL,
  PRIMARY KEY (db_id, client_id, op_id)
);
CREATE INDEX client_ops_by_time ON client_ops (db_id, created_at);

-- A collection's changes in etag order: what a client's pull reads, without walking the
-- changes of every other collection.
CREATE INDEX items_by_collection_etag ON items (db_id, collection, etag) WHERE kind = 0;
