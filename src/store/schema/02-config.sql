-- Syncline store schema, version 2: per-database configuration.

-- config: named JSON values of a database that are not items and take no etag: sync
-- destinations, destination locks, conflicts, sync reports, the last etag applied from each
-- source. Names are '/'-separated paths, so one prefix lists one kind (see sync/config_names.h).
CREATE TABLE config (
  db_id INTEGER NOT NULL,
  name  TEXT NOT NULL,
  value TEXT NOT NULL,                   -- JSON text
  PRIMARY KEY (db_id, name)
) WITHOUT ROWID;
