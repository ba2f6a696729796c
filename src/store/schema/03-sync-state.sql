-- Syncline store schema, version 3: sync state in tables of its own (issue 7). Until now it
-- lived in `config` as JSON under sync/... names; config keeps configuration only (the
-- destinations). This file creates the tables and moves what a version-2 store holds.
-- An item is named by (kind, collection, key) as in `items`: kind 0 a document, 1 a file;
-- collection '' for files.

-- sync_reports: the last report of each item's synchronization, per direction: 0 the last
-- push from here (to any destination), 1 the last version received here (from any source).
CREATE TABLE sync_reports (
  db_id             INTEGER NOT NULL,
  direction         INTEGER NOT NULL,    -- 0 outgoing, 1 incoming
  kind              INTEGER NOT NULL,
  collection        TEXT NOT NULL,
  key               TEXT NOT NULL,
  etag              INTEGER NOT NULL,    -- the source's etag of the version
  type              TEXT NOT NULL,       -- content-update, metadata-update, rename, delete
  error_code        TEXT,                -- Status code name; NULL on success
  error_message     TEXT,
  bytes_transferred INTEGER NOT NULL,
  bytes_copied      INTEGER NOT NULL,
  need_list_length  INTEGER NOT NULL,
  source_node       TEXT NOT NULL,
  source_url        TEXT NOT NULL,
  destination_url   TEXT NOT NULL,
  started_at        INTEGER NOT NULL,    -- microseconds since the Unix epoch
  finished_at       INTEGER NOT NULL,
  PRIMARY KEY (db_id, direction, kind, collection, key)
);
-- `sync finished` and the studio page them newest first.
CREATE INDEX sync_reports_by_time ON sync_reports (db_id, direction, finished_at DESC);

-- conflicts: items whose local and incoming versions are concurrent. The item keeps its local
-- version; the incoming one waits here until someone resolves the conflict.
CREATE TABLE conflicts (
  db_id          INTEGER NOT NULL,
  kind           INTEGER NOT NULL,
  collection     TEXT NOT NULL,
  key            TEXT NOT NULL,
  remote_url     TEXT NOT NULL,          -- the source that sent the incoming version
  remote_node    TEXT NOT NULL,
  local_version  TEXT NOT NULL,          -- version vector JSON of the local item then
  remote_version TEXT NOT NULL,          -- version vector JSON of the incoming item
  remote_item    TEXT NOT NULL,          -- the incoming version, as sync/item_json.h writes it
  created_at     INTEGER NOT NULL,
  PRIMARY KEY (db_id, kind, collection, key)
) WITHOUT ROWID;

-- item_locks: an item being applied by a synchronization from `owner` (a node id). Every other
-- writer is refused until the owner releases it or it expires.
CREATE TABLE item_locks (
  db_id      INTEGER NOT NULL,
  kind       INTEGER NOT NULL,
  collection TEXT NOT NULL,
  key        TEXT NOT NULL,
  owner      TEXT NOT NULL,
  expires_at INTEGER NOT NULL,           -- microseconds since the Unix epoch
  PRIMARY KEY (db_id, kind, collection, key)
) WITHOUT ROWID;

-- source_watermarks: for each source (a node's database) that pushes here, the etag below
-- which everything it sent is settled here. It only grows.
CREATE TABLE source_watermarks (
  db_id       INTEGER NOT NULL,
  source_node TEXT NOT NULL,
  source_db   TEXT NOT NULL,
  last_etag   INTEGER NOT NULL,
  PRIMARY KEY (db_id, source_node, source_db)
) WITHOUT ROWID;

-- confirmations: the items the last run to a destination applied there; the next run asks
-- the destination about them again, so an item it lost is pushed anew.
CREATE TABLE confirmations (
  db_id           INTEGER NOT NULL,
  destination_url TEXT NOT NULL,
  kind            INTEGER NOT NULL,
  collection      TEXT NOT NULL,
  key             TEXT NOT NULL,
  PRIMARY KEY (db_id, destination_url, kind, collection, key)
) WITHOUT ROWID;

-- The move. Config names: sync/report/<item>, sync/finished/<item>, sync/conflict/<item>,
-- sync/lock/<item> with <item> = "<d|f>/<collection>/<key>"; sync/source/<node>/<db>;
-- sync/confirm/<url>. Reports and conflicts carry their item's fields in their JSON.
INSERT OR REPLACE INTO sync_reports
SELECT db_id,
       CASE WHEN name LIKE 'sync/report/%' THEN 0 ELSE 1 END,
       CASE json_extract(value, '$.kind') WHEN 'document' THEN 0 ELSE 1 END,
       coalesce(json_extract(value, '$.collection'), ''),
       json_extract(value, '$.name'),
       coalesce(json_extract(value, '$.etag'), 0),
       coalesce(json_extract(value, '$.type'), 'content-update'),
       CASE WHEN json_extract(value, '$.error') IS NULL THEN NULL
            WHEN json_extract(value, '$.error') LIKE '% is conflicted' THEN 'conflicted'
            ELSE coalesce(json_extract(value, '$.error_code'), 'internal') END,
       json_extract(value, '$.error'),
       coalesce(json_extract(value, '$.bytes_transferred'), 0),
       coalesce(json_extract(value, '$.bytes_copied'), 0),
       coalesce(json_extract(value, '$.need_list_length'), 0),
       coalesce(json_extract(value, '$.source_node'), ''),
       coalesce(json_extract(value, '$.source_url'), ''),
       coalesce(json_extract(value, '$.destination_url'), ''),
       coalesce(json_extract(value, '$.started_at'), 0),
       coalesce(json_extract(value, '$.finished_at'), 0)
FROM config
WHERE (name LIKE 'sync/report/%' OR name LIKE 'sync/finished/%') AND json_valid(value)
  AND json_extract(value, '$.name') IS NOT NULL;

INSERT OR REPLACE INTO conflicts
SELECT db_id,
       CASE json_extract(value, '$.kind') WHEN 'document' THEN 0 ELSE 1 END,
       coalesce(json_extract(value, '$.collection'), ''),
       json_extract(value, '$.key'),
       coalesce(json_extract(value, '$.remote_url'), ''),
       coalesce(json_extract(value, '$.remote_node'), ''),
       json(json_extract(value, '$.local_version')),
       json(json_extract(value, '$.remote_version')),
       json(json_extract(value, '$.remote_item')),
       coalesce(json_extract(value, '$.created_at'), 0)
FROM config
WHERE name LIKE 'sync/conflict/%' AND json_valid(value) AND json_extract(value, '$.key') IS NOT NULL
  AND json_extract(value, '$.remote_item') IS NOT NULL;

-- A lock's item is in its name only: "sync/lock/" (10 characters), then the item.
INSERT OR REPLACE INTO item_locks
SELECT db_id,
       CASE substr(name, 11, 1) WHEN 'd' THEN 0 ELSE 1 END,
       substr(substr(name, 13), 1, instr(substr(name, 13), '/') - 1),
       substr(substr(name, 13), instr(substr(name, 13), '/') + 1),
       json_extract(value, '$.owner'),
       coalesce(json_extract(value, '$.expires_at'), 0)
FROM config
WHERE name LIKE 'sync/lock/%' AND json_valid(value) AND json_extract(value, '$.owner') IS NOT NULL;

-- "sync/source/" (12 characters), then "<node>/<db>": node ids hold no '/'.
INSERT OR REPLACE INTO source_watermarks
SELECT db_id,
       substr(substr(name, 13), 1, instr(substr(name, 13), '/') - 1),
       substr(substr(name, 13), instr(substr(name, 13), '/') + 1),
       coalesce(json_extract(value, '$.last_etag'), 0)
FROM config
WHERE name LIKE 'sync/source/%' AND json_valid(value);

-- "sync/confirm/" (13 characters), then the destination URL; the value is an array of items.
INSERT OR IGNORE INTO confirmations
SELECT config.db_id,
       substr(config.name, 14),
       CASE json_extract(e.value, '$.kind') WHEN 'document' THEN 0 ELSE 1 END,
       coalesce(json_extract(e.value, '$.collection'), ''),
       json_extract(e.value, '$.key')
FROM config, json_each(config.value) AS e
WHERE config.name LIKE 'sync/confirm/%' AND json_valid(config.value)
  AND json_extract(e.value, '$.key') IS NOT NULL;

DELETE FROM config
WHERE name LIKE 'sync/report/%' OR name LIKE 'sync/finished/%' OR name LIKE 'sync/conflict/%'
   OR name LIKE 'sync/lock/%' OR name LIKE 'sync/source/%' OR name LIKE 'sync/confirm/%';
