-- Field indexes (`syncline index create DB COLLECTION FIELD`): each row asks for an expression
-- index on one JSON field. The SQLite index is shared by every collection indexing that field:
--   CREATE INDEX name ON items (db_id, collection, json_extract(CAST(body AS TEXT), '$.FIELD'), key)
--     WHERE json_extract(CAST(body AS TEXT), '$.FIELD') IS NOT NULL
-- Its condition compares no column a statement binds: a partial index on `kind = 0` or
-- `db_id = N` makes SQLite re-prepare every statement that binds that column, on every bind.
CREATE TABLE field_indexes (
  db_id      INTEGER NOT NULL,
  collection TEXT NOT NULL,
  field      TEXT NOT NULL,             -- a dotted path of [A-Za-z0-9_] names
  name       TEXT NOT NULL,             -- the SQLite index (one per field)
  created_at INTEGER NOT NULL,
  PRIMARY KEY (db_id, collection, field)
) WITHOUT ROWID;

-- The same reason: the partial indexes of schemas 04, 05 and 07 (WHERE kind = 0) made SQLite
-- re-prepare every statement binding `kind` (each item read of a write) on every execution.
-- The same indexes without the condition; kind is a column of each instead.
DROP INDEX items_by_key_hash;
CREATE INDEX items_by_key_hash ON items (db_id, collection, key_hash, tree_hash, deleted, kind);
DROP INDEX items_by_collection_etag;
CREATE INDEX items_by_collection_etag ON items (db_id, kind, collection, etag);
